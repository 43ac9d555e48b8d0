"""INF302 redis-timeout-missing: a redis-py client or pool built without socket timeouts (redis-py's
default is none), so a stalled server blocks every caller forever. Fix: add them (unsafe)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import ClassVar

from ...analysis.redis_clients import FACTORY_LAST_NAMES, SOCKET_TIMEOUT_KEYWORDS, RedisClients, RedisFactory
from ...finding import Finding
from ...fix_data import ReplaceExpression, SetKeywords
from .redis_settings import cache_timeout_keys, explicit_none, missing_socket_timeouts
from .timeout_rule import DICT_KEYS, DJANGO_KEYS, TimeoutRule, mentions_redis, redis_context


class RedisTimeoutMissing(TimeoutRule):
    """INF302: a redis-py client or pool without socket timeouts blocks forever on a stalled server."""

    code = "INF302"
    node_types = (ast.Call, ast.Dict)
    call_names = FACTORY_LAST_NAMES  # the calls it judges are Redis factories
    _JUDGED: ClassVar[frozenset[str]] = frozenset({"client", "cluster", "pool", "blocking-pool"})

    def applies_to(self, ctx) -> bool:
        return self.production(ctx) and mentions_redis(ctx.source)

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
            SetKeywords(factory.call.lineno, factory.call.col_offset, tuple((k, value) for k in missing)),
            unsafe=True,
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
            f"Add {keyword}={value}", SetKeywords(factory.call.lineno, factory.call.col_offset, ((keyword, value),)), unsafe=True
        )
        yield self.report(ctx, factory.call.func, message, fix)

    def _settings_dict(self, node: ast.Dict, ctx) -> Iterable[Finding]:
        """django-redis `CACHES` entries and Celery transport options: no socket timeout, or `None`."""
        for missing in missing_socket_timeouts(ctx.source, node):
            yield self.report(ctx, missing.node, missing.message)
        if not explicit_none(node, (*DJANGO_KEYS, *DICT_KEYS)):
            return  # no timeout key set to None: whose settings these are need not be asked
        context = redis_context(ctx, tuple(self.config.option("timeouts", "redis-context-words")))
        backend = context.redis_cache_backend(node)
        if backend is not None:
            keys = cache_timeout_keys(backend)
        elif context.value_is_redis_setting(node, ctx.analysis(RedisClients)):
            keys = tuple(DICT_KEYS)
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
        value = keyword.value
        fix = self.make_fix(
            f"Set timeout={self.limit_source(default, None)}",
            ReplaceExpression(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset, self.limit_source(default, None)),
            unsafe=True,
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
