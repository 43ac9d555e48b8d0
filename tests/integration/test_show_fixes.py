"""json/sarif carry every fix's title and safety; building the edits (a LibCST parse per file)
happens only with `--show-fixes`, so the CI formats cost what `concise` costs."""

from __future__ import annotations

import json

from ..conftest import run_infralint

NEEDS_IMPORT = "def elapsed(start):\n    return time.time() - start\n"


def run(tmp_path, *extra):
    (tmp_path / "job.py").write_text(NEEDS_IMPORT)
    proc = run_infralint("check", "--no-cache", "--select", "INF101", *extra, "job.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_json_names_the_fix_without_building_it(tmp_path):
    (finding,) = run(tmp_path, "--format", "json")
    assert finding["fix"] == {"safety": "safe", "title": "Add `import time`", "edits": []}


def test_show_fixes_builds_the_edits(tmp_path):
    (finding,) = run(tmp_path, "--format", "json", "--show-fixes")
    assert finding["fix"]["edits"] == [{"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 0}, "content": "import time\n\n\n"}]
    sarif = run(tmp_path, "--format", "sarif", "--show-fixes")
    (result,) = sarif["runs"][0]["results"]
    assert result["fixes"][0]["description"]["text"] == "Add `import time` (safe fix)"
    assert "fixes" not in run(tmp_path, "--format", "sarif")["runs"][0]["results"][0]
