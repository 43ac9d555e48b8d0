"""Redis connection settings written as data that leave the socket timeout out (INF302).

Two configuration dicts build Redis clients without the service writing a client call:

- a django-redis `CACHES` entry (`"BACKEND": "django_redis.cache.RedisCache"`, or Django's own
  `django.core.cache.backends.redis.RedisCache`): its `OPTIONS` become the client's settings;
- Celery's `broker_transport_options` / `result_backend_transport_options` when the broker or
  result backend is a `redis://` URL: they become kombu's redis-py connection settings.

Either one without a socket timeout key gets redis-py's default — no timeout. A key set to `None`
states the same thing explicitly.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from ...analysis.names import dotted_name
from ...analysis.redis_clients import REDIS_URL_SCHEMES
from ...source import SourceFile

#: the socket-timeout keys of a cache's `OPTIONS`, per backend: django-redis reads its own upper-case
#: keys (and ignores redis-py's); Django's built-in backend hands `OPTIONS` to redis-py's connection
#: pool as they are, so only redis-py's lower-case keyword works there
_DJANGO_REDIS_KEYS = ("SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT")
_BUILTIN_KEYS = ("socket_timeout", "socket_connect_timeout")
_BUILTIN_BACKEND = "backends.redis"
_CELERY_KEYS = ("socket_timeout",)
_CELERY_OPTION_NAMES = ("broker_transport_options", "result_backend_transport_options")
_TRANSPORT_OPTIONS = re.compile("transport_options", re.IGNORECASE)  # in every spelling of both


@dataclass(frozen=True)
class MissingSetting:
    node: ast.AST  # where to report
    message: str


def missing_socket_timeouts(source: SourceFile, dict_node: ast.Dict) -> list[MissingSetting]:
    """What one dict literal leaves out or sets to None (empty for dicts that are neither kind)."""
    keys = _string_keys(dict_node)
    backend = keys.get("BACKEND")
    if _is_redis_cache_backend(backend):
        return _django_cache(dict_node, keys, backend.value)  # type: ignore[union-attr]
    # the text tests first: naming the setting needs the file's parent links
    if not _may_configure_celery_redis(source.text):
        return []
    option_name = _celery_options_name(source, dict_node)
    if option_name is not None:
        return _celery_options(dict_node, keys, option_name)
    return []


def explicit_none(dict_node: ast.Dict, key_names: tuple[str, ...]) -> list[tuple[str, ast.AST]]:
    """`"SOCKET_TIMEOUT": None`: (key, value node) for each socket timeout set to None."""
    return [(key, value) for key, value in _string_keys(dict_node).items() if key in key_names and _is_none(value)]


def cache_timeout_keys(backend: str) -> tuple[str, ...]:
    """The `OPTIONS` keys that set a socket timeout for this cache backend."""
    return _BUILTIN_KEYS if _BUILTIN_BACKEND in backend else _DJANGO_REDIS_KEYS


def _django_cache(entry: ast.Dict, keys: dict[str, ast.expr], backend: str) -> list[MissingSetting]:
    options = keys.get("OPTIONS")
    if options is not None and not isinstance(options, ast.Dict):
        return []  # built elsewhere: judged where it is written
    option_keys = _string_keys(options) if options is not None else {}
    wanted = cache_timeout_keys(backend)
    if wanted[0] in option_keys or (options is not None and None in options.keys):
        return []  # set (a None value is reported as explicit), or `**more` may set it
    pool_kwargs = option_keys.get("CONNECTION_POOL_KWARGS")  # django-redis passes these to redis-py
    if wanted is _DJANGO_REDIS_KEYS and isinstance(pool_kwargs, ast.Dict) and "socket_timeout" in _string_keys(pool_kwargs):
        return []
    key = wanted[0]
    builtin = wanted is _BUILTIN_KEYS
    misspelled = next((k for k in option_keys if k.lower() == key.lower() and k != key), None)
    if misspelled is not None:
        reader = "Django's built-in backend passes `OPTIONS` to redis-py as they are" if builtin else "django-redis reads only its upper-case options"
        where = f"its `OPTIONS` spell it `{misspelled}`: {reader}, so the key is `{key}`"
    elif options is not None:
        where = f"its `OPTIONS` set no `{key}`"
    else:
        where = f"it has no `OPTIONS`, so it sets no `{key}`"
    name = "Django's `RedisCache`" if builtin else "django-redis `RedisCache`"
    message = (
        f"Redis cache {name} is configured without a socket timeout ({where}): the client it builds uses redis-py's "
        f"default of no timeout, so a stalled Redis blocks every cache call forever; add `\"{key}\": 5` to `OPTIONS`"
    )
    return [MissingSetting(keys["BACKEND"], message)]


def _celery_options(options: ast.Dict, keys: dict[str, ast.expr], name: str) -> list[MissingSetting]:
    if any(k in keys for k in _CELERY_KEYS) or None in options.keys:
        return []
    message = (
        f"`{name}` for a `redis://` broker sets no `socket_timeout`: kombu then connects with redis-py's default of no "
        f"timeout, so a stalled Redis blocks every publish and result fetch forever"
    )
    return [MissingSetting(options, message)]


def _celery_options_name(source: SourceFile, node: ast.Dict) -> str | None:
    """The Celery setting a dict is assigned or passed as (`app.conf.broker_transport_options = {…}`)."""
    parent = source.parents.get(node)
    names: list[str] = []
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        names = [dotted_name(t) or "" for t in targets]
    elif isinstance(parent, ast.keyword) and parent.arg:
        names = [parent.arg]
    elif isinstance(parent, ast.Dict):  # `app.conf.update({"broker_transport_options": {…}})`
        names = [k.value for k, v in zip(parent.keys, parent.values) if v is node and isinstance(k, ast.Constant) and isinstance(k.value, str)]
    for name in names:
        last = name.rsplit(".", 1)[-1].lower()
        for option in _CELERY_OPTION_NAMES:
            if last == option or last.endswith("_" + option):  # `CELERY_BROKER_TRANSPORT_OPTIONS`
                return option
    return None


def _is_redis_cache_backend(node: ast.expr | None) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    return node.value.endswith("RedisCache") and ("django_redis" in node.value or "backends.redis" in node.value)


@lru_cache(maxsize=4)
def _may_configure_celery_redis(text: str) -> bool:
    """Asked for every dict of a file: a `redis://` URL and a transport-options setting in the text."""
    return _has_redis_url(text) and _TRANSPORT_OPTIONS.search(text) is not None


def _has_redis_url(text: str) -> bool:
    return any(scheme in text for scheme in REDIS_URL_SCHEMES[:2])


def _string_keys(node: ast.Dict | None) -> dict[str, ast.expr]:
    if node is None:
        return {}
    return {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
