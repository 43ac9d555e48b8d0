"""CI output: SARIF valid against the OASIS 2.1.0 schema, GitHub workflow-command annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from ..conftest import DATA, ROOT, run_infralint

pytestmark = pytest.mark.integration

_ANNOTATION_RE = re.compile(
    r"^::(?P<level>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=(?P<end_line>\d+),endColumn=(?P<end_col>\d+),title=(?P<title>[^:]+)::(?P<message>.*)$"
)
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def examples_json() -> list[dict]:
    done = run_infralint("check", "examples", "--no-cache", "--format", "json", cwd=ROOT)
    assert done.returncode == 1, done.stderr.decode()
    return json.loads(done.stdout)


def test_sarif_of_the_examples_is_valid_and_complete(tmp_path):
    target = tmp_path / "infralint.sarif"
    done = run_infralint("check", "examples", "--no-cache", "--format", "sarif", "--output-file", str(target), cwd=ROOT)
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout == b""  # the report went to the file
    document = json.loads(target.read_text(encoding="utf-8"))

    schema = json.loads((DATA / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    validator_cls = validator_for(schema)
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])

    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    expected = examples_json()
    assert len(results) == len(expected) > 0
    for result, finding in zip(results, expected):
        assert result["ruleId"] == finding["code"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == _LEVELS[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        assert set(result["partialFingerprints"]) == {"infralintBaseline/v1"}
        assert location["region"]["startLine"] == finding["range"]["start"]["line"]
        assert location["region"]["startColumn"] == finding["range"]["start"]["column"] + 1
        has_edits = bool(finding["fix"] and finding["fix"]["edits"])
        assert ("fixes" in result) == has_edits
    assert all(rule["helpUri"].startswith("https://") for rule in rules)
    # every rule's help page is a generated file of this repository
    for rule in rules:
        assert (ROOT / "docs" / "rules" / f"{rule['id']}.md").is_file()
        assert rule["helpUri"].endswith(f"/docs/rules/{rule['id']}.md")


def test_sarif_paths_are_relative_to_the_repository_root_from_any_folder(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # a checkout's marker; git itself is never run
    (repo / "svc" / "app").mkdir(parents=True)
    (repo / "svc" / "app" / "timing.py").write_text("def f(s):\n    return time.time() - s\n", encoding="utf-8")
    documents = []
    for cwd, target in ((repo, "svc"), (repo / "svc", "."), (repo / "svc" / "app", "timing.py")):
        done = run_infralint("check", target, "--no-cache", "--format", "sarif", cwd=cwd)
        assert done.returncode == 1, done.stderr.decode()
        documents.append(json.loads(done.stdout))
    for document in documents:
        (run,) = document["runs"]
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
        [result] = run["results"]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "svc/app/timing.py", "uriBaseId": "%SRCROOT%"}
    fingerprints = {d["runs"][0]["results"][0]["partialFingerprints"]["infralintBaseline/v1"] for d in documents}
    assert len(fingerprints) == 1


def test_sarif_columns_are_code_points(tmp_path):
    (tmp_path / "m.py").write_text('label = "😋é"; x = undefined_name\n', encoding="utf-8")
    document = json.loads(run_infralint("check", "m.py", "--no-cache", "--format", "sarif", cwd=tmp_path).stdout)
    (run,) = document["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    start = 'label = "😋é"; x = '.__len__() + 1
    assert (region["startColumn"], region["endColumn"]) == (start, start + len("undefined_name"))
    concise = run_infralint("check", "m.py", "--no-cache", "--format", "concise", cwd=tmp_path).stdout.decode()
    assert concise.startswith(f"m.py:1:{start}: INF101")


def test_github_annotations_of_the_examples():
    done = run_infralint("check", "examples", "--no-cache", "--format", "github", cwd=ROOT)
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    expected = examples_json()
    assert len(lines) == len(expected) > 0
    for line, finding in zip(lines, expected):
        match = _ANNOTATION_RE.match(line)
        assert match, f"not a workflow command: {line!r}"
        assert match["file"] == finding["path"]
        assert (int(match["line"]), int(match["col"])) == (finding["range"]["start"]["line"], finding["range"]["start"]["column"] + 1)
        assert match["title"] == f"{finding['code']} {finding['name']}"
        assert match["message"].startswith(finding["code"] + " ")
        assert "\n" not in match["message"]


def test_github_annotations_escape_workflow_command_syntax(tmp_path):
    odd = tmp_path / "rates,100%.py"
    odd.write_text("def f(:\n    pass\n", encoding="utf-8")
    done = run_infralint("check", odd.name, "--no-cache", "--format", "github", cwd=tmp_path)
    (line,) = done.stdout.decode().splitlines()
    assert line.startswith("::error file=rates%2C100%25.py,line=1,")


def _action_step(name: str) -> dict:
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    return next(step for step in action["runs"]["steps"] if step.get("name") == name)


def _run_lint_step(tmp_path: Path, **inputs: str):
    """Run the action's lint step as GitHub would: bash, inputs passed through `env`."""
    import os
    import subprocess
    import sys

    step = _action_step("Run infralint")
    defaults = {"paths": ".", "args": "", "baseline": "", "sarif-file": "infralint.sarif", "annotate": "false"}
    # the install step's output: the virtual environment's scripts (here: this test environment's)
    values = {**defaults, **inputs, "steps.install.outputs.bin": str(Path(sys.executable).parent)}
    env = {key: value.replace("${{ inputs.", "").replace("${{ ", "").replace(" }}", "") for key, value in step["env"].items()}
    env = {key: values[name] for key, name in env.items()}
    output = tmp_path / "github_output"
    output.write_text("")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=ROOT,
        env={**os.environ, **env, "PATH": path, "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, output.read_text()


def test_action_lint_step_writes_sarif_and_keeps_going_on_findings(tmp_path):
    sarif = tmp_path / "out.sarif"
    done, outputs = _run_lint_step(tmp_path, paths="examples", args="--no-cache", **{"sarif-file": str(sarif), "annotate": "true"})
    assert done.returncode == 0, done.stderr  # findings fail a later step, after the upload
    assert "exit-code=1" in outputs
    assert json.loads(sarif.read_text())["runs"][0]["results"]
    # annotations come from the same run's SARIF, and equal what `--format github` prints
    github = run_infralint("check", "examples", "--no-cache", "--format", "github", cwd=ROOT).stdout.decode()
    assert done.stdout == github and "::error file=examples/" in github

    baseline = tmp_path / "baseline.json"
    run_infralint("check", "examples", "--no-cache", "--write-baseline", str(baseline), cwd=ROOT)
    done, outputs = _run_lint_step(tmp_path, paths="examples", args="--no-cache", baseline=str(baseline), **{"sarif-file": str(sarif)})
    assert "exit-code=0" in outputs, done.stderr
    assert json.loads(sarif.read_text())["runs"][0]["results"] == []


def test_action_lint_step_fails_on_usage_errors(tmp_path):
    done, outputs = _run_lint_step(tmp_path, paths="examples", args="--select NOPE", **{"sarif-file": str(tmp_path / "x.sarif")})
    assert done.returncode == 2
    assert "exit-code=2" in outputs


def test_action_installs_python_and_uploads_with_codeql():
    setup = _action_step("Set up Python")
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["update-environment"] is False  # the caller's Python stays as it was
    assert "cache" in _action_step("Cache pip downloads")["uses"]
    upload = _action_step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"] == {"sarif_file": "${{ inputs.sarif-file }}", "category": "${{ inputs.category }}"}
    # read-only tokens of fork pull requests: no upload, a notice instead
    assert "github.event.pull_request.head.repo.full_name == github.repository" in upload["if"]
    assert "::notice" in _action_step("Skip the upload for a fork")["run"]


def test_action_pins_every_action_to_a_commit():
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_github_paths_are_relative_to_the_repository_root_from_a_subfolder(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "svc" / "app").mkdir(parents=True)
    (repo / "svc" / "app" / "timing.py").write_text("def f(s):\n    return time.time() - s\n", encoding="utf-8")
    for cwd, target in ((repo, "svc"), (repo / "svc", "."), (repo / "svc" / "app", "timing.py")):
        done = run_infralint("check", target, "--no-cache", "--format", "github", cwd=cwd)
        (line,) = done.stdout.decode().splitlines()
        assert _ANNOTATION_RE.match(line)["file"] == "svc/app/timing.py", line


def test_github_paths_outside_a_checkout_are_relative_to_the_configuration_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "timing.py").write_text("def f(s):\n    return time.time() - s\n", encoding="utf-8")
    done = run_infralint("check", "timing.py", "--no-cache", "--format", "github", cwd=tmp_path / "svc")
    (line,) = done.stdout.decode().splitlines()
    assert _ANNOTATION_RE.match(line)["file"] == "svc/timing.py", line


def test_github_level_is_the_rule_severity(tmp_path):
    """error-severity rules annotate as `::error`, warning-severity ones as `::warning`."""
    from infralint.catalog import load_catalog

    catalog = load_catalog()
    lines = run_infralint("check", "examples", "--no-cache", "--format", "github", cwd=ROOT).stdout.decode().splitlines()
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    seen = set()
    for line in lines:
        match = _ANNOTATION_RE.match(line)
        code = match["title"].split()[0]
        assert match["level"] == levels[catalog[code].severity], line
        seen.add(match["level"])
    assert "error" in seen


def test_github_keeps_standard_input_as_dash(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    done = run_infralint("check", "--no-cache", "--format", "github", "-", cwd=tmp_path / "sub", stdin="x = undefined_name\n")
    (line,) = done.stdout.decode().splitlines()
    assert _ANNOTATION_RE.match(line)["file"] == "-", line
