"""`--fix --unsafe-fixes` over a copy of the standard library: every fixed file still parses, and a
second run changes nothing. The counts of changed files and lines are printed (run with `-s`)."""

from __future__ import annotations

import difflib
import hashlib
import shutil
from pathlib import Path

import pytest

from ..conftest import run_infralint
from .corpus import python_accepts, python_files, stdlib_folder

pytestmark = pytest.mark.slow


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
