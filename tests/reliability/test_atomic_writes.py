"""Fixes never damage files: a failed rename leaves the original, read-only files are reported, and a
file changed on disk between linting and fixing is left alone."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from infralint import cli
from infralint.commands import check
from infralint import safe_files

from ..conftest import run_infralint

# INF101 has a safe fix: add the missing standard-library import
NEEDS_IMPORT = "def elapsed(start):\n    return time.time() - start\n"
FIXED_PREFIX = "import time\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF101']\nrespect-gitignore = false\n")
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(NEEDS_IMPORT)
    return tmp_path


def run_in_process(project: Path, *args: str) -> tuple[int, str]:
    stderr = io.StringIO()
    cwd = os.getcwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["check", "--no-cache", "--jobs", "1", *args])
    finally:
        os.chdir(cwd)
    return code, stderr.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".infralint" in p.name and p.is_file())


def test_failure_before_the_rename_leaves_the_original(project, monkeypatch):
    def fail(tmp_name, target, folder_fd):
        assert (target.parent / tmp_name).read_text().startswith(FIXED_PREFIX)  # the new text was fully written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safe_files, "_replace", fail)
    code, stderr = run_in_process(project, "--fix")
    for name in ("a.py", "b.py", "c.py"):
        assert (project / name).read_text() == NEEDS_IMPORT
        assert f"{name}: not fixed: cannot write" in stderr
    assert leftovers(project) == []
    assert code == 1  # the findings remain; a write failure is not an internal error
    assert "Traceback" not in stderr


def test_interrupt_before_the_rename_leaves_the_original(project, monkeypatch):
    def interrupted(tmp_name, target, folder_fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(safe_files, "_replace", interrupted)
    code, stderr = run_in_process(project, "--fix")
    assert code == 2 and "interrupted" in stderr
    assert (project / "a.py").read_text() == NEEDS_IMPORT
    assert leftovers(project) == []


def test_the_rename_is_the_only_write(project, monkeypatch):
    """Until the rename, the original file is never opened for writing."""
    renamed = []
    real = safe_files._replace

    def watch(tmp_name, target, folder_fd):
        assert target.read_text() == NEEDS_IMPORT
        renamed.append(target.name)
        real(tmp_name, target, folder_fd)

    monkeypatch.setattr(safe_files, "_replace", watch)
    code, _ = run_in_process(project, "--fix")
    assert code == 0 and sorted(renamed) == ["a.py", "b.py", "c.py"]
    assert all((project / n).read_text().startswith(FIXED_PREFIX) for n in renamed)
    assert leftovers(project) == []


@pytest.mark.integration
def test_read_only_file_among_others(project):
    os.chmod(project / "b.py", 0o444)
    proc = run_infralint("check", "--fix", "--no-cache", "--format", "concise", cwd=project)
    stderr = proc.stderr.decode()
    assert proc.returncode == 1, stderr
    assert "b.py: not fixed: cannot write" in stderr and "Traceback" not in stderr
    assert (project / "b.py").read_text() == NEEDS_IMPORT
    assert (project / "a.py").read_text().startswith(FIXED_PREFIX)
    assert (project / "c.py").read_text().startswith(FIXED_PREFIX)
    assert leftovers(project) == []


def test_file_changed_between_lint_and_fix_is_not_overwritten(project, monkeypatch):
    edited = "def elapsed(start):\n    return time.monotonic() - start  # edited meanwhile\n"
    real_lint_files = check.lint_files

    def lint_then_edit(*args, **kwargs):
        results = list(real_lint_files(*args, **kwargs))
        (project / "b.py").write_text(edited)  # the editor saves while infralint is running
        return iter(results)

    monkeypatch.setattr(check, "lint_files", lint_then_edit)
    code, stderr = run_in_process(project, "--fix")
    assert (project / "b.py").read_text() == edited
    assert "b.py: changed on disk while being linted; not fixed" in stderr
    assert (project / "a.py").read_text().startswith(FIXED_PREFIX)
    assert code == 1
