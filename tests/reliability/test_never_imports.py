"""Nothing from the linted code is ever imported or executed, astroid's cross-module constant
resolution included: each module here writes a marker file when imported, and none may appear."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infralint.analysis import project_modules
from infralint.engine import lint_files

from ..conftest import run_infralint
from .corpus import every_rule_config

TRAP = """\
import pathlib
pathlib.Path({marker!r}).write_text("imported {name}")
"""


def write_project(root: Path, marker: Path) -> list[Path]:
    def module(relative: str, body: str) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TRAP.format(marker=str(marker), name=relative) + body)
        return path

    return [
        module("app/__init__.py", ""),
        module("app/settings.py", "REDIS_TIMEOUT = 30\nHEALTH_BUDGET = 60\n\nclass Settings:\n    redis_timeout = 45\n"),
        module(
            "app/cache.py",
            "import redis\nfrom app.settings import REDIS_TIMEOUT, Settings\nfrom .settings import HEALTH_BUDGET\n\n"
            "client = redis.Redis(host='cache', socket_timeout=REDIS_TIMEOUT)\n"
            "other = redis.Redis(host='cache', socket_timeout=Settings.redis_timeout)\n\n"
            "def health():\n    try:\n        return client.ping()\n    finally:\n        import app.settings\n",
        ),
        module("conftest.py", "import pytest\n\n@pytest.fixture\ndef client():\n    return None\n"),
        module("tests/test_cache.py", "import app.cache\n\ndef test_ping():\n    assert app.cache.health() or True\n"),
        module("setup.py", "from setuptools import setup\nsetup(name='trap')\n"),
    ]


def test_linting_with_every_rule_imports_nothing(tmp_path):
    marker = tmp_path / "IMPORTED"
    files = write_project(tmp_path / "project", marker)
    modules_before = set(sys.modules)
    loads_before = project_modules.stats["modules_loaded"]

    results = list(lint_files(files, every_rule_config(tmp_path / "project"), jobs=1))

    assert not marker.exists(), marker.read_text()
    assert all(not r.errors for r in results), [r.errors for r in results]
    assert not {m for m in set(sys.modules) - modules_before if m.split(".")[0] in ("app", "settings", "conftest", "setup", "tests")}
    # the cross-module path really ran: the timeout was resolved from app/settings.py through astroid
    assert project_modules.stats["modules_loaded"] > loads_before
    codes = [f.code for r in results for f in r.findings]
    assert "INF301" in codes, codes


@pytest.mark.integration
@pytest.mark.parametrize("extra", [[], ["--fix", "--unsafe-fixes"], ["--diff", "--unsafe-fixes"]])
def test_the_installed_command_imports_nothing(tmp_path, extra):
    marker = tmp_path / "IMPORTED"
    project = tmp_path / "project"
    write_project(project, marker)
    (project / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF']\n")
    proc = run_infralint("check", "--no-cache", "--jobs", "2", *extra, ".", cwd=project)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert b"internal error" not in proc.stderr
    assert not marker.exists(), marker.read_text()
