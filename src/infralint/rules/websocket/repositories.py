"""Which repository a file belongs to, for joins that rest on "the only one in the repository".

A run may hold several checkouts side by side (a monorepo of services, or folders linted together),
and a join by elimination — the only WebSocket server, the only middleware — is only sound within
one of them. The repository of a file is the nearest folder with a version-control directory (`.git`,
`.hg`); failing that, the outermost folder holding a repository marker (`.gitignore`, `.github`,
`.gitattributes`); failing that, the first folder of its path under the run's base.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

_VCS = (".git", ".hg")
_MARKERS = (".gitignore", ".github", ".gitattributes")


@lru_cache(maxsize=4096)
def _folder_repository(folder: str) -> str | None:
    """The repository folder of an absolute folder by its markers, or None."""
    outermost = None
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, name)) for name in _VCS):
            return current
        if any(os.path.exists(os.path.join(current, name)) for name in _MARKERS):
            outermost = current
        parent = os.path.dirname(current)
        if parent == current:
            return outermost
        current = parent


def repository_of(path: str, base: Path) -> str:
    """A key naming the repository of a fact's file (its path as shown in the run)."""
    absolute = os.path.normpath(os.path.join(base, path))
    found = _folder_repository(os.path.dirname(absolute))
    if found is not None:
        return found
    relative = os.path.relpath(absolute, base)
    parts = Path(relative).parts
    if len(parts) > 1 and parts[0] != "..":
        return os.path.join(str(base), parts[0])
    return str(base)
