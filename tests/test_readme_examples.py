"""The README's examples, re-run against the installed commands so that they cannot drift.

Each test takes an example out of README.md (or docs/integrations.md) as a user would copy it and
compares it with what the real command does. The pre-commit snippet is run by
tests/integration/test_precommit.py (it builds a hook environment); here it is checked against the
hooks this repository declares.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from infralint import _toml

from .conftest import ROOT, run_infralint
from .readme_snippets import snippets, the_snippet

README = (ROOT / "README.md").read_text(encoding="utf-8")
HOMEPAGE = _toml.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Homepage"]
UNDEFINED_TIME = "import os\n\n\ndef elapsed(start):\n    return os.getpid(), time.time() - start\n"


def _section(heading: str, next_heading: str) -> str:
    return README[README.index(f"\n{heading}\n"):README.index(f"\n{next_heading}\n")]


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_infralint("check", "--no-cache", *args, cwd=cwd)


@pytest.mark.integration
def test_set_up_lints_the_examples_with_exit_code_1_and_the_documented_summary():
    """Set-up: `infralint check examples/` (exit code 1); Output formats: `Found N findings in M files.`"""
    setup = the_snippet("sh", "infralint check examples/").text
    assert "(exit code 1" in setup
    done = _check("examples/", cwd=ROOT)
    assert done.returncode == 1, done.stderr.decode()
    assert "`Found N findings in M files.`" in _section("## Output formats", "## Fixes")
    summary = [line for line in done.stdout.decode().splitlines() if line.startswith("Found ")]
    assert len(summary) == 1 and re.fullmatch(r"Found \d+ findings in \d+ files\.", summary[0]), summary


@pytest.mark.integration
def test_every_option_in_the_usage_examples_is_an_option_of_check():
    usage = the_snippet("sh", "infralint check --fix").text
    help_text = run_infralint("check", "--help", cwd=ROOT).stdout.decode()
    used = set()
    for line in usage.splitlines():
        command = shlex.split(line.split("#", 1)[0].split("<", 1)[0])
        if command[:2] == ["infralint", "check"] or command[:4] == ["python", "-m", "infralint", "check"]:
            used |= {word.split("=", 1)[0] for word in command if word.startswith("--")}
    assert {"--fix", "--select", "--output-format", "--stdin-filename"} <= used
    missing = sorted(option for option in used if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text))
    assert missing == [], missing


@pytest.mark.integration
def test_the_json_example_has_the_keys_of_the_real_report(tmp_path):
    example = json.loads(the_snippet("json", '"code": "INF101"').text)[0]
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "metrics.py").write_text(UNDEFINED_TIME, encoding="utf-8")
    done = _check("--format", "json", "--select", "INF101", ".", cwd=tmp_path)
    [real] = json.loads(done.stdout)
    assert (real["code"], real["name"], real["path"]) == (example["code"], example["name"], example["path"])
    assert _shape(real) == _shape(example)


def _shape(value):
    """The keys at every level (lists by their first item): what a consumer of the JSON relies on."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


@pytest.mark.integration
def test_the_configuration_examples_are_accepted(tmp_path):
    """Each TOML example of the Configuration section, written where its first comment says
    (`# svc/pyproject.toml`), else as `pyproject.toml`: `infralint check` runs with them."""
    written = []
    for snippet in snippets():
        if snippet.lang != "toml" or snippet.text not in _section("## Configuration", "## Output formats"):
            continue
        first = snippet.text.splitlines()[0]
        name = first[1:].strip() if first.startswith("# ") and first.endswith(".toml") else "pyproject.toml"
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(snippet.text, encoding="utf-8")
        (target.parent / "clean.py").write_text("VALUE = 1\n", encoding="utf-8")
        written.append(target)
    assert written, "the Configuration section has TOML examples"
    for config in written:
        done = _check(".", cwd=config.parent)
        assert done.returncode == 0, (config, done.stdout.decode(), done.stderr.decode())


@pytest.mark.integration
def test_the_trace_example_is_the_real_output():
    example = the_snippet("console", "infralint trace").text.splitlines()
    assert example[0] == "$ cd examples && infralint trace /health/ready"
    done = run_infralint("trace", "/health/ready", cwd=ROOT / "examples")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().splitlines() == example[1:]


def test_the_pre_commit_snippet_names_this_repository_and_its_hooks():
    config = yaml.safe_load(the_snippet("yaml", "rev:").text)
    [repo] = config["repos"]
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert repo["repo"] == HOMEPAGE
    assert {hook["id"] for hook in repo["hooks"]} <= hooks


def test_the_action_snippet_uses_this_repository_and_real_inputs():
    workflow = yaml.safe_load(the_snippet("yaml", "uses: infralint/").text)
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    [step] = [step for step in workflow["steps"] if step.get("uses", "").startswith("infralint/")]
    assert HOMEPAGE.endswith("/" + step["uses"].split("@")[0])
    assert set(step.get("with", {})) <= set(action["inputs"])


# -- flake8 ---------------------------------------------------------------------------------------


def _flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    from .integration.conftest import venv_tool

    return subprocess.run([venv_tool("flake8"), "--isolated", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _flake8_commands() -> list[list[str]]:
    """The `flake8 …` commands the README's flake8 paragraph names, as argument lists."""
    paragraph = README[README.index("- **flake8**"):README.index("- **pre-commit**")]
    return [shlex.split(code)[1:] for code in re.findall(r"`(flake8 [^`]*)`", paragraph)]


@pytest.mark.integration
def test_the_flake8_commands_of_the_readme_do_what_it_says(tmp_path):
    """`flake8 a.py` reports no INF code; the commands that name INF report infralint's findings."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(UNDEFINED_TIME, encoding="utf-8")
    (tmp_path / "a.py").write_text(UNDEFINED_TIME, encoding="utf-8")
    commands = _flake8_commands()
    assert ["a.py"] in commands and any("INF" in " ".join(c) for c in commands), commands
    for command in commands:
        done = _flake8(*command, cwd=tmp_path)
        codes = set(re.findall(r": ([A-Z]+\d+) ", done.stdout))
        asks_for_inf = any("INF" in word for word in command)
        assert ("INF101" in codes) == asks_for_inf, (command, done.stdout, done.stderr)
        if not asks_for_inf:
            assert "F821" in codes, (command, done.stdout)


@pytest.mark.integration
def test_the_flake8_example_of_the_integrations_page_is_the_real_output():
    example = the_snippet("console", "$ flake8 --select INF,E999 examples/", "docs/integrations.md").text.splitlines()
    command = next(line for line in example if line.startswith("$ flake8"))
    shown = [line for line in example if not line.startswith("$") and line != "…"]
    done = _flake8(*shlex.split(command)[2:], cwd=ROOT)
    assert shown and set(shown) <= set(done.stdout.splitlines()), (shown, done.stdout)
