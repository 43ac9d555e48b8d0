"""json/sarif carry every fix's edits (and `"fix": null` without a fix); `--show-fixes` lists what
`--fix` fixed, as ruff's does."""

from __future__ import annotations

import json

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

NEEDS_IMPORT = "def elapsed(start):\n    return time.time() - start\n"
NO_FIX = "def handler():\n    return missing_name\n"


def run(tmp_path, *extra, expect=1):
    (tmp_path / "job.py").write_text(NEEDS_IMPORT)
    proc = run_infralint("check", "--no-cache", "--select", "INF101", *extra, "job.py", cwd=tmp_path)
    assert proc.returncode == expect, proc.stderr.decode()
    return proc


def test_json_carries_the_edits(tmp_path):
    (finding,) = json.loads(run(tmp_path, "--format", "json").stdout)
    assert finding["fix"]["safety"] == "safe"
    assert finding["fix"]["edits"] == [{"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 0}, "content": "import time\n\n\n"}]


def test_json_fix_is_null_without_a_fix(tmp_path):
    (tmp_path / "h.py").write_text(NO_FIX)
    proc = run_infralint("check", "--no-cache", "--select", "INF101", "--format", "json", "h.py", cwd=tmp_path)
    (finding,) = json.loads(proc.stdout)
    assert finding["code"] == "INF101" and finding["fix"] is None


def test_sarif_carries_the_fixes(tmp_path):
    sarif = json.loads(run(tmp_path, "--format", "sarif").stdout)
    (result,) = sarif["runs"][0]["results"]
    assert result["fixes"][0]["description"]["text"] == "Add `import time` (safe fix)"
    (change,) = result["fixes"][0]["artifactChanges"]
    assert change["replacements"][0]["insertedContent"]["text"] == "import time\n\n\n"


def test_show_fixes_lists_what_fix_fixed(tmp_path):
    proc = run(tmp_path, "--fix", "--show-fixes", expect=0)
    out = proc.stdout.decode()
    assert "Fixed 1 finding:\n- job.py:\n    1 × INF101 (undefined-name)\n" in out
    assert (tmp_path / "job.py").read_text().startswith("import time\n")


def test_show_fixes_keeps_a_json_report_parseable(tmp_path):
    proc = run(tmp_path, "--fix", "--show-fixes", "--format", "json", expect=0)
    assert json.loads(proc.stdout) == []
    assert "1 × INF101 (undefined-name)" in proc.stderr.decode()


def test_without_show_fixes_fix_only_counts(tmp_path):
    out = run(tmp_path, "--fix", expect=0).stdout.decode()
    assert "Fixed 1 finding." in out and "× INF101" not in out
