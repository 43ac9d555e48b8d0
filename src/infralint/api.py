"""The small public API shared by every front end."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .config import Config, ConfigResolver, load_config
from .discovery import config_groups, discover, files_and_configs
from .engine import Linter, iter_findings, lint_files
from .fixes.loop import FixOutcome
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
    configuration nearest to it unless `config` is given for all. Each file is judged with its
    whole project (`project.members`), as `infralint check` on the configuration root judges it."""
    from .project.members import context_paths

    named = [Path(p) for p in paths]
    if config is not None:
        files = discover(named, config)
        context = context_paths(files, config, named=named)
        return list(iter_findings(lint_files(files, config, jobs=jobs, context_paths=context)))
    resolver = ConfigResolver()
    files, config_of = files_and_configs(named, resolver)
    findings: list[Finding] = []
    for group_config, group in config_groups(files, config_of):
        context = context_paths(group, group_config, resolver, named)
        findings.extend(iter_findings(lint_files(group, group_config, jobs=jobs, context_paths=context)))
    return sorted(findings, key=lambda f: f.sort_key)


def fix_source(text: str, path: str = "<stdin>", config: Config | None = None, *, unsafe: bool = False) -> FixOutcome:
    """Apply every allowed fix to `text`; the outcome has the new text and what remains."""
    config = config or load_config()
    return _linter(config).fix_text(text, path, unsafe=unsafe)
