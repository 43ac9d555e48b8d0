"""Facts the timeouts family states for the project model: clients with their timeouts, and
service checks registered with a timeout and retries.

Registered with `infralint.project` as a Python extractor, so every file's clients and check
registrations are known run-wide: a health route in `routes.py` can be costed with the checks
registered in `health.py` and the Redis client built in `redis_manager.py`.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Iterable

from ...analysis.checks import CheckCalls
from ...analysis.constants import ValueResolver
from ...analysis.db_clients import database_library, statement_bound
from ...analysis.http_clients import client_library
from ...analysis.redis_clients import factory_kind, name_tokens
from ...project import CheckRegistration, Client, Fact, PythonFile, python_extractor

_REGISTRATION_WORDS = {"register", "add", "check", "checks", "probe"}
_REGISTRATION_TEXT = re.compile("register|add|check|probe", re.IGNORECASE)  # a cheap test before splitting words
_CHECK_KEYWORDS = ("check", "func", "fn", "callback", "coro", "checker", "handler")
# the last name of every factory the clients below are built with (a cheap test before resolving)
_FACTORY_NAMES = frozenset({
    "Redis", "StrictRedis", "from_url", "RedisCluster", "ConnectionPool", "BlockingConnectionPool", "Sentinel",
    "create_redis", "create_redis_pool", "create_pool", "create_connection", "create_async_engine", "create_engine",
    "connect", "AsyncConnectionPool", "Client", "AsyncClient", "ClientSession", "Session", "session",
})
_CLIENT_HINTS = re.compile("|".join(("redis", "Redis", "engine", "pool", "session", "Session", "Client", "client", "connect", "Engine", "Pool")))


@python_extractor
def timeout_facts(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    facts: list[Fact] = []
    checks: CheckCalls | None = None
    if "timeout" in text:
        for call in file.nodes(ast.Call):
            func = call.func
            # a registration passes its options as keywords: most calls are left at the first test
            if not call.keywords or type(func) is not ast.Attribute:
                continue
            if not (_REGISTRATION_TEXT.search(func.attr) and set(name_tokens(func.attr)) & _REGISTRATION_WORDS):
                continue
            checks = checks or CheckCalls(file.source)
            scopes = file.scopes
            owner = scopes.at(call.lineno)
            function = scopes.function_at(call.lineno)
            fact = _registration(call, file, checks, owner.class_part(file.module) if owner else None, function.qualname if function else "")
            if fact is not None:
                facts.append(fact)
    factories = [
        node for node in file.nodes(ast.Assign, ast.AnnAssign)
        if type(node.value) is ast.Call and _last_name(node.value.func) in _FACTORY_NAMES
    ]
    # the text test only where a factory is called: most files call none, and a search for any
    # of the words reads the whole text
    if factories and _CLIENT_HINTS.search(text) is not None:
        resolver: ValueResolver | None = None
        scopes = file.scopes
        for node in factories:
            owner = scopes.at(node.lineno)
            resolver = resolver or (checks.resolver if checks else ValueResolver(file.source))
            cls = owner.class_part(file.module) if owner is not None else None
            fact = _client(node, file, resolver, cls, at_module_level=owner is None)
            if fact is not None:
                facts.append(fact)
    facts.sort(key=lambda f: f.line)
    return facts


def _client(node: ast.Assign | ast.AnnAssign, file: PythonFile, resolver: ValueResolver, cls: str | None, *, at_module_level: bool) -> Client | None:
    value = node.value
    if not isinstance(value, ast.Call):
        return None
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if len(targets) != 1:
        return None
    target = targets[0]
    if isinstance(target, ast.Name):
        name = f"{file.module}.{target.id}" if at_module_level else ""
    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self" and cls:
        name = f"{file.module}.{cls}.{target.attr}"
    else:
        name = ""
    if not name:
        return None
    factory = file.names.library_name(value.func)
    opaque = any(k.arg is None for k in value.keywords)
    redis = factory_kind(factory)
    if redis is not None:
        keyword = next((k for k in value.keywords if k.arg == "socket_timeout"), None)
        url = value.args[0] if value.args else None
        in_url = isinstance(url, ast.Constant) and isinstance(url.value, str) and "socket_timeout=" in url.value
        seconds, note = _seconds(keyword.value if keyword else None, resolver)
        bounded_by = "socket_timeout" if keyword is not None or in_url else ""
        return Client(file.path, node.lineno, name, "redis", factory, seconds, bounded_by, note, opaque or in_url or (keyword is not None and seconds is None))
    library = database_library(factory)
    if library is not None:
        bound = statement_bound(value, resolver)
        if bound is None:
            return Client(file.path, node.lineno, name, "database", factory, None, "", "", opaque)
        seconds = bound.value.number if bound.value is not None else None
        note = bound.value.provenance() if bound.value is not None else ""
        return Client(file.path, node.lineno, name, "database", factory, seconds, bound.keyword, note, bound.value is None)
    http = client_library(factory)
    if http is not None:
        library_name, default = http
        keyword = next((k for k in value.keywords if k.arg == "timeout"), None)
        if keyword is None:
            seconds = None if math.isinf(default) else default
            return Client(file.path, node.lineno, name, "http", factory, seconds, "", f"{library_name}'s default", opaque)
        none = isinstance(keyword.value, ast.Constant) and keyword.value.value is None
        seconds, note = (None, "") if none else _seconds(keyword.value, resolver)
        return Client(file.path, node.lineno, name, "http", factory, seconds, "timeout", note, not none and seconds is None)
    return None


def _last_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _seconds(node: ast.AST | None, resolver: ValueResolver) -> tuple[float | None, str]:
    if node is None:
        return None, ""
    value = resolver.resolve(node)
    return (value.number, value.provenance()) if value is not None else (None, "")


def _registration(call: ast.Call, file: PythonFile, checks: CheckCalls, cls: str | None, function: str) -> CheckRegistration | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    if not set(name_tokens(call.func.attr)) & _REGISTRATION_WORDS:
        return None
    found = checks.check_call(call)
    if found is None:
        return None
    registry = file.names.qualify(call.func.value, cls)
    target = next((k.value for k in call.keywords if k.arg in _CHECK_KEYWORDS), None)
    if target is None:
        target = next((a for a in call.args if isinstance(a, (ast.Name, ast.Attribute))), None)
    check = file.names.library_name(target) if target is not None else ""
    label = next((k.value.value for k in call.keywords if k.arg in ("name", "service", "check_name") and isinstance(k.value, ast.Constant)), "")
    if not label and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        label = call.args[0].value
    return CheckRegistration(
        file.path, call.lineno, registry[0] if registry else "", check, str(label)[:80],
        found.timeout.value.number, found.timeout.name, found.attempt_count,
        found.delay.value.number if found.delay is not None else 0.0,
        found.worst_case, found.arithmetic(), "; ".join(found.notes()),
        function,
    )
