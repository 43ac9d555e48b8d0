"""Helpers for tests that drive real host programs (flake8, pre-commit, an LSP client)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from infralint.rules import rule_classes

from ..conftest import ROOT, require_integration_marker

#: what a source checkout needs to be installed (`pip install .`) and used as a pre-commit repo
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src", "lint_rules")


def venv_tool(name: str) -> str:
    """A console script installed next to the running interpreter (fails the test if missing)."""
    require_integration_marker(f"`{name}`")
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not installed in this environment (pip install '.[test]')")
    return found


def git(*args: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "infralint tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "infralint tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd),  # no user-level git config (hooks, signing) leaks in
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=path)
    return path


def commit_all(path: Path, message: str = "snapshot") -> None:
    git("add", "-A", cwd=path)
    git("commit", "-q", "--no-verify", "-m", message, cwd=path)


def snapshot_project(target: Path) -> Path:
    """The working tree of this project as a committed throwaway git repository.

    `pre-commit try-repo` on a checkout clones HEAD plus tracked changes only — never untracked
    files — so testing against a snapshot is the only way to test exactly the code on disk.
    """
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".infralint_cache")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    init_repo(target)
    commit_all(target, "project snapshot")
    return target


@dataclass(frozen=True)
class FixableCase:
    """A file with one finding that has a safe fix, for tests that drive a real host program."""

    code: str
    path: str  # where the file goes in a project (path-dependent rules look at it)
    text: str
    fixed_marker: str  # present only once the fix is applied

    def __str__(self) -> str:
        return self.code

    def require(self) -> None:
        """Host-program tests need the real rule; they run once it is implemented."""
        if self.code not in rule_classes():
            pytest.skip(f"{self.code} is not implemented yet")


FIXABLE_CASES = [
    # undefined name: the fix adds the missing import (the non-ASCII line checks column units)
    FixableCase(
        "INF101",
        "app/timing.py",
        'def elapsed(start):\n    label = "⏱ 😋"\n    return label, time.time() - start\n',
        "import time",
    ),
    # a commented-out service requirement above a test: the fix restores it
    FixableCase(
        "INF401",
        "tests/test_websocket.py",
        "from tests.helpers import require_docker_services\n\n\n"
        "# @require_docker_services()  # Temporarily disabled\n"
        "def test_golden_path(client):\n"
        '    assert client.connect("/ws/😋").accepted\n',
        "\n@require_docker_services()",
    ),
]
