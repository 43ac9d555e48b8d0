"""What the three scope rules share: one `ScopeAnalysis` of the file (judging every path when
`[tool.infralint.scope] possibly-unbound = "all"`), whose problems each rule reports for the kinds
of failed read (`ReadFailure`) it owns, in its own words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...finding import Finding
from ..base import Rule
from .binder import AllPathsScopeAnalysis, ScopeAnalysis
from .problems import Problem, ReadFailure

if TYPE_CHECKING:
    from ...context import FileContext


class ScopeRule(Rule):
    """Reports the shared analysis' problems of the kinds this rule owns; each subclass words them
    with its own `message(problem, analysis)`."""

    #: the failed reads this rule reports (each kind belongs to exactly one rule)
    failures: frozenset[ReadFailure] = frozenset()

    def finish(self, ctx: FileContext) -> Iterable[Finding]:
        analysis = ctx.analysis(AllPathsScopeAnalysis if ctx.config.option("scope", "possibly-unbound") == "all" else ScopeAnalysis)
        failures = self.failures
        for problem in analysis.problems:
            if problem.kind in failures:
                yield self.report(ctx, problem.node, self.message(problem, analysis), self.fix_for(problem, analysis))

    def fix_for(self, problem: Problem, analysis: ScopeAnalysis):
        return None
