"""Configuration files are read as Python's own tools read TOML: UTF-8, with or without a BOM.

A configuration saved as UTF-16 by a Windows editor, or in latin-1, is one clear error (exit 2),
never silently ignored; numbers an option cannot mean (`inf`, `nan`, `1e400`) are refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

FINDING = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"
TABLE = '[tool.infralint]\n# café\nignore = ["INF201"]\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(FINDING)
    return tmp_path


def _check(tree: Path):
    return run_infralint("check", "--no-cache", "--format", "concise", ".", cwd=tree)


@pytest.mark.parametrize("name", ["pyproject.toml", "infralint.toml"])
def test_a_bom_is_read_as_utf8(tree, name):
    text = TABLE if name == "pyproject.toml" else TABLE.replace("[tool.infralint]\n", "")
    (tree / name).write_bytes(text.encode("utf-8-sig"))
    proc = _check(tree)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()  # the ignore took effect


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_wide_configuration_is_an_error_not_ignored(tree, codec):
    (tree / "pyproject.toml").write_bytes(TABLE.encode(codec))
    proc = _check(tree)
    assert proc.returncode == 2, proc.stdout.decode()
    (line,) = proc.stderr.decode().splitlines()
    assert "pyproject.toml: configuration is not UTF-8" in line and "UTF-" in line and "save it as UTF-8" in line


def test_latin1_is_an_error(tree):
    (tree / "pyproject.toml").write_bytes(TABLE.encode("latin-1"))
    proc = _check(tree)
    assert proc.returncode == 2
    assert "configuration is not valid UTF-8 (byte" in proc.stderr.decode()


def test_a_wide_pyproject_of_another_tool_is_not_ours(tree):
    (tree / "pyproject.toml").write_bytes('[tool.black]\nline-length = 100\n'.encode("utf-16"))
    proc = _check(tree)
    assert proc.returncode == 1, proc.stderr.decode()  # linted with the defaults


@pytest.mark.parametrize("value", ["inf", "+inf", "-inf", "nan", "1e400", "-1e400"])
def test_a_number_that_is_not_finite_is_refused(tree, value):
    (tree / "pyproject.toml").write_text(f"[tool.infralint.timeouts]\nmax-redis-timeout = {value}\n")
    proc = _check(tree)
    assert proc.returncode == 2, proc.stdout.decode()
    assert "`timeouts.max-redis-timeout` must be a finite number" in proc.stderr.decode()


def test_a_large_finite_number_is_accepted(tree):
    (tree / "pyproject.toml").write_text("[tool.infralint.timeouts]\nmax-redis-timeout = 1e300\n")
    assert _check(tree).returncode in (0, 1)
