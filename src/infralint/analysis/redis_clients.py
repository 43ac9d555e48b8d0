"""Which calls build Redis clients, which names hold them, and which calls go to Redis.

Redis-ness comes from resolved qualified names (`ImportMap`): `redis.asyncio.Redis`, `aioredis.from_url`,
`coredis.RedisCluster` and their aliases — never from the spelling of a variable alone. A client
bound to a name (`self._redis = redis.Redis(...)`, `r = Redis.from_url(...)`, `async with
Redis(...) as r`) or returned by a function of the module (`def get_redis(): return Redis(...)`) makes
the calls on that name Redis calls.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import parse_qs, urlsplit

from ..source import SourceFile
from .names import ImportMap, dotted_name

_LIBRARY_MODULES = {
    "redis": "redis",
    "redis.client": "redis",
    "redis.connection": "redis",
    "redis.sentinel": "redis",
    "redis.cluster": "redis",
    "redis.asyncio": "redis.asyncio",
    "redis.asyncio.client": "redis.asyncio",
    "redis.asyncio.connection": "redis.asyncio",
    "redis.asyncio.sentinel": "redis.asyncio",
    "redis.asyncio.cluster": "redis.asyncio",
    "aioredis": "aioredis",
    "aioredis.client": "aioredis",
    "aioredis.connection": "aioredis",
    "aioredis.sentinel": "aioredis",
    "coredis": "coredis",
    "coredis.client": "coredis",
    "coredis.pool": "coredis",
}
# member (after the module) → kind of object built
_FACTORIES = {
    "Redis": "client",
    "StrictRedis": "client",
    "from_url": "client",
    "Redis.from_url": "client",
    "StrictRedis.from_url": "client",
    "RedisCluster": "cluster",
    "RedisCluster.from_url": "cluster",
    "ConnectionPool": "pool",
    "ConnectionPool.from_url": "pool",
    "BlockingConnectionPool": "blocking-pool",
    "BlockingConnectionPool.from_url": "blocking-pool",
    "Sentinel": "sentinel",
    "create_redis": "client",
    "create_redis_pool": "client",
    "create_pool": "pool",
    "create_connection": "client",
}
FACTORY_LAST_NAMES = frozenset(member.rpartition(".")[2] for member in _FACTORIES)
SOCKET_TIMEOUT_KEYWORDS = ("socket_timeout", "socket_connect_timeout")
#: client methods that build objects locally and send nothing to the server
_NO_IO_METHODS = {
    "from_url", "close", "aclose", "connection_pool", "pipeline", "pubsub", "lock", "register_script", "monitor",
    "get_encoder", "get_connection_kwargs", "get_retry", "set_retry", "set_response_callback", "client",
    "get_node", "get_nodes", "get_default_node", "get_primaries", "get_replicas", "get_random_node", "keyslot",
    "get_node_from_key", "determine_target_nodes", "json", "ft", "ts", "bf", "cf", "cms", "topk", "tdigest",
}
_LEGACY_AIOREDIS_FACTORIES = {"create_redis", "create_redis_pool", "create_pool", "create_connection"}
_CODERIS_TIMEOUT_KEYWORDS = ("stream_timeout", "connect_timeout")
_ASYNC_LIBRARIES = {"redis.asyncio", "aioredis", "coredis"}
REDIS_URL_SCHEMES = ("redis://", "rediss://", "unix://", "redis+sentinel://")
# what `_scan` lists (the engine's traversal lists these too)
_SCANNED = frozenset({ast.Call, ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith, ast.FunctionDef, ast.AsyncFunctionDef, ast.Return, ast.ClassDef})


@dataclass(frozen=True)
class RedisFactory:
    """A call that builds a Redis client, pool or sentinel."""

    call: ast.Call
    qualified_name: str
    library: str  # redis | redis.asyncio | aioredis | coredis
    kind: str  # client | cluster | pool | blocking-pool | sentinel

    @property
    def is_async(self) -> bool:
        return self.library in _ASYNC_LIBRARIES

    @property
    def is_legacy_aioredis(self) -> bool:
        """aioredis 1.x `create_pool`/`create_redis_pool`/`create_redis`: its only timeout bounds connecting."""
        return self.qualified_name.rsplit(".", 1)[-1] in _LEGACY_AIOREDIS_FACTORIES

    @property
    def timeout_keywords(self) -> tuple[str, ...]:
        """Keywords that bound how long a call can block (what INF301 judges)."""
        if self.library == "coredis":
            return _CODERIS_TIMEOUT_KEYWORDS
        if self.is_legacy_aioredis:
            return ("create_connection_timeout",) if self.qualified_name.endswith("create_pool") else ("timeout",)
        if self.kind == "blocking-pool":
            return (*SOCKET_TIMEOUT_KEYWORDS, "timeout")
        return SOCKET_TIMEOUT_KEYWORDS

    @property
    def short_name(self) -> str:
        """The factory as the source spells it (`aioredis.from_url`, `Redis`)."""
        return dotted_name(self.call.func) or self.qualified_name

    def keyword(self, name: str) -> ast.keyword | None:
        return next((k for k in self.call.keywords if k.arg == name), None)

    @property
    def has_star_kwargs(self) -> bool:
        return any(k.arg is None for k in self.call.keywords)

    def url_node(self) -> ast.Constant | None:
        """The URL literal of a `from_url(...)` call."""
        if not self.qualified_name.endswith("from_url"):
            return None
        node = self.call.args[0] if self.call.args else next((k.value for k in self.call.keywords if k.arg == "url"), None)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node
        return None

    def url_timeouts(self) -> dict[str, str]:
        """`socket_timeout=30` and friends given in the URL's query string."""
        node = self.url_node()
        if node is None or "?" not in node.value:
            return {}
        try:
            query = parse_qs(urlsplit(node.value).query)
        except ValueError:
            return {}
        return {key: values[-1] for key, values in query.items() if key in self.timeout_keywords and values}


