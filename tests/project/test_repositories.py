"""Which repository a file belongs to: joins by elimination and by platform evidence stay inside one."""

from __future__ import annotations

from pathlib import Path

from infralint.project.repositories import OUTSIDE, Repositories


def _touch(root: Path, *paths: str) -> None:
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")


def test_a_checkout_is_one_repository_wherever_its_files_are(tmp_path):
    _touch(tmp_path, "svc/.git/HEAD", "svc/app/main.py", "svc/deploy/api.yaml", "other/.git/HEAD", "other/x.py")
    repos = Repositories(tmp_path, ["svc/app/main.py", "svc/deploy/api.yaml", "other/x.py"])
    assert repos.of("svc/app/main.py") == repos.of("svc/deploy/api.yaml") == str(tmp_path / "svc")
    assert repos.of("other/x.py") == str(tmp_path / "other")


def test_a_bare_tree_is_one_repository(tmp_path):
    """No checkout and no root files: `app/` beside `deploy/` is still one service."""
    _touch(tmp_path, "app/main.py", "deploy/api.yaml")
    repos = Repositories(tmp_path, ["app/main.py", "deploy/api.yaml"])
    assert repos.of("app/main.py") == repos.of("deploy/api.yaml") == str(tmp_path)


def test_several_folders_named_on_the_command_line_are_separate_trees(tmp_path):
    _touch(tmp_path, "one/api/main.py", "one/deploy.yaml", "two/api/main.py")
    named = (str(tmp_path / "one"), str(tmp_path / "two"))
    repos = Repositories(tmp_path, ["one/api/main.py", "one/deploy.yaml", "two/api/main.py"], named)
    assert repos.of("one/api/main.py") == repos.of("one/deploy.yaml") == str(tmp_path / "one")
    assert repos.of("two/api/main.py") == str(tmp_path / "two")
    # one named folder is just the run's tree
    assert Repositories(tmp_path, ["one/api/main.py"], named[:1]).of("two/api/main.py") == str(tmp_path)


def test_a_folder_of_unpacked_trees_splits_at_the_trees_that_look_like_roots(tmp_path):
    _touch(tmp_path, "a/README.md", "a/main.py", "b/pyproject.toml", "b/main.py", "loose/main.py")
    repos = Repositories(tmp_path, ["a/main.py", "b/main.py", "loose/main.py"])
    assert repos.of("a/main.py") == str(tmp_path / "a")
    assert repos.of("b/main.py") == str(tmp_path / "b")
    assert repos.of("loose/main.py") == str(tmp_path)
    # a root file in the run's folder makes it one tree again
    _touch(tmp_path, "README.md")
    assert Repositories(tmp_path, ["a/main.py"]).of("a/main.py") == str(tmp_path)


def test_a_file_outside_the_run_and_any_checkout(tmp_path):
    _touch(tmp_path, "run/x.py", "elsewhere/y.py")
    assert Repositories(tmp_path / "run", ["x.py"]).of("../elsewhere/y.py") == OUTSIDE
