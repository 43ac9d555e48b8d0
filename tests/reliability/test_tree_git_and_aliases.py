"""A `git` shipped inside the linted tree never runs, and a file reached through a symbolic link
that the walk also finds under its own name is linted once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import run_infralint

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX PATH search and links"), pytest.mark.integration]

FINDING = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"


@pytest.fixture
def tree_with_git(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    tree = tmp_path / "tree"
    tree.mkdir()
    subprocess.run(["git", "init", "-q", "."], cwd=tree, check=True, capture_output=True)
    (tree / "app.py").write_text(FINDING)
    (tree / ".gitignore").write_text("ignored/\n")
    (tree / "ignored").mkdir()
    (tree / "ignored" / "skip.py").write_text(FINDING)
    marker = tmp_path / "TREE_GIT_RAN"
    for folder in (tree, tree / "bin"):
        folder.mkdir(exist_ok=True)
        (folder / "git").write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
        (folder / "git").chmod(0o755)
    return tree, marker


@pytest.mark.parametrize("entry", ["", ".", "bin", "{tree}/bin"])
def test_a_git_inside_the_tree_never_runs(tree_with_git, entry):
    tree, marker = tree_with_git
    search = entry.format(tree=tree) + os.pathsep + os.environ.get("PATH", os.defpath)
    done = run_infralint("check", "--no-cache", "--format", "concise", ".", cwd=tree, env={"PATH": search})
    assert not marker.exists(), f"a git from the linted tree ran (PATH entry {entry!r})"
    out = done.stdout.decode()
    assert done.returncode == 1, done.stderr.decode()
    assert "app.py:5:" in out
    if not entry.startswith("{tree}"):
        # the real git was still found: .gitignore is honoured
        assert "skip.py" not in out, out


def test_a_link_to_a_file_in_the_tree_is_linted_once(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text(FINDING)
    (tree / "alias.py").symlink_to("app.py")
    (tree / "absolute.py").symlink_to(tree / "pkg" / "real.py")  # an absolute link is an alias too
    (tree / "pkg").mkdir()
    (tree / "pkg" / "real.py").write_text(FINDING)
    (tree / "pkg" / "twin.py").symlink_to("real.py")
    (tree / "build").mkdir()  # excluded by default: its file is linted through the link only
    (tree / "build" / "generated.py").write_text(FINDING)
    (tree / "generated.py").symlink_to("build/generated.py")
    done = run_infralint("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    assert done.returncode == 1, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert sorted(line.split(":", 1)[0] for line in lines) == ["app.py", "generated.py", "pkg/real.py"], lines


def test_a_file_and_its_link_named_together_are_linted_once(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text(FINDING)
    (tree / "alias.py").symlink_to("app.py")
    for order in (["alias.py", "app.py"], ["app.py", "alias.py"]):
        done = run_infralint("check", "--no-cache", "--format", "concise", *order, cwd=tree)
        assert done.returncode == 1, done.stderr.decode()
        lines = done.stdout.decode().splitlines()
        assert [line.split(":", 1)[0] for line in lines] == ["app.py"] * len(lines) and lines, lines


def test_fix_through_an_alias_fixes_once_and_passes(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text("import time\n\n\ndef wait(start):\n    return time.time() - start\n" + FINDING)
    (tree / "alias.py").symlink_to("app.py")
    done = run_infralint("check", "--no-cache", "--fix", "--format", "concise", ".", cwd=tree)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert b"changed on disk" not in done.stderr
    assert (tree / "alias.py").is_symlink()
    assert "import logging\n" in (tree / "app.py").read_text().split("def ")[0]

