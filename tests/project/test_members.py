"""Which files make up a project (`project.members`): the same for every entry point, whatever
paths a run names."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from infralint.config import ConfigResolver
from infralint.discovery import discover
from infralint.project.members import context_paths, project_root


def make(root: Path, *files: str) -> Path:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n" if name.endswith(".py") else "kind: Deployment\n", encoding="utf-8")
    return root


def names(paths, root: Path) -> list[str]:
    return sorted(Path(os.path.realpath(p)).relative_to(os.path.realpath(root)).as_posix() for p in paths)


def test_the_root_is_the_configuration_folder(tmp_path):
    root = make(tmp_path / "svc", "pyproject.toml", "app/main.py", "deploy/api.yaml")
    (root / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    resolver = ConfigResolver()
    config = resolver.config_for(root / "app" / "main.py")
    assert project_root(config, [root / "app" / "main.py"]) == Path(os.path.realpath(root))
    # the file named is reported; the rest of the project (the YAML included) only gives facts
    assert names(context_paths([root / "app" / "main.py"], config, resolver), root) == ["deploy/api.yaml"]


def test_without_configuration_the_checkout_is_the_root(tmp_path, monkeypatch):
    root = make(tmp_path / "svc", "app/main.py", "deploy/api.yaml")
    monkeypatch.chdir(root / "app")  # the defaults' own root is the current folder
    resolver = ConfigResolver()
    config = resolver.config_for(root / "app" / "main.py")
    assert project_root(config, [root / "app" / "main.py"]) is None  # no checkout: the files named are the project
    assert context_paths([root / "app" / "main.py"], config, resolver) == []
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert project_root(config, [root / "app" / "main.py"]) == Path(os.path.realpath(root))
    assert names(context_paths([Path("main.py")], config, resolver), root) == ["deploy/api.yaml"]


def test_no_context_when_the_root_is_named_or_no_rule_reads_the_project(tmp_path):
    root = make(tmp_path / "svc", "pyproject.toml", "app/main.py", "deploy/api.yaml")
    (root / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    resolver = ConfigResolver()
    config = resolver.config_for(root)
    files = discover([root], config)
    assert context_paths(files, config, resolver, named=[root]) == []  # the walk of the root found every member
    scope_only = ConfigResolver(select=["INF1"])
    config = scope_only.config_for(root)
    assert context_paths([root / "app" / "main.py"], config, scope_only) == []


def test_an_excluded_folder_named_explicitly_is_its_own_project(tmp_path):
    root = make(tmp_path / "svc", "pyproject.toml", "app/main.py", "examples/demo.py", "deploy/api.yaml")
    (root / "pyproject.toml").write_text("[tool.infralint]\nextend-exclude = ['examples']\n", encoding="utf-8")
    resolver = ConfigResolver()
    config = resolver.config_for(root)
    assert context_paths([root / "examples" / "demo.py"], config, resolver, named=[root / "examples"]) == []
    assert "examples/demo.py" not in names(context_paths([root / "app" / "main.py"], config, resolver), root)


def test_a_nested_configuration_is_a_project_of_its_own(tmp_path):
    root = make(tmp_path / "mono", "pyproject.toml", "api/main.py", "worker/pyproject.toml", "worker/jobs.py", "worker/deploy.yaml")
    (root / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    (root / "worker" / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    resolver = ConfigResolver()
    api = resolver.config_for(root / "api" / "main.py")
    assert names(context_paths([root / "api" / "main.py"], api, resolver), root) == []
    worker = resolver.config_for(root / "worker" / "jobs.py")
    assert names(context_paths([root / "worker" / "jobs.py"], worker, resolver), root) == ["worker/deploy.yaml"]


def test_force_exclude_keeps_only_the_kinds_a_walk_reads(tmp_path):
    root = make(tmp_path, "README.md", "app/main.py", "deploy/api.yaml", "Dockerfile", "notes.txt")
    script = root / "manage"
    script.write_text("#!/usr/bin/env python3\nx = 1\n", encoding="utf-8")
    config = ConfigResolver().config_for(root)
    named = [root / name for name in ("README.md", "app/main.py", "deploy/api.yaml", "Dockerfile", "notes.txt", "manage")]
    assert names(discover(named, config, force_exclude=True), root) == ["Dockerfile", "app/main.py", "deploy/api.yaml", "manage"]
    # without it, a file named explicitly is always linted
    assert names(discover(named, config), root) == sorted(["README.md", "app/main.py", "deploy/api.yaml", "Dockerfile", "notes.txt", "manage"])


def test_discovery_reads_the_fact_files_the_enabled_project_rules_need(tmp_path):
    # the probe's YAML for INF303 alone (no INF6 rule needed); browser clients only for INF5
    root = make(tmp_path, "app/main.py", "deploy/api.yaml", "web/chat.ts")
    for select, wanted in ((["INF303"], ["app/main.py", "deploy/api.yaml"]), (["INF5"], ["app/main.py", "deploy/api.yaml", "web/chat.ts"]), (["INF1"], ["app/main.py"])):
        config = ConfigResolver(select=select).config_for(root)
        assert names(discover([root], config), root) == wanted, select
