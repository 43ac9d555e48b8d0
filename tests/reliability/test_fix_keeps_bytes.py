"""`--fix` keeps what it does not own: bytes in, the same bytes out when nothing changes; the
declared encoding, BOM and line ends when something does; a symbolic link stays a link; owner,
group and mode stay."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

# INF101 has a safe fix: add the missing standard-library import
NEEDS_IMPORT = "def elapsed(start):\n    return time.time() - start\n"
LATIN1 = "# -*- coding: latin-1 -*-\nNAME = 'café'\n"


def as_bytes(text: str, *, encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode(encoding)


def fix_stdin(data: bytes, *extra: str):
    return run_infralint("check", "--no-cache", "--select", "INF101", "--fix", "--stdin-filename", "job.py", *extra, stdin=data)


UNCHANGED = {
    "latin-1 with its cookie": as_bytes(LATIN1, encoding="latin-1"),
    "undecodable bytes": b"NAME = 'caf\xe9'\n",
    "BOM": as_bytes("NAME = 'café'\n", bom=True),
    "lone CR": as_bytes("x = 1\ny = 2\n", newline="\r"),
    "CRLF without a final line end": b"x = 1\r\ny = 2",
    "clean, with a finding that has no fix": as_bytes("def f():\n    return undefined_name\n"),
}


@pytest.mark.parametrize("data", UNCHANGED.values(), ids=UNCHANGED.keys())
def test_stdin_bytes_come_back_unchanged_when_nothing_is_fixed(data):
    proc = fix_stdin(data)
    assert proc.stdout == data, proc.stderr.decode()


FIXED = {
    "latin-1": (dict(encoding="latin-1"), LATIN1 + NEEDS_IMPORT),
    "BOM": (dict(bom=True), "NAME = 'café'\n" + NEEDS_IMPORT),
    "CRLF": (dict(newline="\r\n"), NEEDS_IMPORT),
    "lone CR": (dict(newline="\r"), NEEDS_IMPORT),
}


@pytest.mark.parametrize("form, text", FIXED.values(), ids=FIXED.keys())
def test_stdin_fixes_keep_encoding_bom_and_line_ends(form, text):
    proc = fix_stdin(as_bytes(text, **form))
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout
    assert out.startswith(b"\xef\xbb\xbf") == bool(form.get("bom"))
    decoded = out.removeprefix(b"\xef\xbb\xbf").decode(form.get("encoding", "utf-8"))
    newline = form.get("newline", "\n")
    assert "import time" in decoded
    assert decoded.endswith(newline)
    normal = decoded.replace("\r\n", "\n").replace("\r", "\n")
    assert decoded == normal.replace("\n", newline), "every line end kept in the file's own form"
    if "café" in text:
        assert "café".encode(form.get("encoding", "utf-8")) in out


@pytest.mark.parametrize("form, text", FIXED.values(), ids=FIXED.keys())
def test_files_on_disk_keep_encoding_bom_and_line_ends(tmp_path, form, text):
    path = tmp_path / "job.py"
    path.write_bytes(as_bytes(text, **form))
    stdin_result = fix_stdin(path.read_bytes()).stdout
    proc = run_infralint("check", "--no-cache", "--select", "INF101", "--fix", "job.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert path.read_bytes() == stdin_result  # one behaviour for files and editor buffers
    assert b"import time" in stdin_result


def test_lone_cr_files_are_linted_as_python_reads_them(tmp_path):
    source = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"
    (tmp_path / "job.py").write_bytes(source.replace("\n", "\r").encode())
    proc = run_infralint("check", "--no-cache", "--format", "concise", "--select", "INF2", "job.py", cwd=tmp_path)
    assert [line.split(" ")[0:2] for line in proc.stdout.decode().splitlines()] == [["job.py:5:9:", "INF201"]]


def test_fix_writes_through_a_symlink(tmp_path):
    real = tmp_path / "src" / "job.py"
    real.parent.mkdir()
    real.write_text(NEEDS_IMPORT)
    link = tmp_path / "job.py"
    link.symlink_to(Path("src") / "job.py")
    proc = run_infralint("check", "--no-cache", "--select", "INF101", "--fix", "job.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert link.is_symlink() and os.readlink(link) == os.path.join("src", "job.py")
    assert real.read_text().startswith("import time\n")
    assert sorted(p.name for p in real.parent.iterdir()) == ["job.py"]


def test_fix_keeps_mode(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(NEEDS_IMPORT)
    path.chmod(0o640)
    run_infralint("check", "--no-cache", "--select", "INF101", "--fix", "job.py", cwd=tmp_path)
    assert path.read_text().startswith("import time\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give files away")
def test_fix_run_as_root_keeps_owner_and_group(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(NEEDS_IMPORT)
    os.chown(path, 12345, 23456)
    run_infralint("check", "--no-cache", "--select", "INF101", "--fix", "job.py", cwd=tmp_path)
    assert path.read_text().startswith("import time\n")
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (12345, 23456)
