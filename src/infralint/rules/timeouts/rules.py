"""INF3xx: Redis timeouts and health-check budgets that take deploys down.

Detection is `ast` only; values are resolved by `analysis.constants` (cross-module through astroid,
only for candidate values), clients by `analysis.redis_clients`, worst cases by `analysis.budget`.
Fixes set a keyword with LibCST (or rewrite a literal in place) and are unsafe: they change
behaviour.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from ...analysis.budget import WorstCase, describe_total
from ...analysis.checks import CheckCall, CheckCalls, check_calls_for, is_timeout_keyword
from ...analysis.constants import (
    Value,
    class_fields,
    field_default_expr,
    format_seconds,
)
from ...analysis.cross_module import ProjectCosts, attach_database_costs
from ...analysis.deployment import DeploymentConditions
from ...analysis.names import dotted_name
from ...analysis.redis_clients import (
    FACTORY_LAST_NAMES,
    SOCKET_TIMEOUT_KEYWORDS,
    RedisClients,
    RedisFactory,
    name_tokens,
)
from ...analysis.units import in_seconds, seconds_per_unit
from ...finding import Edit, Finding
from ...project.queries import ask
from ..base import Rule
from .health import SHORT_HEALTH_WORDS, HealthCode, HealthWords
from .redis_context import RedisContext, RedisContextFor
from .redis_settings import cache_timeout_keys, explicit_none, missing_socket_timeouts

if TYPE_CHECKING:
    from ...source import SourceFile

_WAIT_FOR = {"asyncio.wait_for"}
# the last parts of the qualified callee names `_call` judges by name (factories, Sentinel clients)
_CALLS_JUDGED_BY_NAME = FACTORY_LAST_NAMES | {"master_for", "slave_for"} | {name.rpartition(".")[2] for name in _WAIT_FOR}
_TIMEOUT_BLOCKS = {"asyncio.timeout", "async_timeout.timeout", "asyncio.timeouts.timeout", "anyio.fail_after"}
_HTTP_MODULES = {"requests", "httpx", "aiohttp", "urllib", "urllib3", "http", "grpc"}
_DICT_KEYS = frozenset({"socket_timeout", "socket_connect_timeout"})
_DJANGO_KEYS = frozenset({"SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT"})  # django-redis OPTIONS
_DEFAULT_HEALTH_PATTERN = "health|healthz|healthcheck|healthchecks|healthy|readyz|readiness|livez|liveness"
_PLAIN_HEALTH_WORDS = ("health", "readyz", "readiness", "livez", "liveness")
#: a short health word as the last segment of a route path written in the file (`"/api/ready"`)
_SHORT_HEALTH_PATH = re.compile(r"/(?:%s)[\"']" % "|".join(sorted(SHORT_HEALTH_WORDS)))


def _mentions_redis(source: SourceFile) -> bool:
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


def _mentions_health(source: SourceFile) -> bool:
    """The default pattern's words by substring search (regex alternation is slow on large files),
    or a short health word ending a route path (`"/ready"`)."""
    lower = source.lowered
    if any(word in lower for word in _PLAIN_HEALTH_WORDS):
        return True
    return "/" in lower and _SHORT_HEALTH_PATH.search(lower) is not None


def _redis_context(ctx, words: tuple[str, ...]) -> RedisContext:
    return ctx.analysis(RedisContextFor(words))


class _TimeoutRule(Rule):
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
        data = finding.fix.data if finding.fix else {}
        text = ctx.source.text
        if data.get("kind") == "replace":  # ast columns are UTF-8 bytes; edits count characters
            from ...fixes.cst import char_column

            start = char_column(text, data["line"], data["col"])
            end = char_column(text, data["end_line"], data["end_col"])
            return [Edit(data["line"], start, data["end_line"], end, data["value"])]
        if data.get("kind") == "keywords":
            from ...fixes.cst import set_keyword
            from ...fixes.edits import edits_between

            new_text = text
            for keyword, value in data["keywords"]:
                new_text = set_keyword(new_text, data["line"], data["col"], keyword, value)
            return edits_between(text, new_text) or None
        return None

    def value_fix(self, node: ast.expr | None, call: ast.Call | None, keyword: str, limit: float, value: Value, unit: float = 1.0):
        """Set the value to the limit: rewrite a literal in place, or add the omitted keyword.
        `unit`: the seconds one unit of the setting stands for (`timeout_ms`: 0.001)."""
        replacement = self.limit_source(round(limit / unit, 6), node)
        title = f"Set {keyword} to {replacement}"
        if node is not None and _only_literals(node):
            end_line = node.end_lineno or node.lineno
            end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
            return self.make_fix(title, unsafe=True, kind="replace", line=node.lineno, col=node.col_offset, end_line=end_line, end_col=end_col, value=replacement)
        if node is None and call is not None:
            return self.make_fix(title, unsafe=True, kind="keywords", line=call.lineno, col=call.col_offset, keywords=[[keyword, replacement]])
        return None


class RedisTimeoutTooLong(_TimeoutRule):
    """INF301: a Redis client, call or Redis setting whose timeout is over `max-redis-timeout`."""

    code = "INF301"
    node_types = (ast.Call, ast.Dict, ast.Assign, ast.AnnAssign, ast.AsyncWith, ast.With)

    def applies_to(self, ctx) -> bool:
        if not self.production(ctx):
            return False
        if _mentions_redis(ctx.source):
            return True
        extra = [w.lower() for w in self.words() if w.lower() != "redis"]
        return bool(extra) and any(word in ctx.source.lowered for word in extra)

    @property
    def limit(self) -> float:
        return float(self.option("max-redis-timeout"))

    def words(self) -> tuple[str, ...]:
        return tuple(self.option("redis-context-words"))

    def visit(self, node: ast.AST, ctx) -> Iterable[Finding]:
        # returns the handler's generator: no generator of its own for every node of the file
        kind = type(node)
        if kind is ast.Call:
            return self._call(node, ctx) if self._call_may_matter(node, ctx) else ()  # type: ignore[arg-type]
        if kind is ast.Dict:
            return self._dict(node, ctx)  # type: ignore[arg-type]
        if kind is ast.Assign or kind is ast.AnnAssign:
            return self._assignment(node, ctx)
        return self._timeout_block(node, ctx)

    # -- calls --------------------------------------------------------------------------------

    @staticmethod
    def _call_may_matter(call: ast.Call, ctx) -> bool:
        """What `_call` can judge, told apart cheaply (every call of the file comes here): a
        Redis factory, `wait_for`, or a call passing a timeout or building a capitalised class.
        The callee's qualified last part is its attribute, or what its name was imported as."""
        func = call.func
        if type(func) is ast.Name and func.id[:1].isupper():
            return True
        last = ctx.analysis(RedisClients).imports.last_part(func)
        return last in _CALLS_JUDGED_BY_NAME or any(is_timeout_keyword(k.arg) for k in call.keywords)

    def _call(self, call: ast.Call, ctx) -> Iterable[Finding]:
        clients = ctx.analysis(RedisClients)
        factory = clients.factory(call) or clients.sentinel_client(call)
        if factory is not None:
            yield from self._factory(factory, ctx)
            return
        name = clients.imports.call_name(call) or ""
        if name in _WAIT_FOR:
            yield from self._wait_for(call, ctx)
            return
        if not any(is_timeout_keyword(k.arg) for k in call.keywords) and not self._check_class_with_timeout(call, ctx):
            return
        if clients.redis_call(call) is not None or name.split(".")[0] in _HTTP_MODULES:
            return
        yield from self._registration(call, ctx)

    def _check_class_with_timeout(self, call: ast.Call, ctx) -> bool:
        """`RedisCheck()` where the module's class declares a `*timeout*` field default."""
        if not (isinstance(call.func, ast.Name) and call.func.id[:1].isupper()):
            return False
        cls = self.checks(ctx).local_class(call)
        return cls is not None and any(is_timeout_keyword(name) for name in class_fields(cls))

    def _factory(self, factory: RedisFactory, ctx) -> Iterable[Finding]:
        resolver = self.checks(ctx).resolver
        for keyword_name in factory.timeout_keywords:
            keyword = factory.keyword(keyword_name)
            if keyword is None:
                continue
            value = resolver.resolve(keyword.value)
            if value is None or value.number <= self.limit:
                continue
            if factory.kind == "blocking-pool" and keyword_name == "timeout":
                effect = f"waits up to {value.text} s for a free connection"
            else:
                key = "connect_timeout" if factory.is_legacy_aioredis else keyword_name
                effect = f"lets {_what_blocks(key, value.text, lets=True)}"
            message = (
                f"`{keyword_name}={value.text}`{self.notes(value)} on `{factory.short_name}` {effect}, "
                f"over the {format_seconds(self.limit)} s limit (max-redis-timeout)"
            )
            yield self.report(ctx, keyword.value, message, self.value_fix(keyword.value, factory.call, keyword_name, self.limit, value))
        url = factory.url_node()
        for key, raw in factory.url_timeouts().items():
            try:
                number = float(raw)
            except ValueError:
                continue
            if number > self.limit:
                effect = f"a call waits up to {format_seconds(number)} s for a free connection" if key == "timeout" else (
                    _what_blocks(key, format_seconds(number))
                )
                message = (
                    f"the Redis URL sets `{key}={raw}`: {effect}, "
                    f"over the {format_seconds(self.limit)} s limit (max-redis-timeout)"
                )
                yield self.report(ctx, url, message)  # type: ignore[arg-type]

    def _wait_for(self, call: ast.Call, ctx) -> Iterable[Finding]:
        if not call.args or not self._is_redis_awaitable(call.args[0], ctx):
            return
        keyword = next((k for k in call.keywords if k.arg == "timeout"), None)
        node = call.args[1] if len(call.args) > 1 else (keyword.value if keyword else None)
        value = self.checks(ctx).resolver.resolve(node)
        if value is None or value.number <= self.limit:
            return
        message = (
            f"`asyncio.wait_for` lets the Redis call `{ast.unparse(call.args[0])[:60]}` wait {value.text} s{self.notes(value)}, "
            f"over the {format_seconds(self.limit)} s limit (max-redis-timeout)"
        )
        fix = self.value_fix(node, call, "timeout", self.limit, value) if keyword is not None or value.literal else None
        yield self.report(ctx, node, message, fix)  # type: ignore[arg-type]

    def _is_redis_awaitable(self, node: ast.AST, ctx) -> bool:
        clients = ctx.analysis(RedisClients)
        if isinstance(node, ast.Await):
            node = node.value
        if not isinstance(node, ast.Call):
            return False
        if clients.redis_call(node) is not None or clients.factory(node) is not None:
            return True
        # a function of the service whose name says redis (`check_redis()`, `self._redis_ping()`)
        name = dotted_name(node.func)
        return name is not None and _redis_context(ctx, self.words()).says_redis(name.rsplit(".", 1)[-1])

    def _timeout_block(self, node: ast.With | ast.AsyncWith, ctx) -> Iterable[Finding]:
        imports = ctx.analysis(RedisClients).imports
        for item in node.items:
            expr = item.context_expr
            if not (isinstance(expr, ast.Call) and imports.call_name(expr) in _TIMEOUT_BLOCKS and expr.args):
                continue
            if not any(isinstance(n, ast.Call) and self._is_redis_awaitable(n, ctx) for stmt in node.body for n in ast.walk(stmt)):
                continue
            value = self.checks(ctx).resolver.resolve(expr.args[0])
            if value is None or value.number <= self.limit:
                continue
            message = (
                f"`{dotted_name(expr.func)}({value.text})`{self.notes(value)} around Redis calls lets them wait {value.text} s, "
                f"over the {format_seconds(self.limit)} s limit (max-redis-timeout)"
            )
            yield self.report(ctx, expr.args[0], message, self.value_fix(expr.args[0], None, "timeout", self.limit, value))

    def _registration(self, call: ast.Call, ctx) -> Iterable[Finding]:
        if not _redis_context(ctx, self.words()).registration_says_redis(call):
            return
        check = self.checks(ctx).check_call(call)
        if check is None or check.timeout.value.number <= self.limit:
            return
        setting = check.timeout
        message = (
            f"this Redis check allows `{setting.name}` = {setting.value.text} s{self.notes(setting.value)} per attempt, "
            f"over the {format_seconds(self.limit)} s limit (max-redis-timeout)"
        )
        node = setting.node if setting.node is not None else call
        fix = self.value_fix(setting.node, call, setting.name, self.limit, setting.value, seconds_per_unit(setting.name))
        yield self.report(ctx, node, message, fix)

    # -- settings that reach Redis indirectly ---------------------------------------------------

    def _dict(self, node: ast.Dict, ctx) -> Iterable[Finding]:
        keys = [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None for k in node.keys]
        lower = [k for k in keys if k in _DICT_KEYS]
        upper = [k for k in keys if k in _DJANGO_KEYS]
        if not lower and not upper:
            return
        context = _redis_context(ctx, self.words())
        redis_dict = bool(lower) and context.value_is_redis_setting(node, ctx.analysis(RedisClients))
        django = bool(upper) and context.django_redis_options(node)
        if not redis_dict and not django:
            return
        resolver = self.checks(ctx).resolver
        for key, value_node in zip(keys, node.values):
            if isinstance(value_node, ast.Name) and self._judged_where_assigned(value_node.id, context):
                continue
            if (key in _DICT_KEYS and redis_dict) or (key in _DJANGO_KEYS and django):
                yield from self._setting(ctx, resolver.resolve(value_node), value_node, key, "in Redis connection settings")

    @staticmethod
    def _judged_where_assigned(name: str, context: RedisContext) -> bool:
        """`{"socket_timeout": socket_timeout}`: the assignment of such a name is reported itself."""
        return name.lower() in _DICT_KEYS or (is_timeout_keyword(name) and context.says_redis(name))

    def _assignment(self, node: ast.Assign | ast.AnnAssign, ctx) -> Iterable[Finding]:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is None or len(targets) != 1:
            return
        name = dotted_name(targets[0])
        if not name:
            return
        last = name.rsplit(".", 1)[-1]
        socket_name = last.lower() in _DICT_KEYS
        timeout_name = is_timeout_keyword(last)
        if not socket_name and not timeout_name:
            return  # most assignments, decided from the name alone
        tokens = name_tokens(last)
        context = _redis_context(ctx, self.words())
        redis_name = timeout_name and context.says_redis(last)
        if not socket_name and not redis_name:
            return
        clients = ctx.analysis(RedisClients)
        if name in clients.names_passed_as_timeouts:
            return  # judged where it is passed to the client
        if not redis_name and not context.value_is_redis_setting(node.value, ctx.analysis(RedisClients)):
            return
        if "interval" in tokens:
            return
        value_node = field_default_expr(node.value) or node.value
        value = in_seconds(last, self.checks(ctx).resolver.resolve(value_node))
        yield from self._setting(ctx, value, value_node, last, "configures Redis")

    def _setting(self, ctx, value: Value | None, node: ast.expr, key: str, where: str) -> Iterable[Finding]:
        if value is None or value.number <= self.limit:
            return
        message = (
            f"`{key}` = {value.text} s{self.notes(value)} {where}: {_what_blocks(key, value.text, 'Redis')}, "
            f"over the {format_seconds(self.limit)} s limit (max-redis-timeout)"
        )
        yield self.report(ctx, node, message, self.value_fix(node, None, key, self.limit, value, seconds_per_unit(key)))


