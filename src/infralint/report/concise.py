"""One line per finding, no colour: for editors, grep and scripts."""

from __future__ import annotations

from . import RunSummary
from ..finding import Finding


def line(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.col + 1}: {finding.code} {finding.message}"


def render(findings: list[Finding], summary: RunSummary) -> str:
    return "".join(line(f) + "\n" for f in findings)
