"""Which repository a file of the run belongs to.

Joins that rest on elimination ("the only WebSocket server", "the only middleware") or on evidence
found elsewhere ("an ALB ingress is in front of what this repository deploys", "the probe calls
this route") hold within one repository, not across every tree a run was given: a monorepo of
checkouts, or several unpacked trees linted together. The repository of a file is:

1. the nearest folder holding a version-control directory (`.git`, `.hg`);
2. when the command line named several folders, the named folder that holds the file;
3. when the run's folder does not look like a repository root (no file of the run in it, no README,
   licence, build file or `.gitignore`) but the top-level folder holding the file does, that
   folder (a folder of several unpacked trees);
4. otherwise the run's folder: one tree, however its files are spread (`app/` beside `deploy/`).

A file outside the run's folder and any checkout belongs to one shared "outside" repository.
Only the file system's names are looked at; nothing is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

_VCS = (".git", ".hg")
_ROOT_FILES = (
    "README", "README.md", "README.rst", "README.txt", "LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING",
    ".gitignore", ".gitattributes", ".github", "pyproject.toml", "setup.py", "setup.cfg", "package.json",
    "go.mod", "Makefile",
)  # fmt: skip
OUTSIDE = "outside:"


def _looks_like_root(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, name)) for name in _ROOT_FILES)


class Repositories:
    """The repository of each file of one run (see the module docstring), memoised per path."""

    def __init__(self, base: Path, files: Iterable[str], named_folders: tuple[str, ...] = ()) -> None:
        self.base = os.path.normpath(str(base))
        # the deepest named folder first, so a folder named inside another one wins
        self._named = sorted((os.path.normpath(f) for f in named_folders), key=len, reverse=True) if len(named_folders) > 1 else []
        # a file of the run directly in the run's folder makes that folder a tree's root
        self._base_is_root = any("/" not in path.replace("\\", "/") for path in files) or _looks_like_root(self.base)
        self._memo: dict[str, str] = {}
        self._vcs: dict[str, str | None] = {}
        self._roots: dict[str, bool] = {}  # per join: a long-running server sees new checkouts

    def of(self, path: str) -> str:
        found = self._memo.get(path)
        if found is None:
            found = self._memo[path] = self._find(path)
        return found

    def _find(self, path: str) -> str:
        absolute = os.path.normpath(os.path.join(self.base, path))
        root = self._vcs_root(os.path.dirname(absolute))
        if root is not None:
            return root
        for folder in self._named:
            if absolute.startswith(folder + os.sep):
                return folder
        relative = os.path.relpath(absolute, self.base)
        if relative == ".." or relative.startswith(".." + os.sep):
            return OUTSIDE
        parts = relative.split(os.sep)
        if len(parts) > 1 and not self._base_is_root:
            top = os.path.join(self.base, parts[0])
            if top not in self._roots:
                self._roots[top] = _looks_like_root(top)
            if self._roots[top]:
                return top
        return self.base

    def _vcs_root(self, folder: str) -> str | None:
        if folder not in self._vcs:
            parent = os.path.dirname(folder)
            if any(os.path.exists(os.path.join(folder, name)) for name in _VCS):
                self._vcs[folder] = folder
            else:
                self._vcs[folder] = None if parent == folder else self._vcs_root(parent)
        return self._vcs[folder]
