"""Syntax is judged against the Python the project targets, not the one running infralint.

The target is read from ruff's `target-version`, `[project] requires-python` or `.python-version`.
A file written for a newer Python the target allows (PEP 695 generics, PEP 701 f-strings…) is
recognised with LibCST's parser, which knows the newer grammar: it is never reported as a syntax
error, the run notes once per file that it was not analysed here, and every other file is linted
as usual. Syntax newer than the target is an INF001 that names the construct and the target."""

from __future__ import annotations

import sys

import pytest

from infralint.config import find_requires_python, load_config, parse_requires_python
from infralint.engine import Linter
from infralint.newer_syntax import UNRECOGNISED, newer_syntax

from ..conftest import run_infralint

RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"
# PEP 695 and PEP 701 parse from Python 3.12: these tests need an interpreter that cannot
needs_older_python = pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python parses PEP 695/701 syntax")

GENERIC = "def first[T](items: list[T]) -> T:\n    return items[0]\n"
NESTED_QUOTES = 'settings = {"name": "api"}\nbanner = f"{settings["name"]}"\n'
UNDEFINED = "def handler():\n    return missing_name\n"


@pytest.mark.parametrize(
    "spec, bound",
    [
        (">=3.12", (3, 12)),
        (">= 3.10, <4", (3, 10)),
        ("~=3.11.2", (3, 11)),
        ("==3.12.*", (3, 12)),
        (">3.9,>=3.11", (3, 11)),
        ("<4", None),
        ("", None),
    ],
)
def test_lower_bound_of_requires_python(spec, bound):
    assert parse_requires_python(spec) == bound


@pytest.mark.parametrize(
    "name, text, target",
    [
        ("ruff.toml", 'target-version = "py313"\n', (3, 13)),
        (".ruff.toml", 'target-version = "py39"\n', (3, 9)),
        ("pyproject.toml", '[tool.ruff]\ntarget-version = "py312"\n', (3, 12)),
        ("pyproject.toml", '[project]\nname = "p"\nrequires-python = ">=3.10"\n', (3, 10)),
        (".python-version", "3.13.1\n", (3, 13)),
        (".python-version", "pypy3.10\n", (3, 10)),
        (".python-version", "system\n", None),
        ("setup.cfg", "[metadata]\nname = p\n", None),
    ],
)
def test_the_target_python_is_read_from_each_place_projects_state_it(tmp_path, name, text, target):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    assert find_requires_python(tmp_path / "pkg") == target


def test_ruffs_target_version_wins_in_one_folder_and_the_nearest_folder_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\nrequires-python = ">=3.9"\n\n[tool.ruff]\ntarget-version = "py313"\n', encoding="utf-8"
    )
    (tmp_path / ".python-version").write_text("3.10\n", encoding="utf-8")
    assert find_requires_python(tmp_path) == (3, 13)
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / ".python-version").write_text("3.12\n", encoding="utf-8")
    assert find_requires_python(tmp_path / "service") == (3, 12)


@pytest.mark.parametrize(
    "text, needs",
    [
        ("type Vector = list[float]\n", (3, 12)),
        (GENERIC, (3, 12)),
        ("class Box[T]:\n    item: T\n", (3, 12)),
        ("def f[T = int]() -> T: ...\n", (3, 13)),
        (NESTED_QUOTES, (3, 12)),
        ('lines = ["a", "b"]\ntext = f"{"\\n".join(lines)}"\n', (3, 12)),
        ('t = t"{x}"\n', (3, 14)),
        ("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", (3, 14)),
        # look-alikes every Python 3 accepts: nothing newer in them
        ("banner = f\"{settings['name']}\"\n", UNRECOGNISED),
        ("try:\n    pass\nexcept (ValueError, TypeError):\n    pass\n", UNRECOGNISED),
        ("T = list[int]\n", UNRECOGNISED),
    ],
)
def test_newer_constructs_are_named_with_the_python_they_need(text, needs):
    found = newer_syntax(text)
    assert found is not None and found.needs == needs
    assert (found.feature != "") == (needs != UNRECOGNISED)


@pytest.mark.parametrize("text", ["def f(:\n", "f() = 1\n", "print 'hello'\n"])
def test_what_no_python_parses_is_not_newer_syntax(text):
    assert newer_syntax(text) is None


def project(tmp_path, target_line: str | None):
    if target_line is not None:
        (tmp_path / "ruff.toml").write_text(f"{target_line}\n", encoding="utf-8")
    return Linter(load_config(start=tmp_path))


@needs_older_python
@pytest.mark.parametrize("text", [GENERIC, NESTED_QUOTES])
@pytest.mark.parametrize("target_line", ['target-version = "py313"', None])
def test_syntax_valid_for_the_target_is_a_notice_not_a_finding(tmp_path, text, target_line):
    result = project(tmp_path, target_line).lint_text(text, str(tmp_path / "new.py"))
    assert result.findings == []
    [note] = result.errors
    assert note.startswith(f"note: {tmp_path / 'new.py'} needs Python ≥ 3.12 (")
    assert f"Python {RUNNING} cannot parse it, so it was not analysed" in note
    assert "SyntaxError" not in note and "import" not in note


