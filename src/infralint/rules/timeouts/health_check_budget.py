"""INF303 health-check-budget: health or readiness code whose worst case (checks, clients, calls into
other modules) exceeds the deadline of the probe that calls it, or the configured `health-budget`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from ...analysis.budget import WorstCase, describe_total
from ...analysis.checks import CheckCall, CheckCalls, is_timeout_keyword
from ...analysis.constants import format_seconds
from ...analysis.cross_module import ProjectCosts, attach_database_costs
from ...analysis.names import dotted_name
from ...analysis.redis_clients import RedisClients
from ...finding import Finding
from ...project.queries import ask
from .health import SHORT_HEALTH_WORDS, HealthCode, HealthWords
from .timeout_rule import TimeoutRule

if TYPE_CHECKING:
    from ...source import SourceFile


_DEFAULT_HEALTH_PATTERN = "health|healthz|healthcheck|healthchecks|healthy|readyz|readiness|livez|liveness"
_PLAIN_HEALTH_WORDS = ("health", "readyz", "readiness", "livez", "liveness")
#: a short health word as the last segment of a route path written in the file (`"/api/ready"`)
_SHORT_HEALTH_PATH = re.compile(r"/(?:%s)[\"']" % "|".join(sorted(SHORT_HEALTH_WORDS)))


def _mentions_health(source: SourceFile) -> bool:
    """The default pattern's words by substring search (regex alternation is slow on large files),
    or a short health word ending a route path (`"/ready"`)."""
    lower = source.lowered
    if any(word in lower for word in _PLAIN_HEALTH_WORDS):
        return True
    return "/" in lower and _SHORT_HEALTH_PATH.search(lower) is not None


class HealthCheckBudget(TimeoutRule):
    """INF303: health/readiness code whose worst-case time exceeds the probe's budget."""

    code = "INF303"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Call)
    uses_project = True  # follows calls, clients and registered checks into other modules

    def needs_project(self, project, facts) -> bool:
        from ...analysis.cross_module import needs_project

        # a probe of the deployment configuration that calls one of its routes sets the budget
        return needs_project(project, facts, self._words) or bool(ask("probe_calls_file", project, facts.path, default=False))

    def __init__(self, config) -> None:
        super().__init__(config)
        pattern = self.option("health-name-pattern")
        self._health_factory = partial(HealthCode, pattern=pattern)
        #: the health tests for routes and names of other files (memoised: asked per fact)
        self._words = HealthWords(pattern)
        # a cheap superset of the names the pattern can match as whole words, for the pre-filter
        custom = re.compile(pattern, re.IGNORECASE) if pattern != _DEFAULT_HEALTH_PATTERN else None
        self._mentions_health = _mentions_health if custom is None else (
            lambda source: custom.search(source.text) is not None or _SHORT_HEALTH_PATH.search(source.lowered) is not None
        )

    def applies_to(self, ctx) -> bool:
        # a client imported from another module needs no timeout/redis word here: health words suffice
        if not self.production(ctx):
            return False
        if self._mentions_health(ctx.source):
            return True
        if ctx.project is None:
            return False
        # a handler whose route the project composes into a health path, or a probe calls
        from ...analysis.cross_module import health_handler_files

        return ctx.display_path in health_handler_files(ctx.project, self._words)

    def visit(self, node: ast.AST, ctx) -> Iterable[Finding]:
        health: HealthCode = ctx.analysis(self._health_factory)
        if isinstance(node, ast.Call):
            if any(is_timeout_keyword(k.arg) for k in node.keywords) or (isinstance(node.func, ast.Name) and node.func.id[:1].isupper()):
                health.calls.append(node)
        else:
            health.note_function(node)  # type: ignore[arg-type]
        return ()

    def finish(self, ctx) -> Iterable[Finding]:
        health: HealthCode = ctx.analysis(self._health_factory)
        if not health.functions and not health.calls and ctx.project is None:
            return []
        budget = float(self.option("health-budget"))
        checks = self.checks(ctx)
        costing = _Costing(ctx, checks, budget, self._words)
        functions = list(health.functions)
        across = costing.at(budget)[1]
        if across is not None:  # `@router.get("/deep")` on a router mounted under `/health`, a probed route
            home = ctx.project.files.get(ctx.display_path)
            handlers = across.health_handlers(self._words, home)
            # `@router.get("/status")` on a router mounted under `/orders`: the full path decides
            functions = [f for f in functions if f in handlers or not across.routes(f)]
            functions += [f for f in handlers if f not in functions]
        # one limit per handler, whatever reports against it: a check it registers and its own
        # worst case are judged against the same probe deadline (or the configured budget)
        limits = {function: _budget_of(ctx, across, function, budget) for function in functions}
        findings: list[Finding] = []
        reported_calls: set[ast.AST] = set()
        for call in health.calls:
            if not health.registration_is_health(call):
                continue
            check = checks.check_call(call)
            limit = limits.get(_enclosing(functions, call), (budget, "health budget"))
            if check is None or check.worst_case <= limit[0]:
                continue
            reported_calls.add(call)
            findings.append(self._registration_finding(ctx, check, limit))
        if not (health.functions or ctx.project is not None):
            return findings
        walkers = {function: costing.at(limits[function][0]) for function in functions}
        costs = [(function, walkers[function][0].of_function(function), walkers[function][1]) for function in functions]
        called = costing.called()  # health functions reached from others: reported through their caller
        for function, cost, across in costs:
            limit = limits[function]
            if across is not None and across.reached_from_elsewhere(function, self._words):
                continue  # reported at the handler that reaches it, with the chain across files
            described = _described(health, function, across)
            if cost.unbounded and cost.culprit is not None:
                if cost.culprit in reported_calls:
                    continue
                reported_calls.add(cost.culprit)
                message = f"worst case of health check {described} is unbounded: {cost.culprit_reason}"
                remote = across is not None and cost.culprit in across.remote
                findings.append(self.report(ctx, _def_range(ctx, function) if remote else cost.culprit, message))
            elif cost.seconds > limit[0] and not cost.covered and function not in called:
                message = (
                    f"worst case of health check {described} is {describe_total(cost)} "
                    f"> {format_seconds(limit[0])} s {limit[1]}"
                )
                findings.append(self.report(ctx, _def_range(ctx, function), message))
        return findings

    def _registration_finding(self, ctx, check: CheckCall, limit: tuple[float, str]) -> Finding:
        label = _check_label(check.call)
        notes = check.notes()
        extra = f"; {'; '.join(notes)}" if notes else ""
        message = (
            f"worst case {check.arithmetic()} > {format_seconds(limit[0])} s {limit[1]} "
            f"({label}, line {check.call.lineno}){extra}"
        )
        node = check.timeout.node if check.timeout.node is not None else check.call
        return self.report(ctx, node, message)


