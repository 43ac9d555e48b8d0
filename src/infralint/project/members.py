"""Which files make up a project: one answer for every entry point.

A project is discovered from its configuration root — the folder of the configuration file that
governs the files, or, with no configuration file, the git checkout that holds them — whatever
paths a run names. `infralint check` on one file or a subfolder, pre-commit, flake8 and the
language server therefore join the facts of the same files as `infralint check` on the whole tree,
and report the same findings for a file. The files a run names are the files it reports; the
project's other files only contribute their facts (served from the result cache when it has them).

Files the configuration leaves out of its own project (an excluded folder named explicitly, such
as a folder of examples) are linted as a project of their own, as before.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..real_paths import real_paths

if TYPE_CHECKING:
    from ..cache import ResultCache
    from ..config import Config, ConfigResolver


def reads_project(config: "Config") -> bool:
    """Whether an enabled rule reads the project model (otherwise a file's findings are its own)."""
    from ..rules import rule_classes

    enabled = config.enabled_codes()
    return any(cls.uses_project for code, cls in rule_classes().items() if code in enabled)


def project_root(config: "Config", files: Iterable[Path]) -> Path | None:
    """The folder the project of `files` is discovered from: the configuration file's folder, or
    with none the git checkout holding them. None when that folder does not hold every file (a
    `--config` from elsewhere; no configuration file outside a checkout): then the files named are
    the whole project, as the current folder may be anything (a home folder, `/`)."""
    reals = real_paths(files)
    if not reals:
        return None
    if config.source is not None:
        root = os.path.realpath(config.root)
        return Path(root) if all(_inside(real, root) for real in reals) else None
    folder = os.path.commonpath([os.path.dirname(real) for real in reals])
    while True:
        if os.path.exists(os.path.join(folder, ".git")):  # a folder, or a file in a worktree
            return Path(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def project_members(config: "Config", root: Path, resolver: "ConfigResolver | None" = None) -> list[Path]:
    """Every file of the project rooted at `root`: what `infralint check` on that folder lints
    with `config` (files a nested configuration governs belong to that configuration's project).
    Without a `resolver`, `config` governs every file below `root`."""
    from ..discovery import discover, files_and_configs

    if resolver is None:
        return discover([root], config)
    files, config_of = files_and_configs([root], resolver)
    return [path for path in files if config_of[path] is config]


def context_paths(
    files: list[Path], config: "Config", resolver: "ConfigResolver | None" = None, named: Iterable[Path] = ()
) -> list[Path]:
    """The project's files other than `files` (the ones reported): their facts join the project,
    their findings are never computed. Empty when no enabled rule reads the project, when `named`
    (the paths the run was given) include the project root, or when no file of `files` belongs to
    the configuration's project."""
    if not files or not reads_project(config):
        return []
    root = project_root(config, files)
    if root is None or any(os.path.realpath(path) == str(root) for path in named):
        return []
    reported = set(real_paths(files))
    others: list[Path] = []
    member = False
    members = project_members(config, root, resolver)
    for path, real in zip(members, real_paths(members)):
        if real in reported:
            member = True
        else:
            others.append(path)
    return others if member else []


def project_with_buffer(linter, path: Path, shown: str, text: str, resolver: "ConfigResolver | None" = None):
    """The joined project of the file `path` whose current text is `text` (standard input with
    `--stdin-filename`): the other files' facts from disk (or the result cache), this file's from
    `text`. None when no enabled rule reads the project or the file is not one of its members."""
    from ..engine import facts_of_files
    from ..results import content_digest
    from .model import Project

    config = linter.config
    root = project_root(config, [path]) if reads_project(config) else None
    if root is None:
        return None
    real = os.path.realpath(path)
    members = project_members(config, root, resolver)
    others = [member for member, member_real in zip(members, real_paths(members)) if member_real != real]
    if len(others) == len(members):
        return None
    facts = facts_of_files(linter, others, facts_cache(config, members))
    own = linter.facts_of_text(text, shown, content_digest(text.encode("utf-8")), location=str(path))
    return Project([*facts, *([own] if own is not None else [])], named_folders=config.named_folders)


def facts_cache(config: "Config", files: list[Path]) -> "ResultCache | None":
    """The result cache the run of `files` with `config` writes, opened to read facts from (an
    entry computed with the project is valid for the same list of files only)."""
    from ..cache import ResultCache, cache_root
    from ..engine import file_set_digest

    root = cache_root(config.root, config.source is not None, files)
    if root is None:
        return None
    cache = ResultCache(root, config.fingerprint(), False)
    cache.run_files = file_set_digest(files)
    return cache


def fact_file_patterns() -> list[str]:
    """The file-name patterns of the non-Python files the project reads (deployment configuration,
    browser clients), for an editor's file watcher."""
    from .loading import load_extractors
    from .registry import _file_extractors

    load_extractors()
    return sorted({pattern for patterns, _, _ in _file_extractors for pattern in patterns})


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
