"""Lines are numbered as the parser numbers them: a lone `\\r` ends a line even in a file whose
other lines end with `\\n`, so what follows it keeps its findings, its suppressions and its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from infralint.api import lint_source
from infralint.config import Config

from ..conftest import run_infralint

CLEANUP_IMPORT = ["import os", "", "def close(conn):", "    try:", "        conn.close()", "    finally:", "        import logging"]


def _mixed(lines: list[str], cr_from: int) -> str:
    """`\\n` after the first `cr_from` lines, a lone `\\r` after the others."""
    return "".join(line + ("\n" if number < cr_from else "\r") for number, line in enumerate(lines))


@pytest.mark.parametrize("cr_from", [0, 1, 2, 7], ids=["all-cr", "cr-after-one", "cr-after-two", "no-cr"])
def test_a_cleanup_import_after_lone_cr_lines_is_found_on_its_line(cr_from):
    findings = lint_source(_mixed(CLEANUP_IMPORT, cr_from), "svc/db.py", Config())
    assert [(f.code, f.line, f.col) for f in findings if f.code == "INF201"] == [("INF201", 7, 8)]


def test_a_noqa_after_lone_cr_lines_suppresses_its_own_line_only():
    suppressed = CLEANUP_IMPORT[:-1] + ["        import logging  # noqa: INF201"]
    assert not [f for f in lint_source(_mixed(suppressed, 1), "svc/db.py", Config()) if f.code == "INF201"]
    # a noqa on the next line is no suppression of this one
    next_line = CLEANUP_IMPORT + ["# noqa: INF201"]
    assert [f.line for f in lint_source(_mixed(next_line, 1), "svc/db.py", Config()) if f.code == "INF201"] == [7]


@pytest.mark.integration
def test_the_command_reports_and_fixes_a_mixed_file_keeping_its_other_line_ends(tmp_path: Path):
    path = tmp_path / "db.py"
    path.write_bytes(_mixed(CLEANUP_IMPORT, 1).encode())
    proc = run_infralint("check", "--no-cache", "--format", "concise", "db.py", cwd=tmp_path)
    assert proc.stdout.decode().startswith("db.py:7:9: INF201 "), proc.stdout
    proc = run_infralint("check", "--no-cache", "--fix", "db.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fixed = path.read_bytes()
    assert b"\nimport logging" in fixed or fixed.startswith(b"import logging")
    assert b"def close(conn):\r    try:\r        conn.close()\r" in fixed  # untouched lines keep their `\r`


@pytest.mark.integration
def test_code_frames_are_not_shifted_by_a_form_feed(tmp_path: Path):
    """The text report frames the reported line: a form feed inside an earlier line (a line end for
    `str.splitlines`, not for the parser) must not move the frame to the line before."""
    (tmp_path / "db.py").write_text("x = 1\f# page break\n\n\ndef close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n")
    proc = run_infralint("check", "--no-cache", "--format", "text", "db.py", cwd=tmp_path, env={"COLUMNS": "200"})
    out = proc.stdout.decode()
    assert proc.returncode == 1, proc.stderr.decode()
    framed = [line for line in out.splitlines() if line.lstrip().startswith(">")]
    assert framed and all("import logging" in line for line in framed), out
