"""INF301 redis-timeout-too-long: a Redis client, call or setting whose timeout is over
`max-redis-timeout`, so one stalled Redis holds a request (or a health check) longer than the
probe allows. Fix: set the limit (unsafe)."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ...analysis.checks import is_timeout_keyword
from ...analysis.constants import (
    Value,
    class_fields,
    field_default_expr,
    format_seconds,
)
from ...analysis.names import dotted_name
from ...analysis.redis_clients import FACTORY_LAST_NAMES, RedisClients, RedisFactory, name_tokens
from ...analysis.units import in_seconds, seconds_per_unit
from ...finding import Finding
from .redis_context import RedisContext
from .timeout_rule import DICT_KEYS, DJANGO_KEYS, TimeoutRule, mentions_redis, redis_context


_WAIT_FOR = {"asyncio.wait_for"}
# the last parts of the qualified callee names `_call` judges by name (factories, Sentinel clients)
_CALLS_JUDGED_BY_NAME = FACTORY_LAST_NAMES | {"master_for", "slave_for"} | {name.rpartition(".")[2] for name in _WAIT_FOR}
_TIMEOUT_BLOCKS = {"asyncio.timeout", "async_timeout.timeout", "asyncio.timeouts.timeout", "anyio.fail_after"}
_HTTP_MODULES = {"requests", "httpx", "aiohttp", "urllib", "urllib3", "http", "grpc"}


class RedisTimeoutTooLong(TimeoutRule):
    """INF301: a Redis client, call or Redis setting whose timeout is over `max-redis-timeout`."""

    code = "INF301"
    node_types = (ast.Call, ast.Dict, ast.Assign, ast.AnnAssign, ast.AsyncWith, ast.With)

    def applies_to(self, ctx) -> bool:
        if not self.production(ctx):
            return False
        if mentions_redis(ctx.source):
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
        return name is not None and redis_context(ctx, self.words()).says_redis(name.rsplit(".", 1)[-1])

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
        if not redis_context(ctx, self.words()).registration_says_redis(call):
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
        lower = [k for k in keys if k in DICT_KEYS]
        upper = [k for k in keys if k in DJANGO_KEYS]
        if not lower and not upper:
            return
        context = redis_context(ctx, self.words())
        redis_dict = bool(lower) and context.value_is_redis_setting(node, ctx.analysis(RedisClients))
        django = bool(upper) and context.django_redis_options(node)
        if not redis_dict and not django:
            return
        resolver = self.checks(ctx).resolver
        for key, value_node in zip(keys, node.values):
            if isinstance(value_node, ast.Name) and self._judged_where_assigned(value_node.id, context):
                continue
            if (key in DICT_KEYS and redis_dict) or (key in DJANGO_KEYS and django):
                yield from self._setting(ctx, resolver.resolve(value_node), value_node, key, "in Redis connection settings")

    @staticmethod
    def _judged_where_assigned(name: str, context: RedisContext) -> bool:
        """`{"socket_timeout": socket_timeout}`: the assignment of such a name is reported itself."""
        return name.lower() in DICT_KEYS or (is_timeout_keyword(name) and context.says_redis(name))

    def _assignment(self, node: ast.Assign | ast.AnnAssign, ctx) -> Iterable[Finding]:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is None or len(targets) != 1:
            return
        name = dotted_name(targets[0])
        if not name:
            return
        last = name.rsplit(".", 1)[-1]
        socket_name = last.lower() in DICT_KEYS
        timeout_name = is_timeout_keyword(last)
        if not socket_name and not timeout_name:
            return  # most assignments, decided from the name alone
        tokens = name_tokens(last)
        context = redis_context(ctx, self.words())
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


def _what_blocks(key: str, seconds: str, server: str = "server", *, lets: bool = False) -> str:
    """A connect timeout bounds each connection attempt; a socket timeout each call."""
    verb = "block" if lets else "blocks"
    if "connect" in key.lower():
        return f"an unreachable {server} {verb} each connection attempt for {seconds} s"
    return f"a stalled {server} {verb} each call for {seconds} s"