class _Costing:
    """The worst-case walkers of one file, one per limit: a check call counts as reported on its
    own (`covered`) when it exceeds the limit of the handler it is costed for."""

    def __init__(self, ctx, checks: CheckCalls, budget: float, words: HealthWords) -> None:
        self.ctx, self.checks, self.budget, self.words = ctx, checks, budget, words
        self._by_limit: dict[float, tuple[WorstCase, ProjectCosts | None]] = {}

    def at(self, limit: float) -> tuple[WorstCase, ProjectCosts | None]:
        if limit not in self._by_limit:
            clients = self.ctx.analysis(RedisClients)
            walker = WorstCase(self.ctx.source, self.checks.resolver, clients, self.checks, clients.imports, limit)
            attach_database_costs(walker)
            # registrations of other files are judged there, against the configured budget
            across = ProjectCosts(self.ctx.project, walker, self.budget, self.words) if self.ctx.project is not None else None
            self._by_limit[limit] = (walker, across)
        return self._by_limit[limit]

    def called(self) -> set:
        return set().union(*(walker.called for walker, _ in self._by_limit.values()))


def _enclosing(functions: list, node: ast.AST):
    """The innermost of `functions` whose lines hold `node`."""
    line = getattr(node, "lineno", 0)
    holding = [f for f in functions if f.lineno <= line <= (f.end_lineno or f.lineno)]
    return max(holding, key=lambda f: f.lineno) if holding else None


def _budget_of(ctx, across: ProjectCosts | None, function, budget: float) -> tuple[float, str]:
    """The deadline of the probe that calls this handler's route (infrastructure configuration in
    the run: Kubernetes, compose, GCP health checks), else the configured `health-budget`."""
    if across is not None:
        routes = [route.split(" ", 1)[-1] for route in across.routes(function)]
        found = ask("probe_deadline", ctx.project, routes, ctx.display_path, default=None)
        if found is not None:
            return found
    return budget, "health budget"


def _described(health: HealthCode, function, across: ProjectCosts | None) -> str:
    """`name` (GET /full/path) — the full path composed through router prefixes when the project knows it."""
    routes = across.routes(function) if across is not None else []
    return f"`{function.name}` ({', '.join(routes)})" if routes else health.describe(function)


def _check_label(call: ast.Call) -> str:
    for keyword in call.keywords:
        if keyword.arg in ("name", "service", "check_name", "service_name") and isinstance(keyword.value, ast.Constant):
            return f"{keyword.value.value} check"
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str) and len(call.args[0].value) < 40:
        return f"{call.args[0].value} check"
    return f"`{dotted_name(call.func) or 'call'}`"


def _def_range(ctx, function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, int, int, int]:
    line = function.lineno
    text = ctx.source.line_text(line)
    start = text.find(function.name)
    if start < 0:
        return (line, function.col_offset, line, function.col_offset)
    return (line, start, line, start + len(function.name))
