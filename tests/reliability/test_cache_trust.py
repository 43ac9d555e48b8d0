"""A result cache is trusted only when this user's infralint wrote it.

A tree can ship `.infralint_cache/` (committed, or left in a CI artifact). Its file names are
predictable, so a forged file could say `findings: []` and pass the gate, carry fix edits that
reports emit, name a FIFO or `/dev/zero` as a dependency, or hold values of the wrong type.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from infralint.cache import CACHE_DIR_NAME, encode_cache_file
from infralint.cache_key import KEY_FILE_NAME

from ..conftest import run_infralint

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners, modes and FIFOs"), pytest.mark.integration]

FINDING = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".infralint.toml").write_text("")
    (tree / "app.py").write_text(FINDING)
    return tree


@pytest.fixture
def key_home(tmp_path: Path) -> dict:
    """A private cache-key folder for this test's runs."""
    return {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}


def _run(tree: Path, env: dict, *args: str):
    return run_infralint("check", "--format", "concise", *args, ".", cwd=tree, env=env)


def _cache_file(tree: Path) -> Path:
    (found,) = (tree / CACHE_DIR_NAME).glob("*.json")
    return found


def _key(env: dict) -> bytes:
    return (Path(env["XDG_CACHE_HOME"]) / "infralint" / KEY_FILE_NAME).read_bytes()


def _forge(tree: Path, env: dict, change) -> None:
    """Rewrite the cache's entries with `change`, then sign them with this user's own key (as only
    infralint could): what remains is the check of every field."""
    cache_file = _cache_file(tree)
    raw = cache_file.read_bytes()
    entries = json.loads(raw)["entries"]
    for key, entry in entries.items():
        change(key, entry)
    cache_file.write_bytes(encode_cache_file(_key(env), cache_file.name, entries))


def _assert_linted(proc) -> None:
    assert proc.returncode == 1, proc.stdout.decode() + proc.stderr.decode()
    assert any(line.startswith("app.py:5:") for line in proc.stdout.decode().splitlines())


def test_a_cache_shipped_with_the_tree_is_not_trusted(tree, key_home, tmp_path):
    # the attacker's own run, with the attacker's key, on a copy of the tree
    attacker = {"XDG_CACHE_HOME": str(tmp_path / "attacker-cache")}
    _assert_linted(_run(tree, attacker))
    _forge(tree, attacker, lambda key, entry: entry.update(findings=[]))
    assert _run(tree, attacker).returncode == 0  # the attacker's own key would accept it…
    _assert_linted(_run(tree, key_home))  # …this user's does not


def test_a_plain_json_cache_is_not_trusted(tree, key_home):
    _assert_linted(_run(tree, key_home))
    cache_file = _cache_file(tree)
    entries = json.loads(cache_file.read_bytes())["entries"]
    for entry in entries.values():
        entry["findings"] = []
    for forged in (entries, {"mac": "0" * 64, "entries": entries}):
        cache_file.write_text(json.dumps(forged))
        _assert_linted(_run(tree, key_home))


def test_a_cache_file_owned_by_another_user_is_not_trusted(tree, key_home):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    _assert_linted(_run(tree, key_home))
    _forge(tree, key_home, lambda key, entry: entry.update(findings=[]))
    os.chown(_cache_file(tree), 65534, 65534)
    _assert_linted(_run(tree, key_home))


@pytest.mark.parametrize(
    "change",
    [
        lambda key, entry: entry.update(digest=["not", "a", "digest"]),
        lambda key, entry: entry.update(findings=[{"code": 7, "line": "x"}]),
        lambda key, entry: entry.update(deps={"/an/absolute/path.py": "0" * 32}),  # entries name files relative to the root
        lambda key, entry: entry.update(deps=[1, 2]),
        lambda key, entry: entry.update(facts="x"),
        lambda key, entry: entry.update(project="yes"),
        lambda key, entry: entry.update(stat=[1, 2]),
    ],
)
def test_a_signed_entry_of_the_wrong_shape_is_linted_again(tree, key_home, change):
    _assert_linted(_run(tree, key_home))
    _forge(tree, key_home, change)
    proc = _run(tree, key_home)
    _assert_linted(proc)
    assert b"internal error" not in proc.stderr.lower(), proc.stderr.decode()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_dependency_that_is_not_a_regular_file_never_hangs(tree, key_home, kind):
    if kind == "fifo":
        dependency = tree / "pipe.py"
        os.mkfifo(dependency)
    else:
        dependency = Path("/dev/zero")
    _assert_linted(_run(tree, key_home))
    _forge(tree, key_home, lambda key, entry: entry.update(deps={os.path.relpath(dependency, tree): "0" * 32}))
    _assert_linted(_run(tree, key_home))  # run_infralint's timeout is the guard


