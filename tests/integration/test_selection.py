"""Selecting rules and files from the command line as a ruff user types it: `--select ALL`,
repeated options adding up, `--exclude`/`--extend-exclude`, `infralint rule NAME`, help for every option."""

from __future__ import annotations

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

UNDEFINED = "def f():\n    return a_name\n"
# INF003 (off by default) reports a `noqa` that suppresses nothing
UNUSED_NOQA = "import os\n\nprint(os.sep)  # noqa: INF101\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n")
    (tmp_path / "undefined.py").write_text(UNDEFINED)
    (tmp_path / "noqa.py").write_text(UNUSED_NOQA)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "m1.py").write_text(UNDEFINED)
    (tmp_path / "gen_pb2.py").write_text(UNDEFINED)
    return tmp_path


def codes(project, *args) -> list[tuple[str, str]]:
    done = run_infralint("check", "--no-cache", "--format", "concise", *args, cwd=project)
    assert done.returncode in (0, 1), done.stderr.decode()
    return sorted((line.split(":")[0], line.split(": ")[1].split()[0]) for line in done.stdout.decode().splitlines())


def test_select_all_includes_rules_off_by_default(project):
    default = codes(project)
    assert ("noqa.py", "INF003") not in default
    everything = codes(project, "--select", "ALL")
    assert ("noqa.py", "INF003") in everything and ("undefined.py", "INF101") in everything
    assert codes(project, "--select", "all", "--ignore", "INF003") == default


def test_repeated_select_adds_up(project):
    both = codes(project, "--select", "INF003", "--select", "INF101")
    assert ("noqa.py", "INF003") in both and ("undefined.py", "INF101") in both
    assert codes(project, "--select", "INF003,INF101") == both


def test_repeated_ignore_and_extend_select_add_up(project):
    assert codes(project, "--ignore", "INF101", "--ignore", "INF003", "--extend-select", "INF003") == []
    extended = codes(project, "--select", "INF101", "--extend-select", "INF003", "--extend-select", "INF1")
    assert ("noqa.py", "INF003") in extended


def test_exclude_on_the_command_line(project):
    everything = {path for path, _ in codes(project, "--select", "INF101")}
    assert {"migrations/m1.py", "gen_pb2.py", "undefined.py"} <= everything
    extended = {path for path, _ in codes(project, "--select", "INF101", "--extend-exclude", "migrations", "--extend-exclude", "*_pb2.py")}
    assert extended == {"undefined.py"}
    # `--exclude` replaces the configured excludes (the defaults too): `.venv` is linted again
    (project / ".venv").mkdir()
    (project / ".venv" / "lib.py").write_text(UNDEFINED)
    assert ".venv/lib.py" not in everything
    replaced = {path for path, _ in codes(project, "--select", "INF101", "--exclude", "migrations")}
    assert ".venv/lib.py" in replaced and "migrations/m1.py" not in replaced


def test_configured_extend_exclude_and_the_command_line_add_up(project):
    (project / "pyproject.toml").write_text('[tool.infralint]\nextend-exclude = ["migrations"]\n')
    paths = {path for path, _ in codes(project, "--select", "INF101", "--extend-exclude", "*_pb2.py")}
    assert paths == {"undefined.py"}


@pytest.mark.parametrize("word", ["undefined-name", "UNDEFINED_NAME", "inf101"])
def test_rule_accepts_names_and_codes(word):
    done = run_infralint("rule", word)
    assert done.returncode == 0, done.stderr.decode()
    assert "INF101 undefined-name" in done.stdout.decode()


def test_unknown_rule_suggests_a_name():
    done = run_infralint("rule", "undefned-name")
    assert done.returncode == 2
    assert "did you mean undefined-name?" in done.stderr.decode()


@pytest.mark.parametrize(
    ("command", "option"),
    [("check", "--color"), ("trace", "--format"), ("trace", "--color"), ("rules", "--format"), ("rule", "code"), ("lsp", "--debug")],
)
def test_every_option_has_help(command, option):
    out = run_infralint(command, "--help").stdout.decode()
    entry = out[out.index(f"  {option}") :].split("\n  -", 1)[0]
    described = " ".join(entry.split()[1:])
    assert len(described) > 15, entry
