"""`--fix --unsafe-fixes` over a copy of the standard library: every fixed file still parses, and a
second run changes nothing. The counts of changed files and lines are printed (run with `-s`)."""

from __future__ import annotations

import difflib
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import run_infralint
from .corpus import python_accepts, python_files, stdlib_folder

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.blake2b(p.read_bytes()).hexdigest() for p in python_files(folder)}


def _fix(folder: Path, config: Path):
    return run_infralint(
        "check", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "--format", "concise", "--jobs", "2",
        "--config", str(config), str(folder),
    )


def test_fix_everything_in_a_copy_of_the_stdlib(tmp_path):
    original = stdlib_folder()
    copy = tmp_path / "stdlib"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc"), symlinks=True)
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.infralint]\nrespect-gitignore = false\nselect = ['INF']\n")
    before = _snapshot(copy)

    first = _fix(copy, config)
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert b"internal error" not in first.stderr, first.stderr.decode()[-2000:]
    after = _snapshot(copy)
    changed = sorted(name for name in before if after.get(name) != before[name])
    assert set(after) == set(before)  # no file appears or disappears (no temporary files left)

    broken = [name for name in changed if not python_accepts((copy / name).read_bytes())]
    assert not broken, f"fixed files that no longer parse: {broken[:20]}"
    lines = 0
    for name in changed:
        old = (original / name).read_text(encoding="utf-8", errors="replace").splitlines()
        new = (copy / name).read_text(encoding="utf-8", errors="replace").splitlines()
        lines += sum(1 for line in difflib.unified_diff(old, new, n=0, lineterm="") if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    print(f"\n--fix --unsafe-fixes over {len(before)} stdlib files: {len(changed)} files changed, {lines} lines added or removed")

    second = _fix(copy, config)
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    assert _snapshot(copy) == after, "a second --fix run changed files again"


#: standard-library packages the interpreter does not load at start-up, so a copy earlier on
#: `sys.path` is the one imported; their local imports include ones that break import cycles
#: (`from . import DefaultEventLoopPolicy` in `asyncio/events.py`)
_PACKAGES = ("asyncio", "concurrent", "email", "http", "json", "logging", "unittest", "urllib", "xml", "xmlrpc")


@pytest.mark.parametrize("report_loaded", [False, True])
def test_unsafe_hoists_leave_every_package_importable(tmp_path, report_loaded):
    """After `--fix --unsafe-fixes`, each package still imports (in a subprocess: the fixed copy of
    the standard library is imported, never the code infralint lints in its own process)."""
    copy = tmp_path / "lib"
    for package in _PACKAGES:
        shutil.copytree(stdlib_folder() / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "test", "tests"))
    config = tmp_path / "pyproject.toml"
    loaded = "true" if report_loaded else "false"
    config.write_text(f"[tool.infralint]\nrespect-gitignore = false\nselect = ['INF2']\n\n[tool.infralint.cleanup]\nreport-loaded-modules = {loaded}\n")
    before = _snapshot(copy)
    result = _fix(copy, config)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert _snapshot(copy) != before, "no import was hoisted: the test would prove nothing"

    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import importlib\n"
        f"for name in {_PACKAGES!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    assert module.__file__.startswith(sys.argv[1]), module.__file__\n"
        "import asyncio\n"
        "assert asyncio.run(asyncio.sleep(0, 'ran')) == 'ran'\n"
        "import asyncio.events; asyncio.events.get_event_loop_policy()\n"
    )
    imported = subprocess.run([sys.executable, "-E", "-s", "-c", script, str(copy)], capture_output=True, timeout=120)
    assert imported.returncode == 0, imported.stderr.decode()[-3000:]
