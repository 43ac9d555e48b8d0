"""SECURITY.md's advice for untrusted folders holds: `python -P -m infralint` and the `infralint`
command never run an `infralint.py` (or package) that the current folder ships."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

SHADOW = "open(__file__ + '.RAN', 'w').close()\n"


@pytest.fixture
def shadowing_folder(tmp_path: Path) -> Path:
    (tmp_path / "infralint.py").write_text(SHADOW)
    return tmp_path


@pytest.mark.skipif(sys.version_info < (3, 11), reason="`-P` is new in Python 3.11")
def test_python_dash_p_runs_infralint_not_the_folders_module(shadowing_folder):
    done = subprocess.run([sys.executable, "-P", "-m", "infralint", "--version"], cwd=shadowing_folder, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert b"infralint" in done.stdout
    assert not (shadowing_folder / "infralint.py.RAN").exists()


def test_the_command_runs_infralint_not_the_folders_module(shadowing_folder):
    done = run_infralint("check", "--no-cache", ".", cwd=shadowing_folder)
    assert done.returncode in (0, 1), done.stderr.decode()
    assert not (shadowing_folder / "infralint.py.RAN").exists()


def test_plain_python_m_is_shadowed_as_documented(shadowing_folder):
    """The hazard SECURITY.md names: without `-P` the folder's module is what runs."""
    subprocess.run([sys.executable, "-m", "infralint", "--version"], cwd=shadowing_folder, capture_output=True, timeout=120)
    assert (shadowing_folder / "infralint.py.RAN").exists()