def factory_kind(qualified_name: str | None) -> tuple[str, str] | None:
    """(library, kind) when the qualified name is a Redis client/pool factory."""
    if not qualified_name or qualified_name.rpartition(".")[2] not in FACTORY_LAST_NAMES:
        return None  # most calls: no factory's name (asked for every call of a Redis file)
    parts = qualified_name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:split])
        member = ".".join(parts[split:])
        if module in _LIBRARY_MODULES and member in _FACTORIES:
            return _LIBRARY_MODULES[module], _FACTORIES[member]
    return None


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> tuple[str, ...]:
    """`_validate_redis_readiness` → [validate, redis, readiness]; `RedisHealthCheck` → [redis, health, check]."""
    spaced = []
    previous = ""
    for char in name:
        if char.isupper() and previous and (previous.islower() or previous.isdigit()):
            spaced.append(" ")
        spaced.append(char if char.isalnum() else " ")
        previous = char
    return tuple("".join(spaced).lower().split())  # cached: never changed by callers


class RedisClients:
    """Redis factories of one file and the names and functions that hold or return their clients."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.imports = ImportMap(source)
        self._calls: dict[ast.Call, RedisFactory | None] = {}

    def factory(self, call: ast.Call) -> RedisFactory | None:
        """The Redis factory this call is, if any (a call through an alias or `redis.asyncio` too)."""
        if call in self._calls:
            return self._calls[call]
        found = None
        kind = factory_kind(self.imports.call_name(call)) if self.imports.last_part(call.func) in FACTORY_LAST_NAMES else None
        if kind is not None:
            found = RedisFactory(call, self.imports.call_name(call) or "", *kind)
        self._calls[call] = found
        return found

    def sentinel_client(self, call: ast.Call) -> RedisFactory | None:
        """`sentinel.master_for("mymaster", socket_timeout=…)`: a client built by a Sentinel of this file."""
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in ("master_for", "slave_for"):
            return None
        owner = self.client_of(call.func.value)
        if owner is None or owner.kind != "sentinel":
            return None
        return RedisFactory(call, f"{owner.qualified_name}.{call.func.attr}", owner.library, "client")

    @cached_property
    def mentions_redis_library(self) -> bool:
        return any(self.imports.imports_module(m) for m in ("redis", "aioredis", "coredis", "django_redis"))

    @cached_property
    def _scan(self) -> tuple[list[ast.AST], list[ast.AST], list[ast.Call], list[ast.Return], list[ast.ClassDef]]:
        """One walk: what may bind clients, functions, factory calls, returns of calls, classes."""
        binders: list[ast.AST] = []
        functions: list[ast.AST] = []
        factories: list[ast.Call] = []
        returns: list[ast.Return] = []
        classes: list[ast.ClassDef] = []
        for node in self.source.nodes_of(_SCANNED):
            if isinstance(node, ast.Call):
                if self.factory(node) is not None:
                    factories.append(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith)):
                binders.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append(node)
            elif isinstance(node, ast.Return) and isinstance(node.value, (ast.Call, ast.Await)):
                returns.append(node)
            elif isinstance(node, ast.ClassDef):
                classes.append(node)
        return binders, functions, factories, returns, classes

    def _scope_of(self, name: str, line: int):
        """Where a name lives: its function for a plain local, its class for `self.x`, else the module (None)."""
        base = name.split(".")[0]
        if base in ("self", "cls"):
            return _innermost(self._scan[4], line)
        if "." in name:
            return None
        return _innermost(self._scan[1], line)

    @cached_property
    def bindings(self) -> dict[tuple[ast.AST | None, str], RedisFactory]:
        """(scope, dotted target) → the factory assigned to it: `redis_client`, `self._redis`, `app.state.redis`."""
        bound: dict[tuple[ast.AST | None, str], RedisFactory] = {}
        binders, _, factories, _, _ = self._scan
        if not factories:
            return bound
        returned = self.returning_functions
        for node in binders:
            pairs: list[tuple[ast.AST, ast.expr | None]] = []
            if isinstance(node, ast.Assign):
                pairs = [(target, node.value) for target in node.targets]
            elif isinstance(node, ast.AnnAssign):
                pairs = [(node.target, node.value)]
            else:
                pairs = [(item.optional_vars, item.context_expr) for item in node.items if item.optional_vars is not None]  # type: ignore[attr-defined]
            for target, value in pairs:
                made = self._made_by(value, returned) if value is not None else None
                name = dotted_name(target) if made is not None else None
                if name:
                    bound.setdefault((self._scope_of(name, node.lineno), name), made)  # type: ignore[arg-type]
        return bound

    @cached_property
    def returning_functions(self) -> dict[str, RedisFactory]:
        """Functions of the module that return a Redis client they build (`def get_redis(): return Redis(...)`)."""
        found: dict[str, RedisFactory] = {}
        _, functions, factories, returns, _ = self._scan
        if not factories:
            return found
        for stmt in returns:
            value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            made = self.factory(value) if isinstance(value, ast.Call) else None
            owner = _innermost(functions, stmt.lineno) if made is not None else None
            if owner is not None:
                found.setdefault(owner.name, made)  # type: ignore[attr-defined, arg-type]
        return found

    def _made_by(self, value: ast.expr, returned: dict[str, RedisFactory]) -> RedisFactory | None:
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return None
        made = self.factory(value)
        if made is not None:
            return made
        name = dotted_name(value.func) or ""
        local_function = "." not in name or name.split(".")[0] in ("self", "cls")
        return returned.get(name.rsplit(".", 1)[-1]) if local_function else None

    def client_of(self, receiver: ast.expr) -> RedisFactory | None:
        """The factory behind a receiver expression (`r`, `self._redis`, `Redis(...)`, `get_redis()`)."""
        if isinstance(receiver, ast.Await):
            receiver = receiver.value
        if isinstance(receiver, ast.Call):
            return self._made_by(receiver, self.returning_functions)
        name = dotted_name(receiver)
        if name is None or not self.bindings:
            return None
        scope = self._scope_of(name, receiver.lineno)
        found = self.bindings.get((scope, name))
        if found is not None or scope is None or name.split(".")[0] in ("self", "cls"):
            return found
        if name in _parameters(scope):  # a parameter shadows the module's client
            return None
        return self.bindings.get((None, name))

    def redis_call(self, call: ast.Call) -> RedisFactory | None:
        """The client a method call goes to (`await self._redis.ping()`), if it is a Redis client we know."""
        if not isinstance(call.func, ast.Attribute):
            return None
        if call.func.attr in _NO_IO_METHODS:
            return None
        client = self.client_of(call.func.value)
        if client is None or client.kind not in ("client", "cluster"):
            return None
        return client

    def pool_of(self, factory: RedisFactory) -> RedisFactory | None:
        """The pool a client is given with `connection_pool=`, when it is built in this file."""
        keyword = factory.keyword("connection_pool")
        if keyword is None:
            return None
        made = self.client_of(keyword.value)
        return made if made is not None and made.kind in ("pool", "blocking-pool") else None

    @cached_property
    def _flows(self) -> tuple[set[str], set[str]]:
        into_redis: set[str] = set()
        as_timeout: set[str] = set()
        for node in self._scan[2]:
            factory = self.factory(node)
            assert factory is not None
            for keyword in node.keywords:
                name = dotted_name(keyword.value)
                if name:
                    into_redis.add(name)
                    if keyword.arg in factory.timeout_keywords:
                        as_timeout.add(name)
        return into_redis, as_timeout

    @property
    def names_flowing_into_redis(self) -> set[str]:
        """Names passed with `**` or as a keyword value to a Redis factory: their settings reach Redis."""
        return self._flows[0]

    @property
    def names_passed_as_timeouts(self) -> set[str]:
        """Names given directly as a factory's timeout keyword (that call site is where they are judged)."""
        return self._flows[1]


def _innermost(functions: list, line: int):
    containing = [f for f in functions if f.lineno <= line <= (f.end_lineno or f.lineno)]
    return max(containing, key=lambda f: f.lineno) if containing else None


def _parameters(function) -> set[str]:
    args = function.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a is not None}


def imported_redis_client(importer: str, level: int, module: str, name: str, deployment=None):
    """(factory, its module's clients, its resolver, `path ` prefix) of a Redis client bound to `name` there."""
    from .constants import resolver_of
    from .project_modules import imported_module, shown_path

    found = imported_module(importer, level, module, name)
    if found is None:
        return None
    loaded, bound_name = found
    clients = loaded.memo.get("redis_clients")
    if clients is None:
        clients = loaded.memo["redis_clients"] = RedisClients(loaded.source)
    factory = clients.bindings.get((None, bound_name))
    if factory is None:
        return None
    resolver = resolver_of(loaded) if deployment is None else resolver_of(loaded, deployment)
    return factory, clients, resolver, f"{shown_path(loaded.path)} "