@needs_older_python
def test_syntax_newer_than_the_target_is_a_finding_naming_both(tmp_path):
    [finding] = project(tmp_path, 'target-version = "py311"').lint_text(GENERIC, str(tmp_path / "new.py")).findings
    assert (finding.code, finding.line) == ("INF001", 1)
    assert finding.message == (
        "uses Python 3.12 syntax (type parameters, PEP 695) but the project targets Python 3.11: "
        "importing it there raises SyntaxError"
    )


@pytest.mark.parametrize("target_line", ['target-version = "py313"', 'target-version = "py38"', None])
def test_a_syntax_error_in_every_python_keeps_its_wording(tmp_path, target_line):
    result = project(tmp_path, target_line).lint_text("def f(:\n", str(tmp_path / "new.py"))
    [finding] = result.findings
    assert finding.message == "file does not parse: invalid syntax; importing it raises SyntaxError"
    assert result.errors == []


@pytest.mark.integration
@needs_older_python
def test_cli_notes_each_newer_file_once_and_lints_the_rest(tmp_path):
    (tmp_path / "ruff.toml").write_text('target-version = "py313"\n', encoding="utf-8")
    (tmp_path / "generic.py").write_text(GENERIC, encoding="utf-8")
    (tmp_path / "fstrings.py").write_text(NESTED_QUOTES, encoding="utf-8")
    (tmp_path / "handler.py").write_text(UNDEFINED, encoding="utf-8")
    done = run_infralint("check", "--no-cache", "--format", "concise", cwd=tmp_path)
    findings = done.stdout.decode().splitlines()
    assert done.returncode == 1 and len(findings) == 1 and "handler.py:2:12: INF101" in findings[0]
    notes = sorted(line for line in done.stderr.decode().splitlines() if line.startswith("infralint: note:"))
    assert [note.split(" needs ")[0] for note in notes] == ["infralint: note: fstrings.py", "infralint: note: generic.py"]
    (tmp_path / "handler.py").unlink()
    assert run_infralint("check", "--no-cache", "--format", "concise", cwd=tmp_path).returncode == 0


TYPE_CHECKING_ANNOTATION = (
    "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.models import Event\n\n\n"
    "def matches(event: Event) -> bool:\n    return True\n"
)


@pytest.mark.parametrize("target, codes", [('target-version = "py314"', []), ('target-version = "py313"', ["INF101"]), (None, ["INF101"])])
def test_annotations_are_lazy_for_a_project_targeting_python_3_14(tmp_path, target, codes):
    """PEP 649: from Python 3.14 a definition no longer evaluates its annotations, so a name
    imported only for type checkers is no NameError there."""
    linter = project(tmp_path, target)
    path = tmp_path / "events.py"
    path.write_text(TYPE_CHECKING_ANNOTATION, encoding="utf-8")
    findings = linter.lint_text(TYPE_CHECKING_ANNOTATION, str(path)).findings
    assert [f.code for f in findings] == codes


@pytest.mark.integration
def test_each_service_of_a_monorepo_is_judged_by_its_own_target(tmp_path):
    """The target is read from the folders above each file, below the configuration root too."""
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    service = tmp_path / "server"
    service.mkdir()
    (service / ".python-version").write_text("3.14\n", encoding="utf-8")
    (service / "events.py").write_text(TYPE_CHECKING_ANNOTATION, encoding="utf-8")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "events.py").write_text(TYPE_CHECKING_ANNOTATION, encoding="utf-8")
    done = run_infralint("check", "--no-cache", "--format", "concise", "--select", "INF101", cwd=tmp_path)
    reported = sorted({line.split(":")[0] for line in done.stdout.decode().splitlines() if "INF101" in line})
    assert reported == ["tools/events.py"]


@pytest.mark.integration
def test_a_warm_run_sees_a_sub_projects_target_change(tmp_path):
    """The result cache is keyed by the configuration's target; a sub-project's own target (here
    `.python-version` files below the root) is checked for each cached file, so editing, adding
    or deleting one gives what a run without the cache gives."""
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    for service in ("server", "tools"):
        (tmp_path / service).mkdir()
        (tmp_path / service / "events.py").write_text(TYPE_CHECKING_ANNOTATION, encoding="utf-8")
    (tmp_path / "server" / ".python-version").write_text("3.14\n", encoding="utf-8")

    def reported(*extra: str) -> list[str]:
        done = run_infralint("check", *extra, "--format", "concise", "--select", "INF101", cwd=tmp_path)
        return sorted({line.split(":")[0] for line in done.stdout.decode().splitlines() if "INF101" in line})

    assert reported() == ["tools/events.py"]  # fills the cache
    edits = [
        lambda: (tmp_path / "server" / ".python-version").write_text("3.13\n", encoding="utf-8"),
        lambda: (tmp_path / "tools" / "ruff.toml").write_text('target-version = "py314"\n', encoding="utf-8"),
        lambda: (tmp_path / "server" / ".python-version").unlink(),
        lambda: (tmp_path / "tools" / "ruff.toml").unlink(),
    ]
    expected = [["server/events.py", "tools/events.py"], ["server/events.py"], ["server/events.py"], ["server/events.py", "tools/events.py"]]
    for edit, wanted in zip(edits, expected):
        edit()
        assert reported() == reported("--no-cache") == wanted
