"""The file set every tool is timed on: Python files under the given paths, found once.

Every tool gets the same explicit list, so no tool's own discovery rules (excludes, `.gitignore`)
change what is measured. The default is the running interpreter's standard library.
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

# never part of the standard library proper, and never what a project lints
_SKIPPED_FOLDERS = {"site-packages", "dist-packages", "__pycache__", ".git", ".hg", ".tox", ".venv", "node_modules"}


def default_paths() -> list[Path]:
    return [Path(sysconfig.get_paths()["stdlib"])]


def python_files(paths: list[Path]) -> list[Path]:
    """Every `.py` file under `paths` (files named directly are kept), sorted, without duplicates."""
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(path.resolve())
            continue
        for folder, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if d not in _SKIPPED_FOLDERS]
            found.update(Path(folder, name).resolve() for name in filenames if name.endswith(".py"))
    return sorted(found)


def spread_sample(files: list[Path], limit: int | None) -> list[Path]:
    """At most `limit` files taken evenly across the sorted list (so every package is represented)."""
    if not limit or limit >= len(files):
        return list(files)
    step = len(files) / limit
    return [files[int(i * step)] for i in range(limit)]


def common_root(files: list[Path]) -> Path:
    """The deepest folder containing every file (tools run there with short relative paths)."""
    if not files:
        return Path.cwd()
    return Path(os.path.commonpath([str(f.parent) for f in files]))


def total_lines(files: list[Path]) -> int:
    count = 0
    for file in files:
        try:
            with open(file, "rb") as handle:
                count += sum(1 for _ in handle)
        except OSError:
            continue
    return count
