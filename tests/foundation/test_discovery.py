"""Which files get linted."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from infralint.config import Config
from infralint.discovery import discover


def names(paths, root):
    return sorted(p.relative_to(root).as_posix() for p in paths)


def make(root: Path, *files: str) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def test_default_excludes_and_suffixes(tmp_path):
    make(tmp_path, "app/a.py", "app/b.pyi", "app/c.txt", ".venv/lib/d.py", "node_modules/e.py", "build/f.py", "pkg/__pycache__/g.py")
    assert names(discover([tmp_path], Config(root=tmp_path)), tmp_path) == ["app/a.py", "app/b.pyi"]


def test_extend_exclude_globs_relative_to_the_config(tmp_path):
    make(tmp_path, "app/a.py", "tests/fixtures/bad.py", "tests/test_a.py", "gen/x_pb2.py")
    config = Config(root=tmp_path, extend_exclude=["tests/fixtures", "*_pb2.py"])
    assert names(discover([tmp_path], config), tmp_path) == ["app/a.py", "tests/test_a.py"]


def test_explicit_files_always_win(tmp_path):
    make(tmp_path, "build/generated.py")
    script = tmp_path / "manage"
    script.write_text("#!/usr/bin/env python3\nx = 1\n")
    found = discover([tmp_path / "build" / "generated.py", script], Config(root=tmp_path))
    assert names(found, tmp_path) == ["build/generated.py", "manage"]


def test_gitignore_is_honoured_in_a_checkout(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    make(tmp_path, "app/a.py", "generated/b.py")
    (tmp_path / ".gitignore").write_text("generated/\n")
    assert names(discover([tmp_path], Config(root=tmp_path)), tmp_path) == ["app/a.py"]
    config = Config(root=tmp_path, respect_gitignore=False)
    assert names(discover([tmp_path], config), tmp_path) == ["app/a.py", "generated/b.py"]


def test_symlinks_do_not_lead_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    make(outside, "secret.py")
    project = tmp_path / "project"
    make(project, "a.py")
    os.symlink(outside / "secret.py", project / "link.py")
    os.symlink(outside, project / "linked_dir")
    make(project, "inner/real.py")
    os.symlink(project / "inner" / "real.py", project / "alias.py")
    # a link inside the tree to a file the walk lints anyway is an alias: the file is linted once
    assert names(discover([project], Config(root=project)), project) == ["a.py", "inner/real.py"]


def test_force_exclude_applies_to_named_files(tmp_path):
    make(tmp_path, "migrations/0001.py", "app/a.py")
    config = Config(root=tmp_path, extend_exclude=["migrations"])
    named = [tmp_path / "migrations" / "0001.py", tmp_path / "app" / "a.py"]
    assert names(discover(named, config), tmp_path) == ["app/a.py", "migrations/0001.py"]
    assert names(discover(named, config, force_exclude=True), tmp_path) == ["app/a.py"]


def test_a_named_folder_that_git_ignores_is_linted_whole(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("vendor/\n")
    make(tmp_path, "vendor/lib/x.py")
    assert names(discover([tmp_path / "vendor"], Config(root=tmp_path)), tmp_path) == ["vendor/lib/x.py"]
    assert names(discover([tmp_path], Config(root=tmp_path)), tmp_path) == []
