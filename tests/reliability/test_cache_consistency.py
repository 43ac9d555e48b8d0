"""Warm runs report what `--no-cache` runs report after the edits that used to fool the cache: a file
that briefly does not parse, a lookup that found nothing until a route was renamed into place, a run
over part of the tree in between, a module that could not be read. (The property test in
tests/project/test_cache_property.py searches random edit sequences for more.)"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import pytest

from infralint import cli
from infralint.cache import ResultCache

from ..conftest import run_infralint
from ..project.cache_service import BROKEN_PY, CONFIG, FILES, HEALTH, PROBES, SETTINGS


@pytest.fixture
def service(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    for path, (versions, present) in FILES.items():
        if present:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(versions[0])
    monkeypatch.chdir(root)
    return root


def _check(*args: str) -> list[tuple[str, str, str]]:
    """`infralint check --format json ARGS` in this process: (code, path, message) of each finding."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli.main(["check", "--format", "json", "--jobs", "1", *args])
    return sorted((f["code"], f["path"], f["message"]) for f in json.loads(out.getvalue()))


def _warm_equals_cold(named: str = ".") -> list[tuple[str, str, str]]:
    warm = _check(named)
    assert warm == _check("--no-cache", named)
    return warm


def _codes(findings) -> set[tuple[str, str]]:
    return {(code, path) for code, path, _ in findings}


def test_a_handler_that_briefly_did_not_parse_gets_its_probe_finding_back(service):
    assert ("INF603", "deploy/api.yaml") in _codes(_warm_equals_cold())
    health = service / "app" / "health.py"
    health.write_text(HEALTH[0] + BROKEN_PY)
    assert ("INF603", "deploy/api.yaml") not in _codes(_warm_equals_cold())
    health.write_text(HEALTH[0])
    assert ("INF603", "deploy/api.yaml") in _codes(_warm_equals_cold())


def test_a_route_renamed_into_place_is_found_by_the_probe(tmp_path, monkeypatch):
    """One handler module and its probe: while the route has another path, the probe's lookup finds
    nothing and records no dependency on the handler's file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "app").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "deploy" / "api.yaml").write_text(PROBES[0])
    handler = tmp_path / "app" / "main.py"
    live = HEALTH[0].replace("from .settings import REDIS_TIMEOUT", "REDIS_TIMEOUT = 30").replace("APIRouter", "FastAPI")
    monkeypatch.chdir(tmp_path)
    for text, probed in ((live, True), (live.replace("/health/live", "/health/other"), False), (live, True)):
        handler.write_text(text)
        assert (("INF603", "deploy/api.yaml") in _codes(_warm_equals_cold())) is probed


def test_settings_that_briefly_did_not_parse_refresh_the_timeout_messages(service):
    settings = service / "app" / "settings.py"
    settings.write_text(BROKEN_PY)
    broken = _warm_equals_cold()
    assert not any("30.0 s" in message for code, path, message in broken if path == "app/health.py")
    settings.write_text(SETTINGS[0])
    fixed = _warm_equals_cold()
    assert any(code == "INF303" and "30.0 s" in message for code, path, message in fixed if path == "app/health.py")


def test_a_run_over_part_of_the_tree_does_not_leave_the_rest_stale(service):
    probe = service / "deploy" / "api.yaml"
    probe.write_text(PROBES[1])  # probes /api/health/live: the health check's lookup finds no probe
    before = _warm_equals_cold()
    probe.write_text(PROBES[0])  # now it probes the handler
    _check("deploy")  # lints the probe's folder only: the handler's entry stays as joined before
    after = _warm_equals_cold()
    handler = [m for c, p, m in after if (c, p) == ("INF303", "app/health.py")]
    assert handler and "livenessProbe deadline" in handler[0]
    assert handler != [m for c, p, m in before if (c, p) == ("INF303", "app/health.py")]


def test_runs_over_part_of_the_tree_see_the_other_files_change(service):
    """The files a run does not report still make its project: the probe's answer follows them."""
    main = service / "app" / "main.py"
    _check(".")
    main.write_bytes(b"\xff\xfe not text")  # no facts: the health router is included nowhere
    _warm_equals_cold("deploy")
    main.write_text(FILES["app/main.py"][0][1])  # included under /api: the probe's path is served no more
    assert ("INF603", "deploy/api.yaml") not in _codes(_warm_equals_cold("deploy"))


def test_a_subfolder_run_shows_paths_as_a_run_without_cache_does(service, monkeypatch):
    _warm_equals_cold()
    monkeypatch.chdir(service / "app")
    assert _check("..") == _check("--no-cache", "..")
    assert _check(".") == _check("--no-cache", ".")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the note is about a Python older than 3.12")
def test_a_file_in_newer_syntax_is_served_with_its_note(tmp_path, monkeypatch):
    """Its note depends on its bytes and the interpreter alone: stored, and said again when served,
    instead of linting the file on every run."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.12"\n\n[tool.infralint]\n')
    (tmp_path / "aliases.py").write_text("type Pair = tuple[int, int]\n")
    (tmp_path / "plain.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    served = []
    real_lookup = ResultCache.lookup

    def lookup(self, *args, **kwargs):
        found = real_lookup(self, *args, **kwargs)
        served.append(found is not None)
        return found

    monkeypatch.setattr(ResultCache, "lookup", lookup)
    runs = []
    for _ in range(2):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            cli.main(["check", "--format", "json", "--jobs", "1", "."])
        runs.append(err.getvalue())
    assert "aliases.py needs Python ≥ 3.12" in runs[0]
    assert runs[1] == runs[0]
    assert served[-2:] == [True, True]



@pytest.mark.integration
def test_deleting_a_package_marker_renames_the_modules_below_it(service):
    """`app/__init__.py` is read by no rule, yet it makes `ws.py` the module `app.ws`: without it
    the modules' names, and the joins made through them, change. (Separate processes: a process
    remembers which folders are packages.)"""
    env = {"XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}

    def runs() -> tuple:
        warm, cold = (run_infralint("check", "--format", "json", *extra, ".", cwd=service, env=env) for extra in ((), ("--no-cache",)))
        return json.loads(warm.stdout), json.loads(cold.stdout)

    runs()
    (service / "app" / "__init__.py").unlink()
    warm, cold = runs()
    assert warm == cold
