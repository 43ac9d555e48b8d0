"""The installed `infralint` command, driven as a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from infralint.cache import decode_cache_file, encode_cache_file
from infralint.cache_key import cache_key

from ..conftest import DATA, run_infralint

pytestmark = pytest.mark.integration


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project with a good file, a syntax error and an undecodable file."""
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n")
    (tmp_path / "good.py").write_text("import os\n\nprint(os.sep)\n")
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "binary.py").write_bytes(b"x = '\xff\xfe'\n")
    return tmp_path


def test_version():
    proc = run_infralint("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("infralint ")


def test_meta_findings_and_the_rest_still_linted(tree):
    proc = run_infralint("check", "--no-cache", "--format", "concise", cwd=tree)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines == [
        "binary.py:1:1: INF002 file cannot be decoded: invalid start byte at byte 5 (not valid utf-8); importing it raises SyntaxError",
        "broken.py:1:7: INF001 file does not parse: invalid syntax; importing it raises SyntaxError",
    ]


def test_clean_run_exits_zero(tree):
    proc = run_infralint("check", "good.py", "--no-cache", cwd=tree)
    assert proc.returncode == 0 and "All checks passed" in proc.stdout.decode()


def test_exit_zero_and_output_file(tree):
    proc = run_infralint("check", "--no-cache", "--exit-zero", "--format", "json", "--output-file", "out.json", cwd=tree)
    assert proc.returncode == 0 and proc.stdout == b""
    report = json.loads((tree / "out.json").read_text())
    assert {f["code"] for f in report} == {"INF001", "INF002"}


def test_text_report_has_frame_and_summary(tree):
    proc = run_infralint("check", "--no-cache", cwd=tree)
    out = proc.stdout.decode()
    assert "broken.py:1:7: INF001" in out
    assert " > 1 | def f(:" in out and "^" in out
    assert "Found 2 findings in 2 files." in out  # files with findings, not files checked


def test_json_schema_is_stable(tree):
    proc = run_infralint("check", "broken.py", "--no-cache", "--format", "json", cwd=tree)
    [finding] = json.loads(proc.stdout)
    assert finding == {
        "code": "INF001",
        "name": "syntax-error",
        "message": "file does not parse: invalid syntax; importing it raises SyntaxError",
        "path": "broken.py",
        "range": {"start": {"line": 1, "column": 6}, "end": {"line": 1, "column": 6}},
        "severity": "error",
        "fix": None,
    }


def test_sarif_validates_against_the_official_schema(tree):
    proc = run_infralint("check", "--no-cache", "--format", "sarif", cwd=tree)
    document = json.loads(proc.stdout)
    schema = json.loads((DATA / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    assert {r["ruleId"] for r in run["results"]} == {"INF001", "INF002"}
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_github_annotations(tree):
    proc = run_infralint("check", "broken.py", "--no-cache", "--format", "github", cwd=tree)
    assert proc.stdout.decode() == (
        "::error file=broken.py,line=1,col=7,endLine=1,endColumn=7,title=INF001 syntax-error::INF001 file does not parse: invalid syntax; importing it raises SyntaxError\n"
    )


def test_stdin_mode_reports_under_the_given_name(tree):
    proc = run_infralint("check", "--stdin-filename", "pkg/mod.py", "--format", "concise", stdin="x = (\n", cwd=tree)
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("pkg/mod.py:1:5: INF001")


@pytest.mark.parametrize(
    "pyproject, expected",
    [
        ("[tool.infralint]\nselcet = ['INF0']\n", "unknown key `selcet` (did you mean `select`?)"),
        ("[tool.infralint]\nselect = 'INF0'\n", "`select` must be a list of strings"),
        ("[tool.infralint]\nignore = ['INF901']\n", "unknown rule code `INF901`"),
        ("[tool.infralint]\nper-file-ignores = {'x.py' = 'INF001'}\n", "per-file-ignores `x.py` must be a list"),
        ("[tool.infralint\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(tmp_path, pyproject, expected):
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "a.py").write_text("x = 1\n")
    proc = run_infralint("check", "--no-cache", cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert expected in err and "pyproject.toml" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_command_line_is_exit_2(tree):
    for args in (["check", "--select", "NOPE"], ["check", "--format", "xml"], ["check", "--jobs", "0"], ["rule", "INF9999"]):
        proc = run_infralint(*args, cwd=tree)
        assert proc.returncode == 2, args
        assert proc.stderr.decode().startswith("infralint: error:") and "Traceback" not in proc.stderr.decode()


def test_select_and_ignore_override_the_file(tree):
    (tree / "pyproject.toml").write_text("[tool.infralint]\nignore = ['INF001']\n")
    proc = run_infralint("check", "--no-cache", "--format", "concise", cwd=tree)
    assert "INF001" not in proc.stdout.decode()
    proc = run_infralint("check", "--no-cache", "--format", "concise", "--ignore", "INF002", "--select", "INF0", cwd=tree)
    assert "INF002" not in proc.stdout.decode()


def test_explicit_config_file(tree, tmp_path_factory):
    other = tmp_path_factory.mktemp("cfg") / "pyproject.toml"
    other.write_text("[tool.infralint]\nignore = ['INF002']\n")
    proc = run_infralint("check", "--no-cache", "--format", "concise", "--config", str(other), cwd=tree)
    assert "INF002" not in proc.stdout.decode() and "INF001" in proc.stdout.decode()


def test_second_run_is_served_from_the_cache(tree):
    first = run_infralint("check", "--format", "json", cwd=tree)
    cache_files = list((tree / ".infralint_cache").glob("*.json"))
    assert len(cache_files) == 1
    # an entry changed and signed as infralint signs it (a hand edit alone is never trusted)
    key, name = cache_key(), cache_files[0].name
    entries = decode_cache_file(key, name, cache_files[0].read_bytes())
    broken = next(key for key in entries if key.endswith("broken.py"))
    entries[broken]["findings"][0]["message"] = "served from cache"
    cache_files[0].write_bytes(encode_cache_file(key, name, entries))
    second = run_infralint("check", "--format", "json", cwd=tree)
    assert first.returncode == second.returncode == 1
    assert "served from cache" in second.stdout.decode()
    uncached = run_infralint("check", "--format", "json", "--no-cache", cwd=tree)
    assert "served from cache" not in uncached.stdout.decode()


def test_rules_and_rule_explanation():
    listing = run_infralint("rules").stdout.decode()
    assert "INF001" in listing and "syntax-error" in listing
    explained = run_infralint("rule", "inf001")
    text = explained.stdout.decode()
    assert explained.returncode == 0
    for heading in ("What it does", "Why this breaks production", "Example", "Fix"):
        assert heading in text


def test_python_dash_m(tree):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "infralint", "check", "broken.py", "--no-cache", "--format", "concise"], cwd=tree, capture_output=True)
    assert proc.returncode == 1 and b"INF001" in proc.stdout
