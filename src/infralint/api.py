"""The small public API shared by every front end."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .config import Config, load_config
from .discovery import discover
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
    """Findings for every Python file under `paths` (discovery rules apply)."""
    config = config or load_config()
    files = discover([Path(p) for p in paths], config)
    return list(iter_findings(lint_files(files, config, jobs=jobs)))


def fix_source(text: str, path: str = "<stdin>", config: Config | None = None, *, unsafe: bool = False) -> FixOutcome:
    """Apply every allowed fix to `text`; the outcome has the new text and what remains."""
    config = config or load_config()
    return _linter(config).fix_text(text, path, unsafe=unsafe)
