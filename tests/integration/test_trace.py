"""`infralint trace`: the installed command on a multi-module project, as text and JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import ROOT, run_infralint

pytestmark = pytest.mark.integration

CHAIN = ROOT / "tests" / "rules" / "timeouts" / "fixtures" / "cross_module" / "redis_chain"


def _project(tmp_path: Path) -> Path:
    copy = tmp_path / "svc"
    shutil.copytree(CHAIN, copy)
    return copy


def test_trace_prints_the_route_tree(tmp_path):
    done = run_infralint("trace", "/api/health/ready", "--no-cache", cwd=_project(tmp_path))
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    lines = out.splitlines()
    assert lines[0] == "GET /api/health/ready app/routes.py:9 — worst case unbounded (health budget 5 s)"
    assert "├── mounted at `/api` from `app.main.app` app/main.py:6" in lines
    assert any(line.endswith("`app.prerequisites.redis_health_status` (called at app/routes.py:11) app/prerequisites.py:7 — worst case unbounded") for line in lines)
    assert any("`ping` (line 8) on the redis client `app.redis_manager.client` built with `redis.asyncio.Redis.from_url` app/redis_manager.py:7 — worst case unbounded" in line for line in lines)
    assert "no socket_timeout: waits forever on a stalled server" in out


def test_trace_json_by_handler_name(tmp_path):
    done = run_infralint("trace", "app.routes.deep", "--format", "json", "--no-cache", cwd=_project(tmp_path))
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    (route,) = payload["routes"]
    assert (route["label"], route["file"], route["line"], route["worst_case"]) == ("GET /api/health/deep", "app/routes.py", 20, "unbounded")
    handler = route["children"][1]
    assert handler["label"] == "`app.routes.deep`"
    (callee,) = handler["children"]
    (client,) = callee["children"]
    assert (client["kind"], client["file"], client["line"]) == ("client", "app/redis_manager.py", 7)


def test_trace_of_an_unknown_route_lists_the_known_ones(tmp_path):
    done = run_infralint("trace", "GET /nope", "--no-cache", cwd=_project(tmp_path))
    assert done.returncode == 1
    err = done.stderr.decode()
    assert "no route of the 6 linted files serves GET /nope" in err
    assert "known routes: GET /api/health/deep, GET /api/health/live, GET /api/health/ready" in err
