"""A linted tree is untrusted: it cannot make infralint run its commands or import its modules,
and it cannot make infralint write outside it through symbolic links it ships."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infralint.cache import CACHE_DIR_NAME

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

FINDING = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)


# -- the tree's git configuration ----------------------------------------------------------------


@pytest.fixture
def booby_trapped_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """A checkout whose own .git/config names a command for git to run (core.fsmonitor)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    marker = tmp_path / "GIT_RAN_A_COMMAND"
    _git("init", "-q", ".", cwd=tree)
    (tree / "app.py").write_text(FINDING)
    (tree / ".gitignore").write_text("ignored/\n")
    (tree / "ignored").mkdir()
    (tree / "ignored" / "skip.py").write_text(FINDING)
    _git("config", "core.fsmonitor", f"touch '{marker}'; false", cwd=tree)
    hooks = tree / ".git" / "hooks"
    for hook in ("post-checkout", "pre-commit", "post-index-change", "fsmonitor-watchman"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch '{marker}'\n")
        (hooks / hook).chmod(0o755)
    # the trap is live: plain git runs the command while listing files
    _git("ls-files", "--others", "--exclude-standard", cwd=tree)
    if not marker.exists():
        pytest.skip("this git does not run core.fsmonitor commands")
    marker.unlink()
    return tree, marker


def test_the_trees_git_config_runs_no_command(booby_trapped_checkout):
    tree, marker = booby_trapped_checkout
    proc = run_infralint("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    assert not marker.exists(), "git ran a command from the linted tree's configuration"
    out = proc.stdout.decode()
    # .gitignore is still honoured: only app.py is linted
    assert "app.py:5:" in out and "skip.py" not in out, out
    assert proc.returncode == 1, proc.stderr.decode()


def test_a_folder_named_inside_the_trap_runs_no_command(booby_trapped_checkout):
    tree, marker = booby_trapped_checkout
    (tree / "pkg").mkdir()
    (tree / "pkg" / "mod.py").write_text(FINDING)
    proc = run_infralint("check", "--no-cache", "--format", "concise", "pkg", cwd=tree)
    assert not marker.exists()
    assert b"pkg/mod.py:5:" in proc.stdout


# -- writes through links the tree ships ---------------------------------------------------------


def test_a_cache_folder_that_is_a_link_is_not_written_through(tmp_path):
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    tree.mkdir()
    elsewhere.mkdir()
    (tree / "app.py").write_text(FINDING)
    (tree / CACHE_DIR_NAME).symlink_to(elsewhere, target_is_directory=True)
    for _ in range(2):
        proc = run_infralint("check", "--format", "concise", ".", cwd=tree)
        assert proc.returncode == 1
        assert list(elsewhere.iterdir()) == []
        stderr = proc.stderr.decode()
        assert stderr.count("is a symbolic link") == 1, stderr
        assert "the result cache is not used" in stderr
    assert (tree / CACHE_DIR_NAME).is_symlink()


def test_a_dangling_link_inside_the_cache_creates_nothing(tmp_path):
    tree = tmp_path / "tree"
    (tree / CACHE_DIR_NAME).mkdir(parents=True)
    (tree / "app.py").write_text(FINDING)
    target = tmp_path / "planted"
    (tree / CACHE_DIR_NAME / ".gitignore").symlink_to(target)
    proc = run_infralint("check", "--format", "concise", ".", cwd=tree)
    assert proc.returncode == 1, proc.stderr.decode()
    assert not target.exists() and not target.is_symlink() or not os.path.lexists(target)
    # the cache itself still works: its JSON file is a regular file inside the folder
    written = [p for p in (tree / CACHE_DIR_NAME).iterdir() if p.suffix == ".json"]
    assert written and all(not p.is_symlink() for p in written)


def test_a_cache_file_that_is_a_link_is_replaced_not_followed(tmp_path):
    tree = tmp_path / "tree"
    (tree / CACHE_DIR_NAME).mkdir(parents=True)
    (tree / "app.py").write_text(FINDING)
    run_infralint("check", ".", cwd=tree)  # learn the cache file's name
    (cache_file,) = [p for p in (tree / CACHE_DIR_NAME).iterdir() if p.suffix == ".json"]
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    cache_file.unlink()
    cache_file.symlink_to(victim)
    (tree / "app.py").write_text(FINDING + "\n")  # a change, so the cache is written again
    proc = run_infralint("check", ".", cwd=tree)
    assert proc.returncode == 1
    assert victim.read_text() == "precious\n"
    assert not cache_file.is_symlink() and json.loads(cache_file.read_text())


def test_an_output_file_that_is_a_link_is_refused(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text(FINDING)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tree / "report.sarif").symlink_to(victim)
    for option in ("--output-file", "--write-baseline"):
        proc = run_infralint("check", "--no-cache", option, "report.sarif", ".", cwd=tree)
        assert proc.returncode == 2, proc.stderr.decode()
        assert "report.sarif" in proc.stderr.decode() and "symbolic link" in proc.stderr.decode()
        assert victim.read_text() == "precious\n"


def test_fix_leaves_no_temporary_file_outside_the_target_folder(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "job.py").write_text("def wait(start):\n    return time.time() - start\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run_infralint("check", "--no-cache", "--fix", "--select", "INF101", ".", cwd=tree)
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tree / "job.py").read_text().startswith("import time\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sorted(p.name for p in tree.iterdir()) == ["job.py"]


# -- `python -m infralint` and the current folder ---------------------------------------------------

# every module infralint (or a library it uses) may import lazily, plus its own dependencies
_THIRD_PARTY = ("libcst", "astroid", "rich", "pygls", "lsprotocol", "flake8", "pyflakes", "pycodestyle", "tomli", "yaml", "typing_extensions", "attrs", "cattrs", "markdown_it", "pygments", "mdurl")
_NOT_SHADOWABLE = {"site", "sitecustomize", "usercustomize", "__main__"}


def _trap_names() -> list[str]:
    names = set(getattr(sys, "stdlib_module_names", ())) | set(_THIRD_PARTY)
    return sorted(n for n in names - _NOT_SHADOWABLE if n.isidentifier())


def test_python_dash_m_imports_nothing_from_the_current_folder(tmp_path):
    tree = tmp_path / "tree"
    markers = tmp_path / "markers"
    tree.mkdir()
    markers.mkdir()
    names = _trap_names()
    assert {"json", "re", "typing", "tokenize", "difflib", "libcst", "rich"} <= set(names) and len(names) > 100
    for name in names:
        (tree / f"{name}.py").write_text(f"open({str(markers / name)!r}, 'w').close()\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    env["NO_COLOR"] = "1"
    # runpy imports a few modules (importlib, functools, collections…) from the current folder
    # before any package's code can run, for `python -m anything`: SECURITY.md says to use the
    # `infralint` command or `python -P -m infralint`; everything infralint imports is checked
    interpreters_own = _imported_by_the_interpreter_itself(tree, markers, env)
    assert not interpreters_own & {"json", "re", "typing", "tokenize", "difflib", "ast", "libcst", "rich", "hashlib"}, interpreters_own
    (tree / "app.py").write_text(FINDING)
    (tree / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF']\n")
    runs = [
        ["check", "--no-cache", "."],
        ["check", "--format", "sarif", "."],
        ["check", "--no-cache", "--format", "json", "--diff", "--unsafe-fixes", "app.py"],
        ["check", "--no-cache", "--fix", "--unsafe-fixes", "app.py"],
        ["rule", "INF201"],
    ]
    for args in runs:
        proc = subprocess.run([sys.executable, "-m", "infralint", *args], cwd=tree, capture_output=True, env=env, timeout=300)
        assert proc.returncode in (0, 1), (args, proc.stderr.decode()[-2000:])
        assert sorted(p.name for p in markers.iterdir()) == [], args
    assert "import logging" in (tree / "app.py").read_text().split("def close")[0]  # the fix ran


def _imported_by_the_interpreter_itself(tree: Path, markers: Path, env: dict) -> set[str]:
    """Trap modules that `python -m` imports before any module's code runs (removed from `tree`)."""
    found: set[str] = set()
    while True:
        subprocess.run([sys.executable, "-m", "no_such_module_here"], cwd=tree, capture_output=True, env=env, timeout=60)
        fired = {p.name for p in markers.iterdir()}
        for name in fired:
            (tree / f"{name}.py").unlink()
            (markers / name).unlink()
        if not fired:
            return found
        found |= fired
