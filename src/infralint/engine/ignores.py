"""Which findings of a file stand: the configuration's per-file ignores, and `noqa` comments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..finding import Finding
from ..results import FileResult
from .failures import meta_finding

if TYPE_CHECKING:
    from ..config import Config
    from ..rules import Rule


def ignored_prefixes(config: "Config", display_path: str) -> list[str]:
    """The code prefixes the configuration's per-file ignores turn off for this file."""
    return config.ignored_for_path(relative_to(display_path, config.root)) if config.per_file_ignores else []


def not_ignored(rules: Iterable["Rule"], prefixes: list[str]) -> list["Rule"]:
    return [rule for rule in rules if not any(rule.code.startswith(prefix) for prefix in prefixes)]


def apply_per_file_ignores(config: "Config", result: FileResult) -> None:
    """Per-file ignores cover every finding, the engine's own INF0xx ones included."""
    if result.findings:
        ignored = ignored_prefixes(config, result.path)
        if ignored:
            result.findings = [f for f in result.findings if not any(f.code.startswith(i) for i in ignored)]


def apply_noqa(enabled: frozenset[str] | set[str], noqas: dict, path: str, findings: list[Finding]) -> list[Finding]:
    """The findings no `noqa` comment of the file suppresses, and (INF003) each `noqa` code that
    suppressed nothing."""
    if not noqas:
        return findings
    kept = [f for f in findings if not (f.line in noqas and noqas[f.line].suppresses(f.code))]
    if "INF003" in enabled:
        for noqa in noqas.values():
            for code in noqa.codes or ():
                judged = code.startswith("INF") and any(c.startswith(code) for c in enabled - {"INF003"})
                if judged and code not in noqa.used:
                    kept.append(
                        meta_finding("INF003", f"unused `noqa` for {code}: nothing on this line is reported as {code}", path, noqa.line, noqa.col)
                    )
    return kept


def relative_to(path: str, root: Path) -> str:
    """`path` (a display path: relative to the working folder, or absolute) relative to `root`."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            return candidate.as_posix()
    try:
        return Path(os.path.realpath(Path.cwd() / candidate)).relative_to(root).as_posix()
    except (ValueError, OSError):
        return candidate.as_posix()
