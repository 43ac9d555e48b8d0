"""The real paths of many files at once.

`os.path.realpath` checks every component of a path; a run asks it for a thousand files that share
a few dozen folders. A file that is no symbolic link is its folder's real path and its own name, so
each folder is resolved once and each file costs one `lstat`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def real_paths(paths: Iterable[os.PathLike | str]) -> list[str]:
    """`os.path.realpath` of each path, in order."""
    folders: dict[str, str] = {}
    reals = []
    for path in paths:
        text = os.fspath(path)
        folder, name = os.path.split(text)
        if name in ("", ".", "..") or os.path.islink(text):
            reals.append(os.path.realpath(text))
            continue
        real_folder = folders.get(folder)
        if real_folder is None:
            real_folder = folders[folder] = os.path.realpath(folder or os.curdir)
        reals.append(os.path.join(real_folder, name))
    return reals