def test_no_place_for_the_key_means_no_cache_never_a_failure(tree, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {"XDG_CACHE_HOME": str(blocker / "below")}  # cannot be created, even by root
    for _ in range(2):
        proc = _run(tree, env)
        _assert_linted(proc)
        assert "the result cache is not used" in proc.stderr.decode()
    assert not (tree / CACHE_DIR_NAME).exists()


def test_a_key_other_users_can_read_is_refused(tree, key_home):
    _assert_linted(_run(tree, key_home))
    key_file = Path(key_home["XDG_CACHE_HOME"]) / "infralint" / KEY_FILE_NAME
    key_file.chmod(0o644)
    proc = _run(tree, key_home)
    _assert_linted(proc)
    assert "readable or writable by other users" in proc.stderr.decode()


def test_the_key_is_private(tree, key_home):
    _assert_linted(_run(tree, key_home))
    folder = Path(key_home["XDG_CACHE_HOME"]) / "infralint"
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    assert oct((folder / KEY_FILE_NAME).stat().st_mode & 0o777) == oct(0o600)
    assert len((folder / KEY_FILE_NAME).read_bytes()) == 32
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())


def test_a_warm_run_is_served_from_the_signed_cache(tree, key_home):
    _assert_linted(_run(tree, key_home))
    _forge(tree, key_home, lambda key, entry: entry["findings"][0].update(message="served from the cache"))
    proc = _run(tree, key_home)
    assert proc.returncode == 1 and "served from the cache" in proc.stdout.decode()


# -- where the cache goes ----------------------------------------------------------------------


def test_without_configuration_the_cache_stays_in_the_linted_tree(tmp_path, key_home):
    app = tmp_path / "srv" / "app"
    app.mkdir(parents=True)
    (app / "a.py").write_text(FINDING)
    proc = run_infralint("check", str(app / "a.py"), cwd=tmp_path, env=key_home)
    assert proc.returncode == 1, proc.stderr.decode()
    assert not (tmp_path / CACHE_DIR_NAME).exists(), "the cache went to the current folder"
    assert (app / CACHE_DIR_NAME).is_dir()


def test_without_configuration_the_cache_goes_to_the_checkout_root(tmp_path, key_home):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    (repo / "pkg" / "a.py").write_text(FINDING)
    proc = run_infralint("check", "--format", "concise", str(repo / "pkg" / "a.py"), cwd=tmp_path, env=key_home)
    assert proc.returncode == 1, proc.stderr.decode()
    assert (repo / CACHE_DIR_NAME).is_dir() and not (tmp_path / CACHE_DIR_NAME).exists()


def test_a_configuration_outside_the_tree_keeps_the_cache_in_the_tree(tmp_path, key_home):
    settings = tmp_path / "etc"
    settings.mkdir()
    (settings / "infralint.toml").write_text("")
    app = tmp_path / "srv" / "app"
    app.mkdir(parents=True)
    (app / "a.py").write_text(FINDING)
    proc = run_infralint("check", "--config", str(settings / "infralint.toml"), str(app), cwd=tmp_path, env=key_home)
    assert proc.returncode == 1, proc.stderr.decode()
    assert not (settings / CACHE_DIR_NAME).exists()
    assert (app / CACHE_DIR_NAME).is_dir()


def test_a_key_folder_others_could_enter_is_closed_first(tree, key_home):
    folder = Path(key_home["XDG_CACHE_HOME"]) / "infralint"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    proc = _run(tree, key_home)
    _assert_linted(proc)
    assert proc.stderr == b"", proc.stderr.decode()
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    assert (tree / CACHE_DIR_NAME).is_dir()
