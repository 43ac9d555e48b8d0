"""The commands being compared: infralint in its three modes and the peer linters.

Each peer is run the way its users run it, restricted to the comparable checks where the tool
allows it (pylint), isolated from any configuration found near the files, and with its output
discarded. A tool that is not installed is reported as missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
PYLINT_CHECKS = "undefined-variable,used-before-assignment,possibly-used-before-assignment,import-outside-toplevel"


@dataclass
class Peer:
    """One command line to time. `argv(files)` builds it for relative file paths."""

    key: str
    label: str
    argv: Callable[[list[str]], list[str]]
    #: why it cannot run (tool missing), or None
    missing: str | None = None
    #: at most this many files (the slow peers); None means every file
    file_limit: int | None = None
    #: exit codes that mean "ran normally" (findings included)
    ok_returncodes: Callable[[int], bool] = lambda rc: rc in (0, 1)
    #: an unmeasured run first (filling a cache)
    warm_up: bool = False
    #: picks this peer's files from the whole set (instead of `file_limit`)
    choose: Callable[[list[str]], list[str]] | None = None
    notes: list[str] = field(default_factory=list)


def _module_missing(module: str) -> str | None:
    return None if importlib.util.find_spec(module) is not None else f"`{module}` is not installed"


def _executable(name: str) -> str | None:
    """A command next to the running interpreter first, then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def infralint_peers(workdir: Path, codes: list[str], jobs: int) -> list[Peer]:
    config = workdir / "pyproject.toml"
    config.write_text("[tool.infralint]\nrespect-gitignore = false\n", encoding="utf-8")
    base = [sys.executable, "-m", "infralint", "check", "--config", str(config), "--format", "concise", "--exit-zero", "--select", ",".join(codes)]
    sarif = [*base[: base.index("--format")], "--format", "sarif", *base[base.index("--format") + 2 :]]
    missing = _module_missing("infralint")
    return [
        Peer("cold1", "infralint, cold, `--jobs 1`", lambda f: [*base, "--no-cache", "--jobs", "1", *f], missing),
        Peer("sarif1", "infralint, cold, `--jobs 1`, `--format sarif`", lambda f: [*sarif, "--no-cache", "--jobs", "1", *f], missing),
        Peer("coldN", f"infralint, cold, `--jobs {jobs}` (all cores)", lambda f: [*base, "--no-cache", "--jobs", str(jobs), *f], missing),
        Peer("warm", "infralint, warm cache", lambda f: [*base, "--jobs", str(jobs), *f], missing, warm_up=True),
        # peak memory follows the largest file in the set, so both halves are measured: memory is
        # flat when the whole set needs no more than the hungrier half
        Peer(
            "half",
            "infralint, cold, `--jobs 1`, every other file",
            lambda f: [*base, "--no-cache", "--jobs", "1", *f],
            missing,
            notes=["for memory growth"],
            choose=lambda files: files[::2],
        ),
        Peer(
            "other-half",
            "infralint, cold, `--jobs 1`, the other files",
            lambda f: [*base, "--no-cache", "--jobs", "1", *f],
            missing,
            notes=["for memory growth"],
            choose=lambda files: files[1::2],
        ),
    ]


def peer_linters(workdir: Path, pylint_limit: int | None) -> list[Peer]:
    ruff = _executable("ruff")
    ruff_missing = None if ruff else "`ruff` is not installed"
    ruff_cache = workdir / "ruff-cache"
    return [
        Peer("pyflakes", "pyflakes", lambda f: [sys.executable, "-m", "pyflakes", *f], _module_missing("pyflakes")),
        Peer(
            "flake8",
            "flake8 (its default checks, default `--jobs`)",
            lambda f: [sys.executable, str(HERE / "flake8_peer.py"), "--isolated", *f],
            _module_missing("flake8"),
        ),
        Peer(
            "pylint",
            "pylint (4 comparable checks)",
            lambda f: [
                sys.executable, "-m", "pylint", "--rcfile", os.devnull, "--disable=all", f"--enable={PYLINT_CHECKS}",
                "--score=n", "--persistent=n", "--jobs=1", *f,
            ],
            _module_missing("pylint"),
            file_limit=pylint_limit,
            ok_returncodes=lambda rc: rc < 32,  # a bit mask of message kinds; 32 is a usage error
        ),
        Peer("ruff-cold", "ruff check, no cache", lambda f: [ruff or "ruff", "check", "--isolated", "--no-cache", "--quiet", *f], ruff_missing),
        Peer(
            "ruff-warm",
            "ruff check, warm cache",
            lambda f: [ruff or "ruff", "check", "--isolated", "--cache-dir", str(ruff_cache), "--quiet", *f],
            ruff_missing,
            warm_up=True,
        ),
    ]
