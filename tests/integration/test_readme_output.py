"""The README's output and configuration examples, re-run so they cannot drift from the program."""

from __future__ import annotations

import json

import pytest

from ..conftest import run_infralint
from ..readme_snippets import the_snippet

pytestmark = pytest.mark.integration


def shape(value):
    """The keys and value types of a JSON document (what a consumer relies on)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_the_readme_json_example_is_what_json_prints(tmp_path):
    (example,) = json.loads(the_snippet("json", '"fix"').text)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "metrics.py").write_text('"""Metrics."""\n\n\ndef elapsed(start):\n    return time.time() - start\n')
    done = run_infralint("check", "--no-cache", "--select", "INF101", "--format", "json", "app/metrics.py", cwd=tmp_path)
    (finding,) = json.loads(done.stdout)
    assert shape(finding) == shape(example)
    assert (finding["code"], finding["name"], finding["path"]) == (example["code"], example["name"], example["path"])
    assert finding["fix"]["title"] == example["fix"]["title"] and finding["fix"]["edits"]
    assert finding["message"].startswith(example["message"].rstrip(" …"))


def test_the_readme_extend_example_keeps_the_roots_settings(tmp_path):
    snippet = the_snippet("toml", "extend = ")
    (tmp_path / "pyproject.toml").write_text('[tool.infralint]\nextend-select = ["INF003"]\n')
    (tmp_path / "svc" / "scripts").mkdir(parents=True)
    (tmp_path / "svc" / "pyproject.toml").write_text(snippet.text)
    (tmp_path / "svc" / "noqa.py").write_text("import os\n\nprint(os.sep)  # noqa: INF101\n")
    done = run_infralint("check", "--no-cache", "--format", "concise", cwd=tmp_path / "svc")
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout.decode().startswith("noqa.py:3:")
    assert " INF003 " in done.stdout.decode()  # the root's extend-select applies under svc/
