"""Worst-case time of a function, from what its code says.

Sequential awaits add; `asyncio.gather` takes the largest of its arguments; `for attempt in
range(N)` repeats its body N times (its `asyncio.sleep` included); `if` takes the larger branch;
`asyncio.wait_for(…, T)` and `async with asyncio.timeout(T)` cap what they enclose at T; a check
call with a timeout and retries costs timeout × attempts + delay × (attempts − 1); a call to a
function of the same module costs that function's worst case. A call on a Redis client built
without `socket_timeout` (here or in an imported project module) is unbounded, and the cost
remembers which call made it so; HTTP calls cost their timeout or their library's default
(`analysis.http_clients`: requests waits forever, httpx 5 s, aiohttp 300 s). Anything unknown costs nothing: the result is a lower bound.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from functools import cached_property

from .checks import CheckCalls
from .constants import Value, ValueResolver, format_seconds, source_of
from .http_clients import HttpCalls
from .names import ImportMap, dotted_name
from .redis_clients import RedisClients

_SLEEPS = {"asyncio.sleep", "time.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep"}
_TIMEOUT_BLOCKS = {"asyncio.timeout", "async_timeout.timeout", "anyio.fail_after", "trio.fail_after", "asyncio.timeouts.timeout"}
_BACKGROUND = {"asyncio.create_task", "asyncio.ensure_future", "asyncio.shield"}
_MAX_REPEAT = 1000
_MAX_TEXT = 400


@dataclass(frozen=True)
class Cost:
    """Worst-case seconds, the arithmetic that produced them, and what (if anything) makes them unbounded."""

    seconds: float = 0.0
    text: str = ""
    culprit: ast.Call | None = None
    culprit_reason: str = ""
    #: contains a term that is reported on its own (an over-budget check call)
    covered: bool = False

    @property
    def unbounded(self) -> bool:
        return math.isinf(self.seconds)

    @property
    def compound(self) -> bool:
        return " + " in self.text or "max(" in self.text


ZERO = Cost()


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def total(costs: list[Cost]) -> Cost:
    """Costs paid one after the other."""
    terms = [c for c in costs if c.seconds > 0 or c.unbounded]
    if not terms:
        return ZERO
    if len(terms) == 1:
        return terms[0]
    culprit = next((c for c in terms if c.unbounded), None)
    return Cost(
        sum(c.seconds for c in terms),
        _shorten(" + ".join(c.text for c in terms)),
        culprit.culprit if culprit else None,
        culprit.culprit_reason if culprit else "",
        any(c.covered for c in terms),
    )


def largest(costs: list[Cost], label: str = "max") -> Cost:
    """Costs paid at the same time (`gather`) or alternatives (`if`/`else`): the larger one."""
    terms = [c for c in costs if c.seconds > 0 or c.unbounded]
    if not terms:
        return ZERO
    worst = max(terms, key=lambda c: c.seconds)
    if len(terms) == 1 or label != "max":
        return worst
    return Cost(worst.seconds, _shorten(f"max({', '.join(c.text for c in terms)})"), worst.culprit, worst.culprit_reason, any(c.covered for c in terms))


def repeat(count: int, cost: Cost, line: int) -> Cost:
    if count <= 1 or cost.seconds <= 0:
        return cost
    inner = f"({cost.text})" if cost.compound else cost.text
    return Cost(cost.seconds * count, _shorten(f"{count} attempts × {inner} (retry loop, line {line})"), cost.culprit, cost.culprit_reason, cost.covered)


def capped(limit: Value, cost: Cost, what: str, line: int) -> Cost:
    if cost.seconds <= limit.number and not cost.unbounded and cost.seconds > 0:
        return cost
    return Cost(limit.number, f"{limit.text} s ({what}, line {line})", None, "", cost.covered)


class WorstCase:
    """Worst-case time of the functions of one file (memoised; recursion counts once)."""

    def __init__(self, source, resolver: ValueResolver, clients: RedisClients, checks: CheckCalls, imports: ImportMap, budget: float) -> None:
        self.source = source
        self.resolver = resolver
        self.clients = clients
        self.checks = checks
        self.imports = imports
        self.budget = budget
        self._memo: dict[ast.AST, Cost] = {}
        self._active: set[ast.AST] = set()
        self._stack: list[ast.AST] = []
        self.module_functions = {
            stmt.name: stmt for stmt in source.tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        #: health functions reached from other functions' bodies (so reported through their caller)
        self.called: set[ast.AST] = set()
        #: more ways to cost a call, tried last: `(walker, call, awaited) -> Cost | None` (other
        #: modules through the project model, database clients)
        self.extensions: list = []

    @cached_property
    def http(self) -> HttpCalls:
        return HttpCalls(self.imports, self.resolver, self.source.tree)

    def of_function(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Cost:
        if function in self._memo:
            return self._memo[function]
        if function in self._active:
            return ZERO
        self._active.add(function)
        self._stack.append(function)
        try:
            cost = self._block(function.body)
        finally:
            self._active.discard(function)
            self._stack.pop()
        self._memo[function] = cost
        return cost

    # -- statements ---------------------------------------------------------------------------

    def _block(self, body: list[ast.stmt]) -> Cost:
        return total([self._statement(stmt) for stmt in body])

    def _statement(self, stmt: ast.stmt) -> Cost:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            return ZERO
        if isinstance(stmt, ast.If):
            return total([self._expr(stmt.test), largest([self._block(stmt.body), self._block(stmt.orelse)], label="branch")])
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            body = total([self._block(stmt.body)])
            count = self._range_count(stmt.iter)
            looped = repeat(count, body, stmt.lineno) if count else body
            return total([self._expr(stmt.iter), looped, self._block(stmt.orelse)])
        if isinstance(stmt, ast.While):
            return total([self._expr(stmt.test), self._block(stmt.body), self._block(stmt.orelse)])
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            handlers = largest([self._block(h.body) for h in stmt.handlers], label="branch")  # type: ignore[attr-defined]
            return total([self._block(stmt.body), handlers, self._block(stmt.orelse), self._block(stmt.finalbody)])  # type: ignore[attr-defined]
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._with(stmt)
        if isinstance(stmt, ast.Match):
            return total([self._expr(stmt.subject), largest([self._block(c.body) for c in stmt.cases], label="branch")])
        return total([self._expr(child) for child in ast.iter_child_nodes(stmt) if isinstance(child, ast.expr)])

    def _with(self, stmt: ast.With | ast.AsyncWith) -> Cost:
        body = self._block(stmt.body)
        entered = []
        for item in stmt.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call) and self.imports.call_name(expr) in _TIMEOUT_BLOCKS:
                limit = self.resolver.resolve(expr.args[0] if expr.args else next((k.value for k in expr.keywords if k.arg in ("delay", "seconds")), None))
                if limit is not None:
                    body = capped(limit, body, f"`{dotted_name(expr.func)}` block", stmt.lineno)
                continue
            entered.append(self._expr(expr))
        return total([*entered, body])

    def _range_count(self, node: ast.expr) -> int | None:
        if not (isinstance(node, ast.Call) and dotted_name(node.func) == "range" and 1 <= len(node.args) <= 3 and not node.keywords):
            return None
        values = [self.resolver.resolve(a) for a in node.args]
        if any(v is None for v in values):
            return None
        numbers = [int(v.number) for v in values]  # type: ignore[union-attr]
        count = len(range(*numbers)) if len(numbers) > 1 else max(0, numbers[0])
        return min(count, _MAX_REPEAT)

    # -- expressions --------------------------------------------------------------------------

    def _expr(self, node: ast.AST | None, awaited: bool = False) -> Cost:
        if node is None or isinstance(node, (ast.Lambda, ast.Constant, ast.Name)):
            return ZERO
        if isinstance(node, ast.Await):
            return self._expr(node.value, awaited=True)
        if isinstance(node, ast.Call):
            return self._call(node, awaited)
        return total([self._expr(child) for child in ast.iter_child_nodes(node)])

    def _arguments(self, call: ast.Call) -> Cost:
        parts = [self._expr(call.func.value)] if isinstance(call.func, ast.Attribute) else []
        parts += [self._expr(a) for a in call.args] + [self._expr(k.value) for k in call.keywords]
        return total(parts)

    def _call(self, call: ast.Call, awaited: bool) -> Cost:
        name = self.imports.call_name(call) or ""
        line = call.lineno
        if name in _BACKGROUND:
            return ZERO
        if name in _SLEEPS:
            if name == "asyncio.sleep" and not awaited:
                return ZERO
            value = self.resolver.resolve(call.args[0] if call.args else None)
            return Cost(value.number, f"{value.text} s (sleep, line {line})") if value and value.number > 0 else ZERO
        if name == "asyncio.wait_for":
            inner = self._expr(call.args[0], awaited=True) if call.args else ZERO
            limit_node = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "timeout"), None)
            limit = self.resolver.resolve(limit_node)
            return capped(limit, inner, "wait_for", line) if limit is not None else inner
        if name == "asyncio.gather":
            from .task_lists import gathered_calls  # `gather(*tasks)` with `tasks` a list of calls

            gathered = [a for a in call.args if not isinstance(a, ast.Starred)]
            gathered += [c for a in call.args if isinstance(a, ast.Starred) for c in gathered_calls(self.source, a.value, call)]
            return largest([self._expr(a, awaited=True) for a in gathered])
        own = self._own_cost(call, name, awaited)
        return total([self._arguments(call), own])

    def _own_cost(self, call: ast.Call, name: str, awaited: bool) -> Cost:
        line = call.lineno
        client = self.clients.redis_call(call)
        if client is not None:
            if client.is_async and not awaited:
                return ZERO
            return self._redis_cost(call, client, self.clients, self.resolver, "")
        remote = self._imported_client(call)
        if remote is not None:
            client, clients, resolver, where = remote
            if client.is_async and not awaited:
                return ZERO
            return self._redis_cost(call, client, clients, resolver, where)
        check = self.checks.check_call(call)
        if check is not None:
            label = dotted_name(call.func) or "call"
            covered = check.worst_case > self.budget
            return Cost(check.worst_case, f"{check.arithmetic()} (`{label}`, line {line})", covered=covered)
        http = self.http.wait(call, self._stack[-1] if self._stack else None)
        if http is not None:
            shown = f"`{dotted_name(call.func) or source_of(call.func)}`"
            if math.isinf(http.seconds):
                return Cost(math.inf, f"unbounded ({shown}, line {line})", call, http.reason)
            return Cost(http.seconds, f"{format_seconds(http.seconds)} s ({http.reason})")
        function = self._local_function(call)
        if function is not None:
            if isinstance(function, ast.AsyncFunctionDef) and not awaited:
                return ZERO
            self.called.add(function)
            cost = self.of_function(function)
            if cost.seconds <= 0 and not cost.unbounded:
                return ZERO
            if cost.unbounded:
                return cost
            inner = f"({cost.text})" if cost.compound else cost.text
            return Cost(cost.seconds, f"{inner} via `{function.name}`", None, "", cost.covered)
        for extension in self.extensions:
            cost = extension(self, call, awaited)
            if cost is not None:
                return cost
        return ZERO

    def _imported_client(self, call: ast.Call):
        """A method call on a client imported from another module of the project (`from .cache import redis`)."""
        if not isinstance(call.func, ast.Attribute) or not isinstance(call.func.value, ast.Name):
            return None
        local = call.func.value.id
        imported = self.resolver.imports.get(local)
        if imported is None or imported[2] is None:
            return None
        from .redis_clients import imported_redis_client

        level, module, name = imported
        return imported_redis_client(self.source.location, level, module, name, self.resolver.deployment)

    def _redis_cost(self, call: ast.Call, client, clients: RedisClients, resolver: ValueResolver, where: str) -> Cost:
        """Worst case of one call on a client: its `socket_timeout`, or unbounded without one.

        `where` names the other module when the client is imported (its lines are that file's).
        """
        line = call.lineno
        described = f"`{dotted_name(call.func) or source_of(call.func)}`"
        if client.has_star_kwargs or client.url_timeouts():
            return ZERO
        pool = clients.pool_of(client)
        source = pool if client.keyword("connection_pool") is not None else client
        if source is None or source.has_star_kwargs:
            return ZERO
        keyword = source.keyword("socket_timeout")
        if keyword is not None:
            value = resolver.resolve(keyword.value)
            if value is None:
                return ZERO
            if value.number > 0:
                return Cost(value.number, f"{value.text} s ({described} socket_timeout, line {line})")
            return ZERO
        if source.url_timeouts():
            return ZERO
        reason = (
            f"{described} (line {line}) waits on the Redis client built at {where}line {source.call.lineno} without "
            f"socket_timeout, and no wait_for/timeout bounds it"
        )
        return Cost(math.inf, f"unbounded ({described}, line {line})", call, reason)

    def _local_function(self, call: ast.Call):
        func = call.func
        if isinstance(func, ast.Name):
            return self.module_functions.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            for ancestor in self.source.ancestors(call):
                if isinstance(ancestor, ast.ClassDef):
                    return next(
                        (s for s in ancestor.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == func.attr),
                        None,
                    )
        return None


def describe_total(cost: Cost) -> str:
    """`a + b = 40.0 s` (or just `40.0 s` when there is a single term)."""
    if cost.compound or " × " in cost.text or "via" in cost.text:
        return f"{cost.text} = {format_seconds(cost.seconds)} s"
    return cost.text
