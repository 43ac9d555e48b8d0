"""Which files to lint: Python files under the given paths, minus excludes and git-ignored files.

An explicitly named file is always linted (even an excluded one, or one without a `.py` suffix
that has a python shebang). Symbolic links are not followed out of the tree being walked.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterable

from .config import Config
from .source import path_matches

PYTHON_SUFFIXES = (".py", ".pyi")


def discover(paths: Iterable[Path], config: Config, *, force_exclude: bool = False) -> list[Path]:
    """Files to lint. With `force_exclude`, excludes apply to files named explicitly too (pre-commit
    names every staged file, so its hooks pass `--force-exclude` to honour the configuration)."""
    found: dict[Path, None] = {}
    patterns = list(config.exclude) + list(config.extend_exclude)
    readers = None  # found on the first folder walked: explicit files need no rule classes
    fact_files = None  # non-Python files the project model reads (browser clients, …)
    for path in paths:
        if force_exclude and _excluded_anywhere(path, patterns, config):
            continue
        if path.is_file() or (path.exists() and not path.is_dir()):
            found[path] = None  # named explicitly: always linted
        elif path.is_dir():
            if readers is None:
                readers = _config_file_readers(config)
                fact_files = _fact_file_filter(config)
            for file in _walk(path, patterns, config, readers, fact_files):
                found[file] = None
        else:
            found[path] = None  # the engine reports it as unreadable
    return sorted(found, key=lambda p: p.as_posix())


def _config_file_readers(config: Config) -> list:
    """Enabled rules that also read non-Python files (pytest.ini, tox.ini…) found while walking."""
    from .rules import rule_classes  # late: the rules package is not needed to list Python files

    enabled = config.enabled_codes()
    return [cls for code, cls in rule_classes().items() if code in enabled and (cls.config_file_names or getattr(cls, "reads_fact_files", False))]


def _fact_file_filter(config: Config):
    """When an enabled rule reads the project model: the test for files its extractors read."""
    from .rules import rule_classes

    enabled = config.enabled_codes()
    if not any(cls.uses_project for code, cls in rule_classes().items() if code in enabled):
        return None
    from .project import load_extractors, wants_file

    load_extractors()
    return wants_file


def _wanted_config_file(file: Path, readers: list) -> bool:
    return any(_reads(cls, file) for cls in readers)


def _reads(cls, file: Path) -> bool:
    if cls.config_file_names and file.name in cls.config_file_names and cls.wants_config_file(file):
        return True
    if getattr(cls, "reads_fact_files", False):
        # deployment configuration (YAML, Terraform, nginx, Dockerfile…): only when such a rule is on
        from .project import wants_file

        return wants_file(file)
    return False


def is_python_file(path: Path) -> bool:
    if path.suffix in PYTHON_SUFFIXES:
        return True
    if path.suffix:
        return False
    try:
        with open(path, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _excluded(relative_posix: str, patterns: list[str], root_relative: str | None) -> bool:
    if any(path_matches(relative_posix, p) for p in patterns):
        return True
    return root_relative is not None and any(path_matches(root_relative, p) for p in patterns if "/" in p)


def _walk(top: Path, patterns: list[str], config: Config, readers: list = (), fact_files=None) -> list[Path]:
    tracked = _git_visible_files(top) if config.respect_gitignore else None
    top_resolved = top.resolve()
    results = []
    for folder, dirnames, filenames in os.walk(top, followlinks=False):
        folder_path = Path(folder)
        kept = []
        for name in dirnames:
            rel = (folder_path / name).relative_to(top).as_posix()
            if not _excluded(rel, patterns, _root_relative(folder_path / name, config)):
                kept.append(name)
        dirnames[:] = sorted(kept)
        for name in filenames:
            file = folder_path / name
            if not name.endswith(PYTHON_SUFFIXES) and not (readers and _wanted_config_file(file, readers)):
                if fact_files is None or not fact_files(file):
                    continue
            rel = file.relative_to(top).as_posix()
            if _excluded(rel, patterns, _root_relative(file, config)):
                continue
            if file.is_symlink() and not _inside(file.resolve(), top_resolved):
                continue
            if tracked is not None and file.resolve() not in tracked:
                continue
            results.append(file)
    return results


def _excluded_anywhere(path: Path, patterns: list[str], config: Config) -> bool:
    relative = _root_relative(path, config)
    return _excluded(relative if relative is not None else path.as_posix(), patterns, relative)


def _root_relative(path: Path, config: Config) -> str | None:
    """The path relative to the config file's folder, for patterns like `tests/fixtures`."""
    try:
        return path.resolve().relative_to(config.root).as_posix()
    except (ValueError, OSError):
        return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _git_visible_files(top: Path) -> set[Path] | None:
    """Files git does not ignore under `top` (tracked or untracked), or None outside a checkout.

    A folder named explicitly is walked even when it is itself git-ignored (a virtualenv, an
    installed interpreter inside a checkout): explicit paths win, as they do for files.
    """
    try:
        inside_ignored = subprocess.run(["git", "check-ignore", "-q", "."], cwd=top, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if inside_ignored.returncode == 0:
        return None
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=top,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    base = top.resolve()
    return {(base / name).resolve() for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


def is_excluded(path: Path, config: Config) -> bool:
    """Whether the configuration's `exclude`/`extend-exclude` skip `path` (as `--force-exclude` applies them)."""
    return _excluded_anywhere(path, list(config.exclude) + list(config.extend_exclude), config)


def excluded_below(top: Path, path: Path, config: Config) -> bool:
    """Whether walking the folder `top` would skip `path` below it (the same tests as the walk,
    folder by folder). A path that is `top` itself was named explicitly: never excluded."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(top))
    if relative == "." or relative.startswith(".."):
        return False
    patterns = list(config.exclude) + list(config.extend_exclude)
    parts = Path(relative).parts
    for depth in range(1, len(parts) + 1):
        below = "/".join(parts[:depth])
        if _excluded(below, patterns, _root_relative(Path(top, *parts[:depth]), config)):
            return True
    return False
