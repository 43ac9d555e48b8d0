"""`real_paths` resolves a folder once and must still give `os.path.realpath`'s answer for every
kind of path a run names."""

from __future__ import annotations

import os

import pytest

from infralint.config import ConfigResolver, find_config
from infralint.real_paths import real_paths


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "real" / "pkg").mkdir(parents=True)
    (tmp_path / "real" / "pkg" / "mod.py").write_text("x = 1\n")
    (tmp_path / "real" / "other.py").write_text("y = 2\n")
    (tmp_path / "linked_folder").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "alias.py").symlink_to(tmp_path / "real" / "pkg" / "mod.py")
    (tmp_path / "real" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    return tmp_path


def test_every_kind_of_path_resolves_as_realpath_does(tree, monkeypatch):
    monkeypatch.chdir(tree / "real")
    paths = [
        tree / "real" / "pkg" / "mod.py",
        tree / "linked_folder" / "pkg" / "mod.py",  # a link among the folders
        tree / "real" / "alias.py",  # the file itself a link
        tree / "real" / "dangling.py",
        tree / "real" / "missing.py",  # named, not on disk
        "other.py",  # relative to the working folder
        "pkg/../other.py",
        "pkg/..",
        ".",
        str(tree / "linked_folder") + "/",
    ]
    assert real_paths(paths) == [os.path.realpath(p) for p in paths]


def test_a_folder_is_resolved_once_for_all_its_files(tree, monkeypatch):
    calls = []
    original = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: calls.append(p) or original(p, *a, **k))
    files = [tree / "linked_folder" / "pkg" / f"m{i}.py" for i in range(20)]
    assert real_paths(files) == [str(tree / "real" / "pkg" / f"m{i}.py") for i in range(20)]
    assert len(calls) == 1


def test_resolver_finds_the_nearest_configuration_of_every_folder(tree):
    (tree / "real" / ".infralint.toml").write_text("")
    (tree / "real" / "pkg" / "deep" / "deeper").mkdir(parents=True)
    (tree / "real" / "pkg" / "deep" / "infralint.toml").write_text("")
    (tree / "real" / "pkg" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # not ours
    folders = [
        tree / "real" / "pkg" / "deep" / "deeper",
        tree / "real" / "pkg" / "deep",
        tree / "real" / "pkg",
        tree / "linked_folder" / "pkg" / "deep" / "deeper",
        tree / "real",
        tree,
    ]
    resolver = ConfigResolver()
    answers = [resolver.config_file_for(folder) for folder in folders]
    assert answers == [find_config(folder) for folder in folders]
    assert answers[0] == answers[3] == (tree / "real" / "pkg" / "deep" / "infralint.toml").resolve()
    assert answers[2] == (tree / "real" / ".infralint.toml").resolve()


def test_resolver_sees_a_new_configuration_after_clear(tree):
    resolver = ConfigResolver()
    folder = tree / "real" / "pkg"
    before = resolver.config_file_for(folder)
    (tree / "real" / ".infralint.toml").write_text("")
    assert resolver.config_file_for(folder) == before  # remembered
    resolver.clear()
    assert resolver.config_file_for(folder) == (tree / "real" / ".infralint.toml").resolve()
