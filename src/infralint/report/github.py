"""GitHub Actions workflow commands: one annotation per finding, at the rule's severity (`::error`,
`::warning`, `::notice`), its path relative to the repository root (GitHub resolves it from there,
whatever `working-directory` the job ran in)."""

from __future__ import annotations


from ..finding import Finding
from .escape import printable
from .paths import repository_path
from .summary import RunSummary

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    """Control characters shown as escapes (an ESC would reach the log raw), then GitHub's own escaping."""
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], summary: RunSummary) -> str:
    out = []
    for f in findings:
        level = _LEVELS.get(f.severity, "error")
        props = ",".join(
            [
                f"file={_escape_property(repository_path(f.path, summary.source_root))}",
                f"line={f.line}",
                f"col={f.col + 1}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_col + 1}",
                f"title={_escape_property(f'{f.code} {f.name}')}",
            ]
        )
        out.append(f"::{level} {props}::{_escape_data(f'{f.code} {f.message}')}\n")
    return "".join(out)
