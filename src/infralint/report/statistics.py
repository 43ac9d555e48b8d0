"""`--statistics`: how many findings each rule produced, and how many of them `--fix` can fix."""

from __future__ import annotations

import json
from collections import Counter

from ..catalog import load_catalog
from ..finding import Finding, FixSafety
from .fixed import fixed_sentence
from .summary import RunSummary


def rows(findings: list[Finding]) -> list[dict]:
    """One row per code, most frequent first (then by code), as ruff orders its statistics."""
    catalog = load_catalog()
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None and f.fix.safety is FixSafety.SAFE)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        {"code": code, "name": catalog[code].name if code in catalog else "", "count": count, "fixable": fixable[code]}
        for code, count in ordered
    ]


def render_text(findings: list[Finding], summary: RunSummary) -> str:
    table = rows(findings)
    width = max((len(str(r["count"])) for r in table), default=1)
    lines = [f"{r['count']:>{width}}  {r['code']}  {'[*]' if r['fixable'] else '   '}  {r['name']}" for r in table]
    if summary.fixed and not summary.quiet and not summary.show_fixes:  # `--show-fixes` lists them on stderr
        lines.append(fixed_sentence(summary.fixed))
    if table and not summary.quiet:
        fixable = " ([*]: fixable with --fix)" if any(r["fixable"] for r in table) else ""
        lines.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}{fixable}.")
    return "".join(line + "\n" for line in lines)


def render_json(findings: list[Finding], summary: RunSummary) -> str:
    return json.dumps(rows(findings), indent=2) + "\n"