class RedisTimeoutMissing(_TimeoutRule):
    """INF302: a redis-py client or pool without socket timeouts blocks forever on a stalled server."""

    code = "INF302"
    node_types = (ast.Call, ast.Dict)
    call_names = FACTORY_LAST_NAMES  # the calls it judges are Redis factories
    _JUDGED: ClassVar[frozenset[str]] = frozenset({"client", "cluster", "pool", "blocking-pool"})

    def applies_to(self, ctx) -> bool:
        return self.production(ctx) and _mentions_redis(ctx.source)

    def visit(self, node: ast.AST, ctx) -> Iterable[Finding]:
        if type(node) is ast.Dict:
            return self._settings_dict(node, ctx)  # type: ignore[arg-type]
        return self._factory_call(node, ctx)  # type: ignore[arg-type]

    def _factory_call(self, node: ast.Call, ctx) -> Iterable[Finding]:
        clients = ctx.analysis(RedisClients)
        factory = clients.factory(node)  # type: ignore[arg-type]
        if factory is None or factory.library == "coredis" or factory.kind not in self._JUDGED:
            return
        if factory.has_star_kwargs:
            return
        if factory.is_legacy_aioredis:
            yield from self._legacy_aioredis(factory, ctx)
            return
        default = float(self.option("default-socket-timeout"))
        yield from self._blocking_pool_wait(factory, ctx, default)
        passed = [k for k in SOCKET_TIMEOUT_KEYWORDS if factory.keyword(k) is not None]
        if factory.keyword("connection_pool") is not None:
            yield from self._ignored_by_pool(factory, clients, passed, ctx)
            return
        if factory.keyword("socket_timeout") is not None or "socket_timeout" in factory.url_timeouts():
            return
        missing = [k for k in SOCKET_TIMEOUT_KEYWORDS if factory.keyword(k) is None and k not in factory.url_timeouts()]
        what = "pool" if "pool" in factory.kind else "client"
        url_note = ""
        if factory.qualified_name.endswith("from_url") and factory.url_node() is None:
            url_note = " (unless its URL carries `?socket_timeout=`)"
        message = (
            f"Redis {what} `{factory.short_name}` is built without `socket_timeout`{url_note}: redis-py's default is no "
            f"timeout, so a stalled server blocks every caller forever"
        )
        value = self.limit_source(default, None)
        fix = self.make_fix(
            f"Add {', '.join(f'{k}={value}' for k in missing)}",
            unsafe=True,
            kind="keywords",
            line=factory.call.lineno,
            col=factory.call.col_offset,
            keywords=[[k, value] for k in missing],
        )
        yield self.report(ctx, factory.call.func, message, fix)

    def _legacy_aioredis(self, factory: RedisFactory, ctx) -> Iterable[Finding]:
        (keyword,) = factory.timeout_keywords
        if factory.keyword(keyword) is not None:
            return
        message = (
            f"aioredis 1.x `{factory.short_name}` is called without `{keyword}=`: it connects with no timeout, so an "
            f"unreachable Redis blocks each connection attempt forever (aioredis 1.x has no read timeout at all: bound calls "
            f"with `asyncio.wait_for`)"
        )
        value = self.limit_source(float(self.option("default-socket-timeout")), None)
        fix = self.make_fix(
            f"Add {keyword}={value}", unsafe=True, kind="keywords", line=factory.call.lineno, col=factory.call.col_offset, keywords=[[keyword, value]]
        )
        yield self.report(ctx, factory.call.func, message, fix)

    def _settings_dict(self, node: ast.Dict, ctx) -> Iterable[Finding]:
        """django-redis `CACHES` entries and Celery transport options: no socket timeout, or `None`."""
        for missing in missing_socket_timeouts(ctx.source, node):
            yield self.report(ctx, missing.node, missing.message)
        if not explicit_none(node, (*_DJANGO_KEYS, *_DICT_KEYS)):
            return  # no timeout key set to None: whose settings these are need not be asked
        context = _redis_context(ctx, tuple(self.config.option("timeouts", "redis-context-words")))
        backend = context.redis_cache_backend(node)
        if backend is not None:
            keys = cache_timeout_keys(backend)
        elif context.value_is_redis_setting(node, ctx.analysis(RedisClients)):
            keys = tuple(_DICT_KEYS)
        else:
            return
        for key, value in explicit_none(node, keys):
            what = "each connection attempt" if "connect" in key.lower() else "every call"
            message = f"`{key}` is None in Redis connection settings: no timeout, stated explicitly, so a stalled Redis blocks {what} forever"
            yield self.report(ctx, value, message)

    def _blocking_pool_wait(self, factory: RedisFactory, ctx, default: float) -> Iterable[Finding]:
        if factory.kind != "blocking-pool":
            return
        keyword = factory.keyword("timeout")
        if keyword is None or not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
            return
        message = "`BlockingConnectionPool(timeout=None)` waits forever for a free connection when the pool is exhausted"
        fix = self.make_fix(
            f"Set timeout={self.limit_source(default, None)}",
            unsafe=True,
            kind="replace",
            line=keyword.value.lineno,
            col=keyword.value.col_offset,
            end_line=keyword.value.end_lineno,
            end_col=keyword.value.end_col_offset,
            value=self.limit_source(default, None),
        )
        yield self.report(ctx, keyword.value, message, fix)

    def _ignored_by_pool(self, factory: RedisFactory, clients: RedisClients, passed: list[str], ctx) -> Iterable[Finding]:
        if not passed:
            return  # the pool is judged where it is built
        pool = clients.pool_of(factory)
        if pool is None or pool.has_star_kwargs or pool.keyword("socket_timeout") is not None or pool.url_timeouts():
            return
        message = (
            f"{', '.join(f'`{k}`' for k in passed)} passed to `{factory.short_name}` {'is' if len(passed) == 1 else 'are'} ignored: "
            f"with `connection_pool=` redis-py uses the pool's settings, and the pool built at line {pool.call.lineno} has no "
            f"`socket_timeout`, so a stalled server blocks every caller forever"
        )
        yield self.report(ctx, factory.keyword("connection_pool").value, message)  # type: ignore[union-attr]


class HealthCheckBudget(_TimeoutRule):
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


def _what_blocks(key: str, seconds: str, server: str = "server", *, lets: bool = False) -> str:
    """A connect timeout bounds each connection attempt; a socket timeout each call."""
    verb = "block" if lets else "blocks"
    if "connect" in key.lower():
        return f"an unreachable {server} {verb} each connection attempt for {seconds} s"
    return f"a stalled {server} {verb} each call for {seconds} s"


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


def _only_literals(node: ast.AST) -> bool:
    """`30`, `-1`, `3 * 10`, `30.0 if is_gcp else 10.0`: a value written in place (names in a condition are fine)."""
    if isinstance(node, ast.IfExp):
        return _only_literals(node.body) and _only_literals(node.orelse)
    return all(not isinstance(n, (ast.Name, ast.Attribute, ast.Call)) for n in ast.walk(node))
