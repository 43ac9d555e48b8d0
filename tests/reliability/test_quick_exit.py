"""The command leaves without the interpreter's teardown (`exits.leave`): nothing it owes the
outside world may be lost on the way — the whole report through a pipe, the exit code, a report
file, the cache, and what the workers of a parallel run found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import infralint_command

pytestmark = pytest.mark.integration

# one INF101 per function: in all, hundreds of kilobytes of JSON, many times a pipe's buffer
UNDEFINED = "".join(f"def handler_{i}():\n    return state_registry_{i}\n" for i in range(100))
MODULES = 40  # enough for a parallel run to start workers (`POOL_MIN_FILES`)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for k in range(MODULES):
        (tmp_path / f"module_{k}.py").write_text(UNDEFINED)
    return tmp_path


@pytest.mark.parametrize("command", [infralint_command, lambda: [sys.executable, "-m", "infralint"]], ids=["script", "python-m"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_whole_report_arrives_through_a_pipe_with_the_exit_code(tree, command, jobs):
    done = subprocess.run([*command(), "check", "--no-cache", "--jobs", jobs, "--format", "json", "."], cwd=tree, capture_output=True, timeout=300)
    assert done.returncode == 1, done.stderr.decode()
    assert len(done.stdout) > 256 * 1024  # larger than any pipe buffer: written while the reader reads
    findings = json.loads(done.stdout)
    assert len(findings) == MODULES * 100 and {f["code"] for f in findings} == {"INF101"}
    assert done.stderr == b""


def test_a_clean_run_exits_0_and_an_error_exits_2(tmp_path):
    (tmp_path / "ok.py").write_text("import time\n\nprint(time.time())\n")
    assert subprocess.run([*infralint_command(), "check", "--no-cache", "."], cwd=tmp_path, capture_output=True, timeout=120).returncode == 0
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\nselect = 7\n")
    bad = subprocess.run([*infralint_command(), "check", "--no-cache", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("infralint: error:"), bad.stderr


def test_the_report_file_and_the_cache_are_complete(tree):
    first = subprocess.run([*infralint_command(), "check", "--format", "json", "--output-file", "report.json", "."], cwd=tree, capture_output=True, timeout=300)
    assert first.returncode == 1, first.stderr
    report = json.loads((tree / "report.json").read_text())
    assert len(report) == MODULES * 100
    # a second run is served by the cache the first one wrote, and says the same
    second = subprocess.run([*infralint_command(), "check", "--format", "json", "."], cwd=tree, capture_output=True, timeout=300)
    assert json.loads(second.stdout) == report
