"""Building the edits of lazy fixes: a rule states what to fix, its edits are made only when a
report or the fix loop needs them, and never kept when the fixed file would not parse."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..finding import Finding
from .edits import EditConflict, FixNotApplicable, apply_edits

if TYPE_CHECKING:
    from ..context import FileContext
    from ..rules import Rule


def resolve_lazy_fixes(rules: list["Rule"], ctx: "FileContext", findings: list[Finding], errors: list[str]) -> None:
    """Build the edits of lazy fixes. Fixes with the same data from the same rule (every
    `import time` INF101 would add) have the same edits: each distinct one is built once."""
    by_code = {rule.code: rule for rule in rules}
    built: dict[tuple, list | None] = {}
    for finding in findings:
        fix = finding.fix
        if fix is None or fix.resolved:
            continue
        key = (finding.code, fix.data)  # a frozen `fix_data` record: equal records give equal edits
        if key not in built:
            built[key] = _build_edits(by_code[finding.code], finding, ctx, errors)
        edits = built[key]
        if not edits:
            finding.fix = None
            continue
        fix.edits = list(edits)
        fix.resolved = True


def _build_edits(rule: "Rule", finding: Finding, ctx: "FileContext", errors: list[str]) -> list | None:
    try:
        edits = rule.resolve_fix(finding, ctx)
    except FixNotApplicable:
        return None
    except Exception as exc:
        errors.append(f"{finding.path}:{finding.line}: fix for {finding.code} failed: {type(exc).__name__}: {exc}")
        return None
    if not edits:
        return None
    problem = _fix_problem(ctx.source.text, edits)
    if problem:
        errors.append(f"{finding.path}:{finding.line}: fix for {finding.code} dropped: {problem}")
        return None
    return edits


def _fix_problem(text: str, edits) -> str | None:
    try:
        ast.parse(apply_edits(text, edits))
    except EditConflict as exc:
        return str(exc)
    except (SyntaxError, ValueError) as exc:
        return f"the fixed file would not parse ({exc})"
    return None
