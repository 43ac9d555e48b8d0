"""Started with standard output closed (`infralint check tree >&-`, a careless CI step): one line
on standard error and exit 2 before any work, unless the report goes to a file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ..conftest import infralint_command

pytestmark = pytest.mark.integration

CLEANUP_IMPORT = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"
CLOSED = "standard output is closed; nothing could be reported (use --output-file FILE)"


def run_closed(*args: str, cwd: Path, close_stderr: bool = False) -> subprocess.CompletedProcess:
    # `stdout=subprocess.DEVNULL` would leave a descriptor open: close fd 1 in the child instead
    closing = "exec 1>&-" + (" 2>&-" if close_stderr else "") + '; exec "$@"'
    return subprocess.run(["sh", "-c", closing, "sh", *infralint_command(), *args], cwd=cwd, stderr=subprocess.PIPE, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "db.py").write_text(CLEANUP_IMPORT)
    return tmp_path


@pytest.mark.parametrize("args", [["check", "."], ["check", "--fix", "."], ["check", "--format", "json", "."], ["rule", "INF201"], ["rules"]])
def test_a_closed_standard_output_is_one_line_and_exit_2(tree, args):
    proc = run_closed(*args, cwd=tree)
    assert proc.returncode == 2 and proc.stderr == f"infralint: error: {CLOSED}\n", proc.stderr
    assert (tree / "db.py").read_text() == CLEANUP_IMPORT  # nothing was fixed behind the error


def test_a_report_to_a_file_needs_no_standard_output(tree):
    proc = run_closed("check", "--format", "concise", "--output-file", "report.txt", ".", cwd=tree)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    assert (tree / "report.txt").read_text().startswith("db.py:5:9: INF201 ")


def test_closed_standard_output_and_error_still_exit_2(tree):
    assert run_closed("check", ".", cwd=tree, close_stderr=True).returncode == 2
