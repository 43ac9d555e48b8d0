"""Whether settings that are not themselves a Redis API call are about Redis.

A `{"socket_timeout": 30}` dict or a `REDIS_TIMEOUT = 30` assignment is Redis configuration when it
flows into a Redis factory (`Redis(**options)`), when its target, the enclosing function or class
or the module says redis (a redis import, a `redis://` URL such as Celery's broker, a `redis` file
name), or — for django-redis — when it is the `OPTIONS` of a cache whose `BACKEND` is a Redis one.
A service-check registration (`register(name="redis", timeout_seconds=30)`) is about Redis when its
own arguments, an enclosing call's arguments or its target name say redis.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property

from ...analysis.names import dotted_name
from ...analysis.redis_clients import REDIS_URL_SCHEMES, RedisClients, name_tokens
from ...source import SourceFile

#: words that make a redis-named reference a check or a client (`check_redis`, `redis_client`)
_REFERENCE_WORDS = {
    "check", "checker", "ping", "probe", "validate", "validator", "verify", "readiness", "ready", "health",
    "healthcheck", "alive", "live", "liveness", "client", "conn", "connection", "pool", "cluster", "sentinel",
}
#: keywords whose string value names the checked service (`name="redis"`)
NAME_KEYWORDS = {"name", "service", "service_name", "check", "check_name", "component", "dependency", "kind", "type", "label", "key"}


class RedisContext:
    """Redis-ness of dicts, assignments and registrations in one file, for a set of words (`redis`)."""

    def __init__(self, source: SourceFile, words: tuple[str, ...]) -> None:
        self.source = source
        self.words = {w.lower() for w in words}

    def says_redis(self, name: str | None) -> bool:
        return bool(name) and not self.words.isdisjoint(name_tokens(name))  # type: ignore[arg-type]

    def _string_says_redis(self, node: ast.AST, whole: bool) -> bool:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return False
        if whole:  # a positional argument must be just the service name ("redis", "Redis")
            return node.value.strip().lower() in self.words
        return len(node.value) <= 60 and self.says_redis(node.value)

    @cached_property
    def _module_names_redis(self) -> bool:
        text = self.source.text
        return self.says_redis(self.source.pure_path.stem) or any(scheme in text for scheme in REDIS_URL_SCHEMES[:2])

    def module_says_redis(self, clients: RedisClients) -> bool:
        return self._module_names_redis or clients.mentions_redis_library

    def enclosing_says_redis(self, node: ast.AST) -> bool:
        for ancestor in self.source.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and self.says_redis(ancestor.name):
                return True
        return False

    def target_names(self, node: ast.AST) -> list[str]:
        """What a value is assigned or passed to: `x = …`, `self.x = …`, `d["x"] = …`, `f(x=…)`, `{"x": …}`."""
        parent = self.source.parents.get(node)
        names: list[str] = []
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                names.extend(_target_name(target))
        elif isinstance(parent, ast.keyword) and parent.arg:
            names.append(parent.arg)
        elif isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values):
                if value is node and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.append(key.value)
        return names

    def value_is_redis_setting(self, node: ast.AST, clients: RedisClients) -> bool:
        """A dict or assigned value whose settings reach Redis."""
        targets = self.target_names(node)
        if any(t in clients.names_flowing_into_redis for t in targets):
            return True
        if any(self.says_redis(t) for t in targets):
            return True
        return self.enclosing_says_redis(node) or self.module_says_redis(clients)

    def django_redis_options(self, node: ast.Dict) -> bool:
        """`CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": node}}`."""
        return self.redis_cache_backend(node) is not None

    def redis_cache_backend(self, node: ast.Dict) -> str | None:
        """The Redis `BACKEND` of the cache entry whose `OPTIONS` `node` is (its keys depend on it)."""
        parent = self.source.parents.get(node)
        if not isinstance(parent, ast.Dict):
            return None
        for key, value in zip(parent.keys, parent.values):
            if isinstance(key, ast.Constant) and key.value == "BACKEND":
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and self.says_redis(value.value):
                    return value.value
                return None
        return None

    def registration_says_redis(self, call: ast.Call) -> bool:
        """`register(name="redis", …)`, `Check(validator=self._validate_redis_readiness, …)`, `checks["redis"] = Check(…)`."""
        if self._arguments_say_redis(call):
            return True
        for ancestor in self.source.ancestors(call):
            if isinstance(ancestor, ast.Call) and self._arguments_say_redis(ancestor, skip=call):
                return True
            if isinstance(ancestor, ast.stmt):
                break
        return any(self.says_redis(t) for t in self.target_names(call))

    def _arguments_say_redis(self, call: ast.Call, skip: ast.AST | None = None) -> bool:
        for index, arg in enumerate(call.args):
            if arg is skip:
                continue
            if self._string_says_redis(arg, whole=True) or (index == 0 and self._reference_says_redis(arg)):
                return True
            if self._reference_says_redis(arg):
                return True
        for keyword in call.keywords:
            if keyword.value is skip or keyword.arg is None:
                continue
            if keyword.arg in NAME_KEYWORDS and self._string_says_redis(keyword.value, whole=False):
                return True
            if self._reference_says_redis(keyword.value):
                return True
        return False

    def _reference_says_redis(self, node: ast.AST) -> bool:
        """A callable or client passed by reference: `check_redis`, `self._validate_redis_readiness`, `self.redis`."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = dotted_name(node)
            if not name:
                return False
            tokens = name_tokens(name.rsplit(".", 1)[-1])
            # `check_redis`, `redis_client`, `self.redis` — not data about Redis such as `redis_key`
            return not self.words.isdisjoint(tokens) and (len(tokens) == 1 or not _REFERENCE_WORDS.isdisjoint(tokens))
        if isinstance(node, ast.Call) and not node.args and not node.keywords:
            return self._reference_says_redis(node.func)
        return False


def _target_name(target: ast.AST) -> list[str]:
    if isinstance(target, (ast.Name, ast.Attribute)):
        name = dotted_name(target)
        return [name] if name else []
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return [key.value]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _target_name(element)]
    return []


@dataclass(frozen=True)
class RedisContextFor:
    """A shareable analysis factory for one set of words (`ctx.analysis(RedisContextFor(("redis",)))`)."""

    words: tuple[str, ...]

    def __call__(self, source: SourceFile) -> RedisContext:
        return RedisContext(source, self.words)
