"""Conventions people know from ruff and flake8, through the installed `infralint` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infralint.api import lint_source
from infralint.catalog import FIX_SAFETY_MEANINGS, load_catalog
from infralint.commands.common import use_color
from infralint.finding import FixSafety

from ..conftest import ROOT, config_for, run_infralint

UNDEFINED = "def elapsed(start):\n    return time.time() - start\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    (tmp_path / "timing.py").write_text(UNDEFINED, encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    return tmp_path


@pytest.mark.integration
def test_dash_reads_standard_input(project):
    done = run_infralint("check", "--no-cache", "--format", "concise", "-", cwd=project, stdin=UNDEFINED)
    assert done.returncode == 1, done.stderr
    assert done.stdout.decode().startswith("-:2:12: INF101 ")
    named = run_infralint("check", "--format", "concise", "--stdin-filename", "app/timing.py", "-", cwd=project, stdin=UNDEFINED)
    assert named.stdout.decode().startswith("app/timing.py:2:12: INF101 ")
    mixed = run_infralint("check", "-", "timing.py", cwd=project, stdin=UNDEFINED)
    assert mixed.returncode == 2 and b"cannot be combined" in mixed.stderr


@pytest.mark.parametrize(
    "comment, skipped",
    [
        ("# flake8: noqa", True),
        ("# ruff: noqa", True),
        ("# FLAKE8= NOQA", True),
        ("# infralint: skip-file", True),
        ("# flake8: noqa: E501", False),  # flake8 ignores this form; ruff's codes are its own
        ("# ruff: noqa: F401", False),
        ("x = 1  # flake8: noqa", False),  # the file-level forms stand on a line of their own
    ],
)
def test_file_level_suppressions_of_peer_tools(comment, skipped):
    findings = lint_source(f"{comment}\n{UNDEFINED}", "m.py", config_for(["INF101"]))
    assert (findings == []) is skipped, findings


@pytest.mark.integration
def test_statistics_counts_per_code_instead_of_findings(project):
    (project / "more.py").write_text(UNDEFINED, encoding="utf-8")
    done = run_infralint("check", "--no-cache", "--statistics", cwd=project)
    assert done.returncode == 1
    assert done.stdout.decode().splitlines() == [
        "2  INF101  [*]  undefined-name",
        "1  INF001       syntax-error",
        "Found 3 findings ([*]: fixable with --fix).",
    ]
    as_json = json.loads(run_infralint("check", "--no-cache", "--statistics", "--format", "json", cwd=project).stdout)
    assert as_json == [
        {"code": "INF101", "name": "undefined-name", "count": 2, "fixable": 2},
        {"code": "INF001", "name": "syntax-error", "count": 1, "fixable": 0},
    ]


@pytest.mark.integration
def test_output_format_is_an_alias_of_format(project):
    a = run_infralint("check", "--no-cache", "--output-format", "concise", cwd=project)
    b = run_infralint("check", "--no-cache", "--format", "concise", cwd=project)
    assert a.stdout == b.stdout and a.stdout.decode().count("\n") == 2


class _Pipe:
    def isatty(self) -> bool:
        return False


def test_force_color_and_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert not use_color("auto", _Pipe())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", _Pipe())
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins, as both conventions say
    assert not use_color("auto", _Pipe())
    assert use_color("always", _Pipe())


@pytest.mark.integration
def test_force_color_colours_a_piped_report(project):
    done = run_infralint("check", "--no-cache", "timing.py", cwd=project, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert b"\x1b[" in done.stdout


@pytest.mark.integration
@pytest.mark.parametrize("width", ["40", "200"])
def test_rule_explanation_is_never_cut(width):
    """Piped or in any terminal width, every word of the catalog text is printed (wrapped)."""
    entry = load_catalog()["INF201"]
    done = run_infralint("rule", "INF201", env={"COLUMNS": width})
    assert done.returncode == 0
    out = done.stdout.decode()
    words = set(re.findall(r"\w+", out))
    for text in (entry.what, entry.why, entry.bad_example, entry.good_example, entry.fix_description):
        missing = set(re.findall(r"\w+", text)) - words
        assert not missing, f"lost at width {width}: {sorted(missing)[:10]}"
    assert entry.docs_url in re.sub(r"\s+", "", out)


@pytest.mark.integration
def test_rules_as_json_for_tooling():
    done = run_infralint("rules", "--format", "json")
    rules = json.loads(done.stdout)
    by_code = {r["code"]: r for r in rules}
    assert by_code["INF201"]["fix_safety"] == "sometimes"
    assert by_code["INF101"]["docs_url"].endswith("/docs/rules/INF101.md")
    assert {"cleanup.function-names"} <= {o["name"] for o in by_code["INF201"]["options"]}


@pytest.mark.integration
def test_rules_listing_explains_sometimes():
    out = run_infralint("rules", env={"COLUMNS": "200"}).stdout.decode()
    assert FIX_SAFETY_MEANINGS["sometimes"] in out


def _fixtures() -> list[Path]:
    return sorted((ROOT / "tests" / "rules").glob("*/fixtures/**/*.py"))


def test_catalog_fix_safety_agrees_with_the_findings():
    """`infralint rules` says what the findings do: over every family's fixtures, each rule's fixes
    have only the safeties its catalog entry allows, and `sometimes` really means both."""
    allowed = {"none": set(), "safe": {FixSafety.SAFE}, "unsafe": {FixSafety.UNSAFE}, "sometimes": {FixSafety.SAFE, FixSafety.UNSAFE}}
    catalog = load_catalog()
    seen: dict[str, set] = {code: set() for code in catalog}
    config = config_for(sorted(catalog))
    for path in _fixtures():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for finding in lint_source(text, path.relative_to(ROOT).as_posix(), config):
            if finding.fix is not None:
                seen[finding.code].add(finding.fix.safety)
    for code, safeties in seen.items():
        assert safeties <= allowed[catalog[code].fix_safety], f"{code}: catalog says {catalog[code].fix_safety}, findings {safeties}"
        if catalog[code].fix_safety == "sometimes":
            assert safeties == allowed["sometimes"], f"{code}: `sometimes` but only {safeties} seen"
