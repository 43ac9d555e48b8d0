"""The fix loop: lint, apply what can be applied together, lint again — until nothing changes,
and never to a text that does not parse."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..context import FileContext
from ..finding import Finding, FixSafety
from ..source import SourceFile
from .edits import EditConflict, FixNotApplicable, apply_edits, fixed_alongside, overlaps
from .resolve import resolve_lazy_fixes

if TYPE_CHECKING:
    from ..engine import Linter
    from ..rules import Rule

MAX_FIX_PASSES = 10


@dataclass
class FixOutcome:
    """What fixing one text did: the text before and after, the findings whose fixes were applied,
    those left, and the problems met."""

    original: str
    text: str
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    passes: int = 0  # passes that changed the text

    @property
    def changed(self) -> bool:
        return self.text != self.original


def fix_text(linter: "Linter", text: str, display_path: str, *, unsafe: bool = False, project=None) -> "FixOutcome":
    """Apply fixes until nothing changes; never return a text that does not parse.

    A pass lints once, then applies either all of one rule's fixes together (a rule that
    can compute them from one parse, like the import hoist) or every non-overlapping fix
    whose edits it built. The number of passes depends on the rules involved, never on the
    number of findings, and the result is a fixed point: a second run changes nothing.
    `project` lets the rules that read other files' facts offer their fixes too.
    """
    allowed = {FixSafety.SAFE, FixSafety.UNSAFE} if unsafe else {FixSafety.SAFE}
    outcome = FixOutcome(original=text, text=text)
    seen = {text}
    for _ in range(MAX_FIX_PASSES):
        result = linter.lint_text(outcome.text, display_path, project=project)
        outcome.errors.extend(e for e in result.errors if e not in outcome.errors)
        outcome.remaining = result.findings
        fixable = [f for f in result.findings if f.fix and f.fix.safety in allowed]
        if not fixable:
            break
        new_text, applied = _fix_pass(linter, outcome.text, display_path, fixable, outcome.errors, project)
        if new_text is None or new_text in seen:
            break
        seen.add(new_text)
        outcome.passes += 1
        outcome.applied.extend(applied)
        outcome.text = new_text
    else:
        outcome.remaining = linter.lint_text(outcome.text, display_path, project=project).findings
    return outcome


def _fix_pass(linter: "Linter", text: str, display_path: str, fixable: list[Finding], errors: list[str], project=None) -> tuple[str | None, list[Finding]]:
    ctx = FileContext(SourceFile(display_path, text), linter.config, display_path, project)
    together = _fix_together(linter.rules, ctx, fixable, errors)
    if together is not None:
        return together
    resolve_lazy_fixes(linter.rules, ctx, fixable, errors)
    chosen = _non_overlapping([f for f in fixable if f.fix])
    if not chosen:
        return None, []
    new_text, applied = _apply_parsing(text, chosen)
    return new_text, applied + fixed_alongside(applied, fixable)


def _fix_together(rules: list["Rule"], ctx: FileContext, fixable: list[Finding], errors: list[str]) -> tuple[str, list[Finding]] | None:
    """The first rule with several fixes here that can apply them all from one parse."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in fixable:
        groups[finding.code].append(finding)
    by_code = {rule.code: rule for rule in rules}
    for code, group in sorted(groups.items()):
        if len(group) < 2 or code not in by_code:
            continue
        try:
            new_text = by_code[code].fix_together(group, ctx)
        except FixNotApplicable:
            continue
        except Exception as exc:
            errors.append(f"{ctx.display_path}: fixes for {code} failed together: {type(exc).__name__}: {exc}")
            continue
        if new_text is not None and new_text != ctx.source.text and _parses(new_text):
            return new_text, group
    return None


def _non_overlapping(findings: list[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    taken = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        edits = finding.fix.edits
        if any(overlaps(a, b) for a in edits for b in taken):
            continue
        chosen.append(finding)
        taken.extend(edits)
    return chosen


def _apply_parsing(text: str, chosen: list[Finding]) -> tuple[str | None, list[Finding]]:
    """Apply the chosen fixes together; if the result does not parse, fall back to the first alone.
    Returns the new text and the findings whose fixes it holds."""
    for group in (chosen, chosen[:1]):
        try:
            new_text = apply_edits(text, [e for f in group for e in f.fix.edits])
            ast.parse(new_text)
            return new_text, group
        except (EditConflict, SyntaxError, ValueError):
            continue
    return None, []


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
