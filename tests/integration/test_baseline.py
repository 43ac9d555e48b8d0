"""The CI gate's baseline: `--write-baseline` records findings, `--baseline` reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infralint.baseline import fingerprint, load_baseline, new_findings, write_baseline
from infralint.finding import Finding

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

# INF003 (unused noqa, enabled in the project's configuration) gives findings on chosen lines
BLOCK = "A = 1\nX = 1  # noqa: INF001\nA = 1\n"


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.infralint]\nextend-select = ["INF003"]\n', encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "settings.py").write_text(BLOCK, encoding="utf-8")
    (tmp_path / "pkg" / "migration.py").write_text("def upgrade(:\n    pass\n", encoding="utf-8")
    return tmp_path


def check(project: Path, *args: str, cwd: Path | None = None):
    done = run_infralint("check", "--no-cache", "--format", "json", *args, cwd=cwd or project)
    findings = json.loads(done.stdout) if done.stdout.strip() else []
    return done.returncode, [(f["path"], f["range"]["start"]["line"], f["code"]) for f in findings], done.stderr.decode()


def test_write_then_check_reports_nothing(project):
    code, found, stderr = check(project, "--write-baseline", "baseline.json")
    assert code == 0, stderr
    assert sorted(found) == [("pkg/migration.py", 1, "INF001"), ("pkg/settings.py", 2, "INF003")]
    assert "wrote 2 finding(s)" in stderr
    entries = json.loads((project / "baseline.json").read_text())["entries"]
    assert sorted((e["path"], e["code"]) for e in entries) == [("pkg/migration.py", "INF001"), ("pkg/settings.py", "INF003")]

    code, found, stderr = check(project, "--baseline", "baseline.json")
    assert (code, found) == (0, []), stderr
    assert "2 finding(s) hidden by baseline" in stderr


def test_edits_above_a_finding_do_not_resurrect_it(project):
    check(project, "--write-baseline", "baseline.json")
    settings = project / "pkg" / "settings.py"
    settings.write_text('"""Settings."""\n\nimport os\n\n\n' + BLOCK.replace("A = 1\nX", "A  =  1\n\nX"), encoding="utf-8")
    code, found, stderr = check(project, "--baseline", "baseline.json")
    assert (code, found) == (0, []), stderr


def test_new_and_changed_findings_are_reported(project):
    check(project, "--write-baseline", "baseline.json")
    settings = project / "pkg" / "settings.py"
    settings.write_text(BLOCK + "B = 2\nY = 2  # noqa: INF001\n", encoding="utf-8")
    code, found, _ = check(project, "--baseline", "baseline.json")
    assert (code, found) == (1, [("pkg/settings.py", 5, "INF003")])

    # changing the flagged line itself makes it a different finding
    settings.write_text(BLOCK.replace("X = 1", "X = 2"), encoding="utf-8")
    code, found, _ = check(project, "--baseline", "baseline.json")
    assert (code, found) == (1, [("pkg/settings.py", 2, "INF003")])


def test_identical_findings_need_one_entry_each(project):
    settings = project / "pkg" / "settings.py"
    settings.write_text(BLOCK + BLOCK, encoding="utf-8")
    check(project, "--write-baseline", "baseline.json")
    assert check(project, "--baseline", "baseline.json")[:2] == (0, [])

    settings.write_text(BLOCK + BLOCK + BLOCK, encoding="utf-8")
    code, found, _ = check(project, "--baseline", "baseline.json")
    assert code == 1 and len(found) == 1 and found[0][2] == "INF003"


def test_paths_are_matched_relative_to_the_project_root(project):
    check(project, "--write-baseline", "baseline.json")
    code, found, stderr = check(project, "--baseline", "../baseline.json", ".", cwd=project / "pkg")
    assert (code, found) == (0, []), stderr


def test_missing_or_malformed_baseline_is_a_usage_error(project):
    code, _, stderr = check(project, "--baseline", "nope.json")
    assert code == 2 and "baseline file not found" in stderr
    (project / "bad.json").write_text('{"entries": 3}', encoding="utf-8")
    code, _, stderr = check(project, "--baseline", "bad.json")
    assert code == 2 and "not an infralint baseline" in stderr


def test_fingerprint_ignores_whitespace_and_blank_lines_but_not_content(tmp_path):
    finding = Finding("INF003", "unused-noqa", "m", "a.py", 2, 0, 2, 0)
    base = fingerprint(finding, ["A = 1", "X = 1", "A = 1"])
    assert fingerprint(finding, ["A  =  1", "X = 1   ", "A = 1"]) == base
    moved = Finding("INF003", "unused-noqa", "m", "a.py", 4, 0, 4, 0)
    assert fingerprint(moved, ["A = 1", "", "", "X = 1", "", "A = 1"]) == base
    assert fingerprint(finding, ["A = 1", "X = 2", "A = 1"]) != base

    target = tmp_path / "b.json"
    write_baseline(target, [finding], {"a.py": ["A = 1", "X = 1", "A = 1"]}, tmp_path)
    fresh, matched = new_findings([finding, finding], load_baseline(target), {"a.py": ["A = 1", "X = 1", "A = 1"]}, tmp_path)
    assert (len(fresh), matched) == (1, 1)
