"""Report paths relative to the repository root, where CI systems (GitHub, GitLab) resolve them."""

from __future__ import annotations

import os
from pathlib import Path


def repository_path(path: str, root: Path | None) -> str:
    """`path` relative to `root` when inside it (as posix), else unchanged."""
    if root is None or path == "-":  # standard input has no place in the tree
        return path
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path
