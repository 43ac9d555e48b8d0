"""The small public API shared by every front end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .config import Config, ConfigResolver, load_config
from .discovery import discover, excluded_below
from .engine import FixOutcome, Linter, iter_findings, lint_files
from .finding import Finding

_last_linter: tuple[Config, Linter] | None = None


def _linter(config: Config) -> Linter:
    """Rule instances are reused while callers keep passing the same config object (editors do)."""
    global _last_linter
    if _last_linter is None or _last_linter[0] is not config:
        _last_linter = (config, Linter(config))
    return _last_linter[1]


def lint_source(text: str, path: str = "<stdin>", config: Config | None = None, *, resolve_fixes: bool = False) -> list[Finding]:
    """Findings for one source text, reported under `path` (which also decides path-based rules)."""
    config = config or load_config()
    return _linter(config).lint_text(text, path, resolve_fixes=resolve_fixes).findings


def lint_paths(paths: Iterable[str | Path], config: Config | None = None, *, jobs: int = 1) -> list[Finding]:
    """Findings for every Python file under `paths` (discovery rules apply), each file with the
    configuration nearest to it unless `config` is given for all."""
    if config is not None:
        files = discover([Path(p) for p in paths], config)
        return list(iter_findings(lint_files(files, config, jobs=jobs)))
    files, config_of = files_and_configs([Path(p) for p in paths], ConfigResolver())
    findings: list[Finding] = []
    for group_config, group in config_groups(files, config_of):
        findings.extend(iter_findings(lint_files(group, group_config, jobs=jobs)))
    return sorted(findings, key=lambda f: f.sort_key)


def files_and_configs(paths: list[Path], resolver: ConfigResolver, force_exclude: bool = False) -> tuple[list[Path], dict[Path, Config]]:
    """The files to lint under `paths`, and the configuration of each.

    A folder is walked with the configuration that governs it; a file found under a nested
    configuration is then skipped if that configuration's own excludes say so (as ruff does).
    """
    config_of: dict[Path, Config] = {}
    for top in paths:
        walk_config = resolver.config_for(top)
        for path in discover([top], walk_config, force_exclude=force_exclude):
            own = resolver.config_for(path)
            if own is not walk_config and excluded_below(top, path, own):
                continue
            config_of.setdefault(path, own)
    for alias in _aliases_of_named_files(config_of):
        del config_of[alias]
    return sorted(config_of, key=lambda p: p.as_posix()), config_of


def _aliases_of_named_files(files: Iterable[Path]) -> list[Path]:
    """Paths that name a file another path of the run names too (a link named beside its target,
    on one command line): each real file is linted once, under its own name when it was given."""
    kept: dict[str, Path] = {}
    dropped: list[Path] = []
    for path in files:
        real = os.path.realpath(path)
        known = kept.get(real)
        if known is None:
            kept[real] = path
        elif known.is_symlink() and not path.is_symlink():
            dropped.append(known)
            kept[real] = path
        else:
            dropped.append(path)
    return dropped


def config_groups(files: list[Path], config_of: dict[Path, Config]) -> list[tuple[Config, list[Path]]]:
    """The files grouped by configuration (each group keeps the files' order)."""
    groups: dict[int, tuple[Config, list[Path]]] = {}
    for path in files:
        config = config_of[path]
        groups.setdefault(id(config), (config, []))[1].append(path)
    return list(groups.values())


def fix_source(text: str, path: str = "<stdin>", config: Config | None = None, *, unsafe: bool = False) -> FixOutcome:
    """Apply every allowed fix to `text`; the outcome has the new text and what remains."""
    config = config or load_config()
    return _linter(config).fix_text(text, path, unsafe=unsafe)
