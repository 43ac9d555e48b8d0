"""File names chosen by the tree: escapes, newlines, `%`, `:`, spaces and bytes that are not UTF-8.

Human formats must not pass a terminal escape or a forged line through; SARIF must carry RFC 3986
URIs that name the exact file; JSON must stay valid Unicode.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from jsonschema.validators import validator_for

from infralint.report.sarif_annotations import findings_from_sarif

from ..conftest import DATA, run_infralint

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names"), pytest.mark.integration]

FINDING = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"
ESCAPE_NAME = "eq%25 c:evil\x1b[31m\u202e.py"
FORGED_NAME = "nl\nx.py:1:1: INF000 forged.py"
BAD_BYTES_NAME = b"bad\xff.py"
# RFC 3986 URI-reference characters: unreserved, reserved, and percent-encoded octets only
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-F]{2})*$")


@pytest.fixture
def hostile_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in (ESCAPE_NAME, FORGED_NAME, "plain.py"):
        (tree / name).write_text(FINDING)
    with open(os.path.join(os.fsencode(tree), BAD_BYTES_NAME), "w") as handle:
        handle.write(FINDING)
    return tree


def _lint(tree: Path, output: str, *extra: str):
    done = run_infralint("check", "--no-cache", "--format", output, *extra, ".", cwd=tree)
    assert done.returncode == 1, done.stderr.decode()
    return done.stdout


@pytest.mark.parametrize("output", ["text", "concise", "github"])
def test_human_formats_never_print_a_control_character(hostile_tree, output):
    text = _lint(hostile_tree, output).decode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31m" in text  # the name is still recognisable
    assert "\\xff" in text  # the undecodable byte is shown, not dropped
    findings = [line for line in text.splitlines() if "INF201" in line and not line.lstrip()[:1].isdigit()]
    assert len(findings) == 4, text  # four files, one line each: the newline in a name forged none
    assert not any(line.startswith(("x.py:1:1", "::error file=x.py")) for line in text.splitlines())


def test_a_source_line_with_an_escape_is_framed_harmlessly(tmp_path):
    (tmp_path / "app.py").write_text('BANNER = "\x1b]0;owned\x07"\n' + FINDING)
    done = run_infralint("check", "--no-cache", "--format", "text", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode()
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout


def test_github_escapes_its_own_separators_in_properties(hostile_tree):
    text = _lint(hostile_tree, "github").decode("utf-8")
    line = next(line for line in text.splitlines() if "eq%2525" in line)
    file_property = line.split(" ", 1)[1].split(",line=", 1)[0]
    assert file_property == "file=eq%2525 c%3Aevil\\x1b[31m\\u202e.py"


def test_sarif_uris_are_percent_encoded_and_name_the_exact_files(hostile_tree):
    document = json.loads(_lint(hostile_tree, "sarif"))
    schema = json.loads((DATA / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    errors = list(validator.iter_errors(document))
    assert not errors, errors[0].message
    run = document["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    uris.append(run["originalUriBaseIds"]["%SRCROOT%"]["uri"])
    assert all(_URI_CHARS.match(uri) for uri in uris), uris
    # a relative reference whose first segment holds `:` would read as a scheme
    assert not any(":" in uri.split("/")[0] for uri in uris[:-1])
    names = {os.fsencode(unquote(uri, errors="surrogateescape")) for uri in uris[:-1]}
    assert names == {os.fsencode(n) for n in (ESCAPE_NAME, FORGED_NAME, "plain.py")} | {BAD_BYTES_NAME}
    # and the annotations derived from the report name the same files
    assert {os.fsencode(f.path) for f in findings_from_sarif(document)} == names


def test_json_of_a_name_that_is_not_utf8_is_valid_unicode(hostile_tree):
    raw = _lint(hostile_tree, "json")
    findings = json.loads(raw.decode("utf-8"))
    for finding in findings:
        finding["path"].encode("utf-8")  # no lone surrogate survives
    assert "bad\ufffd.py" in {f["path"] for f in findings}


def test_warnings_about_a_file_print_its_name_escaped(tmp_path):
    name = "evil\x1b]0;title\x07.py"
    os.mkfifo(tmp_path / name)  # reported as unreadable: its name reaches stderr too
    (tmp_path / "app.py").write_text(FINDING)
    done = run_infralint("check", "--no-cache", "--fix", "--format", "concise", ".", cwd=tmp_path)
    assert b"\x1b" not in done.stdout + done.stderr and b"\x07" not in done.stdout + done.stderr
    assert b"evil\\x1b]0;title\\x07.py" in done.stdout + done.stderr
