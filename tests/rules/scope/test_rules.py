"""INF101–INF103: fixtures with inline expectations, the clean look-alikes, and the INF101 fix."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infralint.api import fix_source, lint_source

from ...conftest import assert_fixture, config_for

SCOPE = Path(__file__).parent / "fixtures"
CODES = ["INF101", "INF102", "INF103"]
#: the look-alikes tests/rules/test_rule_units.py does not run (it runs `clean/*.py` and every
#: flagged fixture): packages, stubs
CLEAN = sorted(p for p in (SCOPE / "clean").rglob("*.py*") if p.parent != SCOPE / "clean" or p.suffix != ".py")


@pytest.mark.parametrize("name", ["possibly_unbound.py", "failing_paths.py", "loop_paths.py", "recall_paths.py", "likely_paths.py"])
def test_flagged_fixture_reporting_every_path(name):
    """`possibly-unbound = "all"` also reports the `# expect-all:` lines: `if`/`elif` chains without
    `else` and loops over values not visibly built possibly empty (clean by default)."""
    assert_fixture(SCOPE / name, select=CODES, options={"scope.possibly-unbound": "all"})


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.relative_to(SCOPE / "clean").as_posix())
def test_must_stay_clean(path):
    findings = assert_fixture(path, select=CODES)
    assert findings == []


def test_dunder_path_only_exists_in_packages():
    text = (SCOPE / "clean" / "pkg" / "__init__.py").read_text()
    findings = lint_source(text, "pkg/module.py", config_for(CODES))
    assert [(f.code, f.line) for f in findings] == [("INF101", 3)]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax needs Python 3.12")
def test_type_parameters_are_bound():
    assert_fixture(SCOPE / "py312" / "type_params.py", select=CODES)


def _fixed(text: str) -> str:
    outcome = fix_source(text, "service/metrics.py", config_for(["INF101"]))
    return outcome.text


def test_fix_adds_stdlib_import_in_the_stdlib_group():
    text = (
        '"""Metrics."""\n'
        "import os\n"
        "\n"
        "import redis\n"
        "\n"
        "\n"
        "def latency(started):\n"
        "    return time.time() - started, os.getpid(), redis\n"
    )
    fixed = _fixed(text)
    assert fixed == text.replace("import os\n", "import os\nimport time\n")
    assert lint_source(fixed, "service/metrics.py", config_for(CODES)) == []
    assert _fixed(fixed) == fixed  # a second run changes nothing


def test_fix_is_offered_only_for_stdlib_modules_used_as_modules():
    findings = lint_source("def f():\n    return time.time()\n", "m.py", config_for(["INF101"]))
    assert [f.fix.title for f in findings] == ["Add `import time`"]
    for text in (
        "def f():\n    return time()\n",  # a bare call: not a module use
        "def f():\n    return frobnicate.x\n",  # not a stdlib module
        "def f():\n    return time.time()\n\ndef g():\n    import time\n    return time\n",  # bound elsewhere
    ):
        assert all(f.fix is None for f in lint_source(text, "m.py", config_for(["INF101"]))), text


def test_no_fix_and_no_finding_under_star_import():
    text = "from os.path import *\n\ndef f():\n    return time.time()\n"
    assert lint_source(text, "m.py", config_for(["INF101"])) == []
    assert _fixed(text) == text


def test_messages_name_the_runtime_error():
    text = "def f(x):\n    if x:\n        y = 1\n    return y\n"
    [finding] = lint_source(text, "m.py", config_for(CODES))
    assert finding.code == "INF102"
    assert finding.message == (
        "`y` may be unbound here: it is not bound when `x` (line 2) is false, and then this read raises UnboundLocalError"
    )
    assert (finding.line, finding.col, finding.end_line, finding.end_col) == (4, 11, 4, 12)


def test_never_returning_function_imported_from_a_project_module(tmp_path):
    package = tmp_path / "sdk"
    package.mkdir()
    (package / "__init__.py").write_text("from ._compat import reraise\n")
    (package / "_compat.py").write_text(
        "def reraise(tp, value, tb=None):\n"
        "    if value.__traceback__ is not tb:\n"
        "        raise value.with_traceback(tb)\n"
        "    raise value\n"
        "\n"
        "def log_error(value):\n"
        "    print(value)\n"
    )
    handler = package / "handler.py"
    text = (
        "import sys\n"
        "from . import reraise\n"
        "from ._compat import log_error\n"
        "\n"
        "def handle(event):\n"
        "    try:\n"
        "        result = event.process()\n"
        "    except Exception:\n"
        "        reraise(*sys.exc_info())\n"
        "    return result\n"
        "\n"
        "def logged(event):\n"
        "    try:\n"
        "        result = event.process()\n"
        "    except Exception as error:\n"
        "        log_error(error)\n"
        "    return result\n"
    )
    handler.write_text(text)
    findings = lint_source(text, str(handler), config_for(CODES))
    assert [(f.code, f.line) for f in findings] == [("INF102", 17)]
    assert "not bound if `event.process()` raises at line 14" in findings[0].message


def test_star_import_of_a_project_module_provides_only_its_names(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "settings.py").write_text("TIMEOUT = 5\n_PRIVATE = 1\n\ndef load():\n    return TIMEOUT\n")
    (tmp_path / "app" / "exported.py").write_text("__all__ = ['PUBLIC']\nPUBLIC = 1\nHIDDEN = 2\n")
    (tmp_path / "app" / "dynamic.py").write_text("for name in ('A', 'B'):\n    globals()[name] = 1\n")
    service = tmp_path / "app" / "service.py"
    text = (
        "from app.settings import *\n"
        "from .exported import *\n"
        "\n"
        "def handler():\n"
        "    return TIMEOUT, load(), PUBLIC, HIDDEN, _PRIVATE, missing\n"
    )
    service.write_text(text)
    findings = lint_source(text, str(service), config_for(CODES))
    assert sorted(f.message.split("`")[1] for f in findings) == ["HIDDEN", "_PRIVATE", "missing"]
    dynamic = "from .dynamic import *\n\ndef handler():\n    return A, missing\n"
    service.write_text(dynamic)
    assert lint_source(dynamic, str(service), config_for(CODES)) == []  # its names cannot be known
