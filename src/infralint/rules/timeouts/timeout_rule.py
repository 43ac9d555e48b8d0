"""What the INF3xx rules share: `TimeoutRule` (value resolution, the production-path test, the
keyword-setting or literal-rewriting fix), the cheap Redis pre-filter and the Redis call context.

Detection is `ast` only; values are resolved by `analysis.constants` (cross-module through astroid,
only for candidate values), clients by `analysis.redis_clients`, worst cases by `analysis.budget`.
Fixes set a keyword with LibCST (or rewrite a literal in place) and are unsafe: they change
behaviour.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ...analysis.checks import CheckCalls, check_calls_for
from ...analysis.constants import Value
from ...analysis.deployment import DeploymentConditions
from ...finding import Edit, Finding
from ...fix_data import ReplaceExpression, SetKeywords
from ..base import Rule
from .redis_context import RedisContext, RedisContextFor

if TYPE_CHECKING:
    from ...source import SourceFile


DICT_KEYS = frozenset({"socket_timeout", "socket_connect_timeout"})
DJANGO_KEYS = frozenset({"SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT"})  # django-redis OPTIONS


def mentions_redis(source: SourceFile) -> bool:
    """`redis`, `Redis` or `REDIS` — not inside "redistribute": the GPL and BSD license headers
    on every file of many projects would make each of them a Redis module."""
    text, lowered = source.text, source.lowered
    if "redis" not in lowered:
        return False
    if not text.isascii():  # lower-casing may change the length: look in the text itself
        return any(_named_outside_redistribute(text, spelling) for spelling in _REDIS_SPELLINGS)
    start = lowered.find("redis")
    while start >= 0:  # the lowered text lines up with the text
        if text[start : start + 5] in _REDIS_SPELLINGS and lowered[start + 5 : start + 11] != "tribut":
            return True
        start = lowered.find("redis", start + 5)
    return False


_REDIS_SPELLINGS = ("redis", "Redis", "REDIS")


def _named_outside_redistribute(text: str, spelling: str) -> bool:
    start = text.find(spelling)
    while start >= 0:
        if text[start + 5 : start + 11].lower() != "tribut":
            return True
        start = text.find(spelling, start + 5)
    return False


def redis_context(ctx, words: tuple[str, ...]) -> RedisContext:
    return ctx.analysis(RedisContextFor(words))


class TimeoutRule(Rule):
    """Shared helpers of the INF3xx rules: value resolution, formatting and the keyword-setting fix."""

    def __init__(self, config) -> None:
        super().__init__(config)
        deployment = DeploymentConditions(
            self.config.option("timeouts", "deployed-condition-pattern"), self.config.option("timeouts", "development-condition-pattern")
        )
        self._checks = check_calls_for(deployment)

    def checks(self, ctx) -> CheckCalls:
        return ctx.analysis(self._checks)

    def production(self, ctx) -> bool:
        """Timeouts matter where a deployed service runs: not in tests, docs or benchmarks."""
        return ctx.source.is_production(self.config.option("paths", "non-production"))

    def notes(self, value: Value) -> str:
        return f" ({value.provenance()})" if value.notes else ""

    def limit_source(self, limit: float, original: ast.AST | None) -> str:
        """The limit written like the value it replaces: `5` for an int literal, `5.0` for a float."""
        numbers = [n.value for n in ast.walk(original) if isinstance(n, ast.Constant)] if original is not None else []
        ints = all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
        if float(limit).is_integer() and ints:
            return str(int(limit))
        return repr(float(limit))

    def resolve_fix(self, finding: Finding, ctx) -> list[Edit] | None:
        fix = finding.fix.data if finding.fix else None
        text = ctx.source.text
        if isinstance(fix, ReplaceExpression):  # ast columns are UTF-8 bytes; edits count characters
            from ...fixes.cst import char_column

            start = char_column(text, fix.line, fix.col)
            end = char_column(text, fix.end_line, fix.end_col)
            return [Edit(fix.line, start, fix.end_line, end, fix.value)]
        if isinstance(fix, SetKeywords):
            from ...fixes.cst import set_keyword
            from ...fixes.edits import edits_between

            new_text = text
            for keyword, value in fix.keywords:
                new_text = set_keyword(new_text, fix.line, fix.col, keyword, value)
            return edits_between(text, new_text) or None
        return None

    def value_fix(self, node: ast.expr | None, call: ast.Call | None, keyword: str, limit: float, value: Value, unit: float = 1.0):
        """Set the value to the limit: rewrite a literal in place, or add the omitted keyword.
        `unit`: the seconds one unit of the setting stands for (`timeout_ms`: 0.001)."""
        replacement = self.limit_source(round(limit / unit, 6), node)
        title = f"Set {keyword} to {replacement}"
        if node is not None and only_literals(node):
            end_line = node.end_lineno or node.lineno
            end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
            return self.make_fix(title, ReplaceExpression(node.lineno, node.col_offset, end_line, end_col, replacement), unsafe=True)
        if node is None and call is not None:
            return self.make_fix(title, SetKeywords(call.lineno, call.col_offset, ((keyword, replacement),)), unsafe=True)
        return None


def only_literals(node: ast.AST) -> bool:
    """`30`, `-1`, `3 * 10`, `30.0 if is_gcp else 10.0`: a value written in place (names in a condition are fine)."""
    if isinstance(node, ast.IfExp):
        return only_literals(node.body) and only_literals(node.orelse)
    return all(not isinstance(n, (ast.Name, ast.Attribute, ast.Call)) for n in ast.walk(node))
