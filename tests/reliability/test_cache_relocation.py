"""The result cache is relocatable: a tree moved (or restored by CI on another runner and path)
together with its `.infralint_cache/` is served from it, file for file, with the same findings.

And runners share the key that signs it through `INFRALINT_CACHE_KEY`, never through the tree.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from infralint import cache as cache_module
from infralint import cli
from infralint.cache import CACHE_DIR_NAME, decode_cache_file, encode_cache_file
from infralint.cache_key import KEY_VARIABLE, _derived_key

from ..conftest import run_infralint
from ..readme_snippets import the_snippet
from ..project.cache_service import CONFIG, FILES

MODULES = 12
SECRET = "0123456789abcdef" * 4

CLIENT_MODULE = '''\
from redis.asyncio import Redis

from .settings import REDIS_TIMEOUT
from .module_{previous} import helper_{previous}


client_{n} = Redis(host="redis", socket_timeout=REDIS_TIMEOUT)


def helper_{n}():
    return helper_{previous}()


def close_{n}(conn):
    try:
        conn.close()
    finally:
        import logging
'''


def _service(root: Path) -> list[str]:
    """The cross-file service of the property test, plus a chain of modules that import each other
    and the settings; returns the names of its Python files."""
    (root / "pyproject.toml").write_text(CONFIG)
    for path, (versions, present) in FILES.items():
        if present:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(versions[0])
    for n in range(MODULES):
        (root / "app" / f"module_{n}.py").write_text(CLIENT_MODULE.format(n=n, previous=(n - 1) % MODULES))
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and CACHE_DIR_NAME not in p.parts)


@pytest.fixture
def caches(monkeypatch) -> list:
    """Every ResultCache a run makes (its `hits` and `relinted` say what it served)."""
    made: list = []
    real_init = cache_module.ResultCache.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(cache_module.ResultCache, "__init__", init)
    return made


def _check_here(root: Path, monkeypatch) -> list:
    """`infralint check --format json .` in this process, from `root`."""
    monkeypatch.chdir(root)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["check", "--format", "json", "--jobs", "1", "."])
    assert code == 1, out.getvalue()
    return json.loads(out.getvalue())


def test_a_tree_moved_with_its_cache_is_a_warm_hit_for_every_file(tmp_path, monkeypatch, caches):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    first = tmp_path / "runner-1" / "work" / "svc"
    first.mkdir(parents=True)
    files = _service(first)
    cold = _check_here(first, monkeypatch)
    assert {f["code"] for f in cold} >= {"INF201", "INF301", "INF303", "INF501", "INF603"}

    moved = tmp_path / "elsewhere" / "checkout"
    moved.parent.mkdir()
    shutil.move(first, moved)  # the tree and its .infralint_cache/ together
    caches.clear()
    warm = _check_here(moved, monkeypatch)

    assert warm == cold
    assert sum(c.misses for c in caches) == 0
    assert sum(c.hits for c in caches) >= len([name for name in files if name.endswith(".py")])
    assert sum(c.relinted for c in caches) == 0


def test_entries_name_no_absolute_path(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, SECRET)
    root = tmp_path / "svc"
    root.mkdir()
    _service(root)
    _check_here(root, monkeypatch)
    (cache_file,) = (root / CACHE_DIR_NAME).glob("*.json")
    assert str(tmp_path).encode() not in cache_file.read_bytes()
    entries = decode_cache_file(_derived_key(SECRET), cache_file.name, cache_file.read_bytes())
    assert any(entry.get("deps") for entry in entries.values())  # cross-file findings record them


@pytest.mark.integration
def test_runners_sharing_the_secret_trust_each_others_cache(tmp_path):
    """Two runners (their own home folders, their own paths) with the same INFRALINT_CACHE_KEY: the
    second is served what the first stored; one without the secret never is."""
    first = tmp_path / "runner-1" / "svc"
    first.mkdir(parents=True)
    _service(first)
    runner_1 = {"XDG_CACHE_HOME": str(tmp_path / "home-1"), KEY_VARIABLE: SECRET}
    cold = run_infralint("check", "--format", "json", ".", cwd=first, env=runner_1)
    assert cold.returncode == 1, cold.stderr.decode()

    # mark one stored finding (signed with the shared key, as infralint would): whoever reports the
    # mark was served from the cache
    (cache_file,) = (first / CACHE_DIR_NAME).glob("*.json")
    key = _derived_key(SECRET)
    entries = decode_cache_file(key, cache_file.name, cache_file.read_bytes())
    entries["app/pool.py"]["findings"][0]["message"] = "served from the restored cache"
    cache_file.write_bytes(encode_cache_file(key, cache_file.name, entries))

    restored = tmp_path / "runner-2" / "checkout" / "svc"
    restored.parent.mkdir(parents=True)
    shutil.copytree(first, restored)  # actions/cache on another runner: new path, inodes and times
    runner_2 = {"XDG_CACHE_HOME": str(tmp_path / "home-2"), KEY_VARIABLE: SECRET}
    warm = run_infralint("check", "--format", "json", ".", cwd=restored, env=runner_2)
    assert warm.returncode == 1 and "served from the restored cache" in warm.stdout.decode()

    other = run_infralint("check", "--format", "json", ".", cwd=restored, env={"XDG_CACHE_HOME": str(tmp_path / "home-3")})
    assert other.returncode == 1 and "served from the restored cache" not in other.stdout.decode()
    assert json.loads(other.stdout) == json.loads(cold.stdout)


@pytest.mark.integration
def test_a_short_secret_is_refused_and_the_run_goes_on(tmp_path):
    root = tmp_path / "svc"
    root.mkdir()
    _service(root)
    proc = run_infralint("check", "--format", "concise", ".", cwd=root, env={KEY_VARIABLE: "secret", "XDG_CACHE_HOME": str(tmp_path / "home")})
    assert proc.returncode == 1 and "app/pool.py" in proc.stdout.decode()
    assert f"{KEY_VARIABLE}: shorter than 32 characters" in proc.stderr.decode()
    assert not (root / CACHE_DIR_NAME).exists()


def test_the_documented_ci_jobs_share_the_cache_folder_and_the_key():
    """docs/cache.md's GitHub and GitLab jobs restore `.infralint_cache/` and give the linting step
    the shared secret: without it, a restored cache is never trusted."""
    import yaml

    github = yaml.safe_load(the_snippet("yaml", "actions/cache", "docs/cache.md").text)
    steps = github["jobs"]["infralint"]["steps"]
    (restore,) = [s for s in steps if s.get("uses", "").startswith("actions/cache")]
    assert restore["with"]["path"] == CACHE_DIR_NAME
    (lint,) = [s for s in steps if s.get("run", "").startswith("infralint check")]
    assert lint["env"][KEY_VARIABLE].startswith("${{ secrets.")
    gitlab = yaml.safe_load(the_snippet("yaml", "gitlab", "docs/cache.md").text)["infralint"]
    assert gitlab["cache"]["paths"] == [CACHE_DIR_NAME + "/"] and KEY_VARIABLE in gitlab["variables"]
    assert any(line.startswith("infralint check") for line in gitlab["script"])
