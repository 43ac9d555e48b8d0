"""The report formats as a ruff user reads them: the totals line, `--statistics` for the per-rule
table, short concise lines, and ruff's `--output-format` names (full, json-lines, junit, gitlab)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from infralint.catalog import load_catalog

from ..conftest import ROOT, run_infralint

pytestmark = pytest.mark.integration

UNDEFINED = "def elapsed(start):\n    return time.time() - start\n"
TWICE = "def f():\n    return a_name + b_name\n"
CLEAN = "import os\n\nprint(os.sep)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n")
    (tmp_path / "timing.py").write_text(UNDEFINED)
    (tmp_path / "names.py").write_text(TWICE)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def check(project, *args, expect=1):
    done = run_infralint("check", "--no-cache", "--select", "INF101", *args, cwd=project)
    assert done.returncode == expect, done.stderr.decode()
    return done.stdout.decode()


def test_text_totals_count_files_with_findings_and_no_table(project):
    out = check(project)
    assert "Found 3 findings in 2 files." in out
    assert "undefined-name" not in out  # the per-rule table is --statistics only
    stats = check(project, "--statistics")
    assert stats.startswith("3  INF101")


def test_full_is_text(project):
    assert check(project, "--output-format", "full") == check(project, "--output-format", "text")


def test_concise_lines_stay_short_and_the_full_text_is_elsewhere():
    concise = run_infralint("check", "examples", "--no-cache", "--format", "concise", cwd=ROOT).stdout.decode().splitlines()
    findings = json.loads(run_infralint("check", "examples", "--no-cache", "--format", "json", cwd=ROOT).stdout)
    assert len(concise) == len(findings) and any(len(f["message"]) > 300 for f in findings)
    full_text = run_infralint("check", "examples", "--no-cache", "--format", "full", cwd=ROOT).stdout.decode()
    for line, finding in zip(concise, findings):
        message = line.split(f": {finding['code']} ", 1)[1]
        assert len(message) <= 202, line
        if message != finding["message"]:
            assert message.endswith("…") and finding["message"].startswith(message.rstrip("… "))
        assert finding["message"] in full_text  # the full format keeps every word


def test_concise_cuts_a_long_message():
    from infralint.report.concise import MAX_MESSAGE, short_message

    sentence = "A first sentence that says what is wrong."
    long = sentence + " " + "Then the long explanation of why it matters. " * 10
    assert short_message(long) == sentence + " …"
    run_on = "x" * 500
    assert short_message(run_on) == "x" * (MAX_MESSAGE - 1) + "…"
    words = "word " * 100
    assert short_message(words).endswith("word…") and len(short_message(words)) <= MAX_MESSAGE
    assert short_message("short and whole") == "short and whole"


def test_json_lines_is_one_object_per_line(project):
    out = check(project, "--output-format", "json-lines")
    objects = [json.loads(line) for line in out.splitlines()]
    assert objects == json.loads(check(project, "--format", "json"))
    assert check(project, "clean.py", "--output-format", "json-lines", expect=0) == ""


def test_junit_is_well_formed_with_a_failure_per_finding(project):
    root = ElementTree.fromstring(check(project, "--output-format", "junit"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    failures = suite.findall("testcase/failure")
    assert len(failures) == int(suite.get("failures")) == 3
    assert {case.get("classname") for case in suite.findall("testcase")} == {"timing.py", "names.py"}
    assert all(f.get("type") == "INF101" for f in failures)
    clean = ElementTree.fromstring(check(project, "clean.py", "--output-format", "junit", expect=0))
    assert clean.find("testsuite").get("failures") == "0"


def test_gitlab_code_quality(project):
    report = json.loads(check(project, "--output-format", "gitlab"))
    assert len(report) == 3
    for issue in report:
        assert issue["check_name"] == "INF101"
        assert issue["description"] and issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] in {"timing.py", "names.py"} and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in report}) == 3
    again = json.loads(check(project, "--output-format", "gitlab"))
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in report]  # stable


def test_unknown_format_is_a_usage_error(project):
    done = run_infralint("check", "--output-format", "pylint", cwd=project)
    assert done.returncode == 2 and b"invalid choice" in done.stderr
