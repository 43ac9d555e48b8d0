"""Which shard of a split run lints which file, and the portable names both halves agree on.

A file's shard is decided by a stable hash of its path relative to the run's configuration root,
so every runner of a CI matrix picks the same share without talking to the others, whatever the
folder the checkout sits in. Nothing here depends on the machine: no absolute path, no host name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .config import Config
from .exits import UsageError


class Shard(NamedTuple):
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, relative_path: str) -> bool:
        return shard_of(relative_path, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """`K/N` with 1 ≤ K ≤ N, as `--shard` takes it."""
    index, slash, count = text.partition("/")
    if not slash or not index.strip().isdigit() or not count.strip().isdigit():
        raise UsageError(f"--shard takes K/N (shard K of N, counted from 1), not {text!r}")
    shard = Shard(int(index), int(count))
    if not 1 <= shard.index <= shard.count:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    return shard


def shard_of(relative_path: str, count: int) -> int:
    """The shard (1…count) of a file: blake2b of its root-relative POSIX path (never Python's
    `hash`, which is salted per process), as the file system's bytes (a name need not be UTF-8)."""
    digest = hashlib.blake2b(_name_bytes(relative_path), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def relative_to_root(path: Path | str, root: Path) -> str:
    """A file's POSIX path relative to the root (`..` parts for a file named outside it). The
    folders are resolved, the file itself is not: a link is named as the run names it."""
    absolute = os.path.abspath(path)
    folder = _real_folder(os.path.dirname(absolute))
    return Path(os.path.relpath(os.path.join(folder, os.path.basename(absolute)), _real_folder(str(root)))).as_posix()


def path_in_run(relative_path: str, root: Path) -> Path:
    """A root-relative path as this run names files: relative to the working folder when inside it
    (as discovery and reports name them), else absolute."""
    return Path(name_in_run(relative_path, root))


def name_in_run(relative_path: str, root: Path) -> str:
    """`path_in_run` as a POSIX string (what results and findings hold)."""
    base, here = _real_folder(str(root)), _real_folder(os.getcwd())
    if base == here and not relative_path.startswith("../"):
        return relative_path  # run from the root, as CI runs it: the names are the run's
    absolute = os.path.normpath(os.path.join(base, relative_path))
    if absolute == here or absolute.startswith(here.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, here)).as_posix()
    return Path(absolute).as_posix()


@lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    """A folder with its links resolved, once per folder (a run names thousands of files in a few folders)."""
    return os.path.realpath(folder)


def config_digest(config: Config) -> str:
    """The configuration's fingerprint without the folders the command line named (absolute paths,
    which partials carry root-relative on their own): the same on every runner that checks out the
    same tree with the same options."""
    return dataclasses.replace(config, named_folders=()).fingerprint()


def named_folders(paths: list[Path], root: Path) -> list[str]:
    """The folders a command line named, root-relative, once each (as `check` notes them)."""
    return list(dict.fromkeys(relative_to_root(path.resolve(), root) for path in paths if path.is_dir()))


def file_set_digest(relative_paths: list[str]) -> str:
    return hashlib.sha256(_name_bytes("\n".join(relative_paths))).hexdigest()[:16]


def _name_bytes(name: str) -> bytes:
    """A path's bytes as the file system gave them: undecodable bytes come back from their escapes."""
    return name.encode("utf-8", "surrogateescape")
