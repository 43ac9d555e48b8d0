"""`extend = "../pyproject.toml"`: a nested configuration builds on the root's (the monorepo shape),
and `extend-per-file-ignores` adds to `per-file-ignores`."""

from __future__ import annotations

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

UNDEFINED = "def f():\n    return a_name\n"
UNUSED_NOQA = "import os\n\nprint(os.sep)  # noqa: INF101\n"  # INF003, off by default


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def findings(root, *args, cwd=None):
    done = run_infralint("check", "--no-cache", "--format", "concise", *args, cwd=cwd or root)
    assert done.returncode in (0, 1), done.stderr.decode()
    return sorted((line.split(":")[0], line.split(": ")[1].split()[0]) for line in done.stdout.decode().splitlines())


@pytest.fixture
def monorepo(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.infralint]\nextend-select = ["INF003"]\nextend-exclude = ["generated"]\n'
          'per-file-ignores = { "svc/tests/**" = ["INF101"] }\n')
    for folder in ("svc", "svc/tests", "svc/generated"):
        write(tmp_path / folder / "undefined.py", UNDEFINED)
    write(tmp_path / "svc" / "noqa.py", UNUSED_NOQA)
    return tmp_path


def test_a_nested_configuration_without_extend_loses_the_roots_settings(monorepo):
    write(monorepo / "svc" / "pyproject.toml", '[tool.infralint]\nignore = ["INF103"]\n')
    found = findings(monorepo)
    assert ("svc/noqa.py", "INF003") not in found and ("svc/tests/undefined.py", "INF101") in found


def test_extend_takes_the_base_and_overrides_it(monorepo):
    write(monorepo / "svc" / "pyproject.toml", '[tool.infralint]\nextend = "../pyproject.toml"\nignore = ["INF103"]\n')
    expected = [("svc/noqa.py", "INF003"), ("svc/undefined.py", "INF101")]
    assert findings(monorepo) == expected
    assert findings(monorepo, cwd=monorepo / "svc") == [("noqa.py", "INF003"), ("undefined.py", "INF101")]
    # the extending file wins: its own select drops the base's extend-select
    write(monorepo / "svc" / "pyproject.toml", '[tool.infralint]\nextend = "../pyproject.toml"\nselect = ["INF101"]\n')
    assert findings(monorepo) == [("svc/undefined.py", "INF101")]


def test_extend_per_file_ignores_adds_to_the_base(monorepo):
    write(monorepo / "svc" / "noqa.py", UNUSED_NOQA + UNDEFINED)
    write(monorepo / "svc" / "pyproject.toml", '[tool.infralint]\nextend = "../pyproject.toml"\n'
          'extend-per-file-ignores = { "noqa.py" = ["INF003"] }\n')
    assert findings(monorepo) == [("svc/noqa.py", "INF101"), ("svc/undefined.py", "INF101")]


def test_extend_per_file_ignores_in_one_file():
    from infralint.config import parse_table

    config = parse_table({"extend-per-file-ignores": {"a.py": ["INF1"]}, "per-file-ignores": {"a.py": ["INF2"]}}, "t", None)
    assert config.per_file_ignores == {"a.py": ["INF2", "INF1"]}


def test_an_extend_cycle_is_a_one_line_error(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.infralint]\nextend = "svc/pyproject.toml"\n')
    write(tmp_path / "svc" / "pyproject.toml", '[tool.infralint]\nextend = "../pyproject.toml"\n')
    write(tmp_path / "svc" / "a.py", UNDEFINED)
    done = run_infralint("check", "--no-cache", cwd=tmp_path / "svc")
    assert done.returncode == 2
    (line,) = done.stderr.decode().splitlines()
    assert "`extend` makes a cycle" in line and line.startswith("infralint: error: ")


def test_extend_naming_a_missing_file_is_an_error(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.infralint]\nextend = "../nowhere.toml"\n')
    write(tmp_path / "a.py", UNDEFINED)
    done = run_infralint("check", "--no-cache", cwd=tmp_path)
    assert done.returncode == 2 and "`extend` names" in done.stderr.decode()


def test_a_mistake_in_the_extended_file_names_that_file(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.infralint]\nselec = ["INF1"]\n')
    write(tmp_path / "svc" / "infralint.toml", 'extend = "../pyproject.toml"\n')
    write(tmp_path / "svc" / "a.py", UNDEFINED)
    done = run_infralint("check", "--no-cache", "a.py", cwd=tmp_path / "svc")
    assert done.returncode == 2
    message = done.stderr.decode()
    assert str(tmp_path / "pyproject.toml") in message and "did you mean `select`" in message
