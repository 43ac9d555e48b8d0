"""One line per finding, no colour: for editors, grep and scripts."""

from __future__ import annotations

from ..finding import Finding
from .escape import printable
from .summary import RunSummary


def line(finding: Finding) -> str:
    return f"{printable(finding.path)}:{finding.line}:{finding.col + 1}: {finding.code} {printable(finding.message)}"


def render(findings: list[Finding], summary: RunSummary) -> str:
    return "".join(line(f) + "\n" for f in findings)
