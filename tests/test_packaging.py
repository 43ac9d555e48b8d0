"""Packaging metadata and the README's own promises: checked statically."""

from __future__ import annotations

import re

from infralint import _toml
from infralint.catalog import DOCS_URL
from infralint.version import __version__

from .conftest import ROOT

PYPROJECT = _toml.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def test_classifiers_name_every_supported_python():
    versions = {c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"] if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert versions == {"3.10", "3.11", "3.12", "3.13", "3.14"}
    assert PROJECT["requires-python"] == ">=3.10"
    assert "Typing :: Typed" in PROJECT["classifiers"]


def test_framework_classifiers_name_only_the_hosts_infralint_plugs_into():
    """A flake8 plugin (`flake8.extension` entry point), not a pytest plugin (no `pytest11` entry point)."""
    frameworks = {c for c in PROJECT["classifiers"] if c.startswith("Framework :: ")}
    assert frameworks == {"Framework :: Flake8"}
    assert set(PROJECT["entry-points"]) == {"flake8.extension"}


def test_license_py_typed_and_urls():
    assert PROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert (ROOT / "src" / "infralint" / "py.typed").is_file()
    urls = PROJECT["urls"]
    assert {"Homepage", "Changelog", "Issues", "Source"} <= set(urls)
    assert DOCS_URL.startswith(urls["Source"])


def test_every_snippet_names_a_ref_that_exists():
    """Before the release is tagged, `main` (the branch the project URLs name); afterwards, the tag."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = not re.search(rf"^## {re.escape(__version__)} — unreleased", changelog, re.MULTILINE)
    expected = f"v{__version__}" if released else "main"
    assert f"/blob/{expected}/" in PROJECT["urls"]["Documentation"] or released
    texts = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "README.md", ROOT / "docs" / "integrations.md")}
    refs = []
    for name, text in texts.items():
        refs += [(name, ref) for ref in re.findall(r"^\s*rev:\s*(\S+)", text, re.MULTILINE)]
        refs += [(name, ref) for ref in re.findall(r"infralint/infralint@(\S+)", text)]
    assert refs and all(ref == expected for _, ref in refs), refs


def test_readme_setup_commands_are_independent_and_the_fast_subset_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Set-up"):readme.index("## What it finds")]
    commands = [line for line in setup.splitlines() if line.startswith("python3 -m venv ")]
    venvs = [re.match(r"python3 -m venv (\S+)", c).group(1) for c in commands]
    assert len(venvs) == 2 and len(set(venvs)) == 2, venvs
    for venv, command in zip(venvs, commands):
        assert re.findall(r"(\.venv[\w-]*)/bin", command) and set(re.findall(r"(\.venv[\w-]*)/bin", command)) == {venv}
    assert '-m "not slow and not integration"' in setup


def test_hooks_run_serially():
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert hooks.count("require_serial: true") == 2 and "require_serial: false" not in hooks
