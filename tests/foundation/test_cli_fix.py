"""`--fix`, `--unsafe-fixes` and `--diff` through the installed command, with real rules:
INF101 carries a safe fix (add a missing stdlib import), INF301 an unsafe one (lower a Redis timeout)."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from ..conftest import run_infralint

TIMING = "def elapsed(start):\n    return time.time() - start\n"
CACHE = "import redis\n\nclient = redis.Redis(host='cache', socket_timeout=30, socket_connect_timeout=2)\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF101', 'INF301']\n")
    (tmp_path / "timing.py").write_text(TIMING)
    (tmp_path / "cache.py").write_text(CACHE)
    os.chmod(tmp_path / "timing.py", 0o640)
    return tmp_path


def codes(proc) -> list[str]:
    return [line.split()[1] for line in proc.stdout.decode().splitlines() if ": INF" in line]


def test_diff_shows_safe_fixes_and_writes_nothing(project):
    proc = run_infralint("check", "--diff", "--no-cache", cwd=project)
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "+++ b/timing.py" in out and "+import time" in out
    assert "cache.py" not in out  # unsafe fixes need --unsafe-fixes
    assert (project / "timing.py").read_text() == TIMING


def test_diff_with_unsafe_fixes(project):
    out = run_infralint("check", "--diff", "--unsafe-fixes", "--no-cache", cwd=project).stdout.decode()
    assert "-client = redis.Redis(host='cache', socket_timeout=30" in out
    assert "+client = redis.Redis(host='cache', socket_timeout=5" in out


def test_fix_applies_safe_fixes_only_and_keeps_the_mode(project):
    proc = run_infralint("check", "--fix", "--no-cache", "--format", "concise", cwd=project)
    assert proc.returncode == 1  # the unsafe INF301 finding remains
    fixed = (project / "timing.py").read_text()
    assert fixed == "import time\n\n\ndef elapsed(start):\n    return time.time() - start\n"
    ast.parse(fixed)
    assert stat.S_IMODE((project / "timing.py").stat().st_mode) == 0o640
    assert (project / "cache.py").read_text() == CACHE
    assert codes(proc) == ["INF301"]
    again = run_infralint("check", "--fix", "--no-cache", cwd=project)
    assert (project / "timing.py").read_text() == fixed and again.returncode == 1


def test_unsafe_fixes_then_clean(project):
    proc = run_infralint("check", "--fix", "--unsafe-fixes", "--no-cache", cwd=project)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert "socket_timeout=5" in (project / "cache.py").read_text()
    assert "Fixed 2 findings" in proc.stdout.decode()
    second = run_infralint("check", "--fix", "--unsafe-fixes", "--no-cache", cwd=project)
    assert second.returncode == 0 and "Fixed" not in second.stdout.decode()


def test_stdin_fix_prints_the_fixed_source(project):
    proc = run_infralint("check", "--fix", "--stdin-filename", "timing.py", stdin=TIMING, cwd=project)
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("import time\n") and "time.time()" in proc.stdout.decode()
    assert (project / "timing.py").read_text() == TIMING


def test_read_only_file_is_reported_not_crashed_on(project):
    os.chmod(project / "timing.py", 0o440)
    proc = run_infralint("check", "--fix", "--no-cache", cwd=project)
    assert proc.returncode == 1 and "cannot write" in proc.stderr.decode()
    assert (project / "timing.py").read_text() == TIMING
