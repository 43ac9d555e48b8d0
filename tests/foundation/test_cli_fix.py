"""`--fix`, `--unsafe-fixes` and `--diff` through the installed command, with real rules:
INF101 carries a safe fix (add a missing stdlib import), INF301 an unsafe one (lower a Redis timeout);
INF303 has none, and names lines of other files in its messages."""

from __future__ import annotations

import ast
import json
import os
import stat
from pathlib import Path

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

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


# -- what is reported after fixing: the fixed texts, and the findings whose fix was applied ---------

CHECKS = """import redis

client = redis.Redis(host="cache", socket_timeout=30)


def check_cache():
    started = time.time()
    client.ping()
    return time.time() - started
"""
HEALTH_ROUTE = """from fastapi import FastAPI

from app.checks import check_cache

app = FastAPI()


@app.get("/health")
def health():
    check_cache()
    return {"ok": True}
"""
HEALTH_IN_ONE_FILE = """import redis
from fastapi import FastAPI

app = FastAPI()
client = redis.Redis(host="cache", socket_timeout=30)


@app.get("/health")
def health():
    started = time.time()
    client.ping()
    return {"ok": True, "took": time.time() - started}
"""


def service(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF101', 'INF301', 'INF303']\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "no-cache"])
def test_findings_left_after_fixing_carry_the_fixed_positions_of_every_file(tmp_path, cache):
    root = service(tmp_path, {"app/__init__.py": "", "app/checks.py": CHECKS, "app/main.py": HEALTH_ROUTE})
    before = run_infralint("check", "--format", "concise", *cache, cwd=root).stdout.decode()
    assert "via `check_cache` (app/checks.py:6)" in before and "socket_timeout, line 8)" in before
    fixed = run_infralint("check", "--fix", "--format", "concise", *cache, cwd=root)
    assert fixed.returncode == 1 and (root / "app/checks.py").read_text().startswith("import time\n")
    out = fixed.stdout.decode()
    # the import on top of checks.py moved its lines down by two: the finding left there, and the
    # one in main.py that names checks.py's lines, both say where things are now
    assert "app/checks.py:5:51: INF301" in out
    assert "via `check_cache` (app/checks.py:8)" in out and "socket_timeout, line 10)" in out
    assert out == run_infralint("check", "--format", "concise", "--no-cache", cwd=root).stdout.decode()


LIVE_ROUTE = """from fastapi import FastAPI
from redis.asyncio import Redis

app = FastAPI()
redis_client = Redis(host="redis", socket_timeout=30.0)


@app.get("/health/live")
async def live():
    started = time.monotonic()
    await redis_client.ping()
    return {"status": "alive", "took": time.monotonic() - started}
"""
LIVENESS_PROBE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.0
          livenessProbe:
            httpGet:
              path: /health/live
              port: 8000
            timeoutSeconds: 5
"""


def test_a_configuration_finding_names_the_fixed_lines_of_the_handler(tmp_path):
    """The liveness probe's findings sit in the YAML file and name the handler's lines in Python;
    fixing the handler's file (an import on top) moves those lines."""
    root = service(tmp_path, {"app/health.py": LIVE_ROUTE, "deploy/api.yaml": LIVENESS_PROBE})
    (root / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF101', 'INF603', 'INF604']\n")
    before = run_infralint("check", "--format", "json", "--no-cache", cwd=root).stdout.decode()
    # the handler's line and its awaited ping, before fixing
    assert "socket_timeout, line 11), app/health.py:9)" in before and "(Redis) at app/health.py:11:" in before
    fixed = run_infralint("check", "--fix", "--format", "json", "--no-cache", cwd=root)
    assert (root / "app/health.py").read_text().startswith("import time\n")
    messages = " | ".join(f["message"] for f in json.loads(fixed.stdout))
    assert "socket_timeout, line 13), app/health.py:11)" in messages and "(Redis) at app/health.py:13:" in messages
    assert "time` is not defined" not in messages
    assert fixed.stdout == run_infralint("check", "--format", "json", "--no-cache", cwd=root).stdout


@pytest.mark.parametrize(
    "options, said",
    [
        ([], "Fixed 3 findings.\n"),
        (["--statistics"], "Fixed 3 findings.\n"),
        (["--show-fixes"], "Fixed 3 findings:\n- app/health.py:\n    2 × INF101 (undefined-name)\n    1 × INF301 (redis-timeout-too-long)\n"),
    ],
    ids=["text", "statistics", "show-fixes"],
)
def test_fixed_counts_the_findings_whose_fix_was_applied(tmp_path, options, said):
    """Two INF101 findings share the one import that fixes both, INF301's fix lowers the timeout:
    two edits, three findings fixed. INF303 goes away with the lower timeout, but it had no fix
    of its own: it is not counted."""
    root = service(tmp_path, {"app/health.py": HEALTH_IN_ONE_FILE})
    done = run_infralint("check", "--fix", "--unsafe-fixes", "--no-cache", *options, cwd=root)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert said in done.stdout.decode()
    assert "INF303" not in done.stdout.decode()
