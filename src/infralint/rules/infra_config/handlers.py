"""The Python side of a probe: the handler a route reaches, its worst case (INF303's analysis of
the handler's module) and the dependencies it waits on (for INF604)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ...analysis.budget import WorstCase
from ...analysis.checks import CheckCalls
from ...analysis.cross_module import ProjectCosts, attach_database_costs
from ...analysis.http_clients import HttpCalls
from ...analysis.redis_clients import RedisClients, imported_redis_client
from ...project import Endpoint, Project
from ...source import SourceFile, decode_source

_MAX_FOLLOW = 4  # calls followed into other project modules, depth-first
_DATABASE_RECEIVER = re.compile(r"(^|_)(db|database|session|engine|conn|connection|pool|pg|postgres|mysql|mongo|cursor)s?($|_)", re.IGNORECASE)
_DATABASE_METHODS = {"execute", "fetch", "fetchrow", "fetchval", "fetchone", "fetchall", "scalar", "scalars", "command", "ping", "connect", "begin", "run_sync"}
_DATABASE_LIBRARIES = ("asyncpg.", "psycopg.", "psycopg2.", "aiomysql.", "aiopg.", "motor.", "sqlalchemy.")


@dataclass
class Handler:
    endpoint: Endpoint
    source: SourceFile
    function: ast.FunctionDef | ast.AsyncFunctionDef
    path: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.function.lineno}"


def handlers_for(project: Project, route: str, probe_path: str) -> list[Handler]:
    """The handlers of the GET route a probe calls (read from their files; never imported). Only
    routes of the probe's own repository: another service of the run may serve the same path."""
    found: list[Handler] = []
    for endpoint in project.routes_for(route, "GET", near=probe_path):
        handler = _load(project, endpoint.handler)
        if handler is not None:
            found.append(Handler(endpoint, handler[0], handler[1], handler[2]))
    return found


#: parsed handler modules by (path, content digest): a changed file is parsed again
_sources: dict[tuple[str, str], SourceFile | None] = {}
_MAX_SOURCES = 256


def _load(project: Project, qualname: str):
    function = project.function(qualname)
    if function is None:
        function = _by_shorter_name(project, qualname)
    if function is None:
        return None
    facts = project.files.get(function.file)
    source = _source(function.file, facts.digest if facts is not None else "")
    if source is None:
        return None
    for node in ast.walk(source.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == function.line:
            return source, node, function.file
    for node in ast.walk(source.tree):  # decorators shift what the fact and ast call the line
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == qualname.rsplit(".", 1)[-1]:
            return source, node, function.file
    return None


def _by_shorter_name(project: Project, qualname: str):
    """`pkg.db.init_db` when the run names that module `db` (a package folder without
    `__init__.py`, a tree linted from inside the package): the same name without its leading
    packages, when exactly one module of the run defines it."""
    parts = qualname.split(".")
    for start in range(1, len(parts) - 1):
        found = project.function(".".join(parts[start:]))
        if found is not None:
            module = ".".join(parts[start:-1])
            return found if module and found.file.replace("\\", "/").removesuffix(".py").endswith(module.replace(".", "/")) else None
    return None


def _source(path: str, digest: str) -> SourceFile | None:
    key = (path, digest)
    if key not in _sources or not digest:
        try:
            data = Path(path).read_bytes()
            source = SourceFile(path, decode_source(data))
            source.tree  # noqa: B018 - a file that does not parse gives no handler
        except Exception:
            source = None
        if len(_sources) >= _MAX_SOURCES:
            _sources.clear()
        _sources[key] = source
    return _sources[key]


# -- worst case ------------------------------------------------------------------------------------


def worst_case(project: Project, handler: Handler, budget: float):
    """INF303's worst case of the handler (a `Cost`: seconds, arithmetic, culprit), following its
    calls, clients and registered checks into other modules as INF303 does."""
    checks = CheckCalls(handler.source)
    clients = RedisClients(handler.source)
    walker = WorstCase(handler.source, checks.resolver, clients, checks, clients.imports, budget)
    attach_database_costs(walker)
    ProjectCosts(project, walker, budget)
    return walker.of_function(handler.function)


# -- dependencies a handler waits on (INF604) -------------------------------------------------------


@dataclass
class Wait:
    what: str  # `redis_client.ping()` (Redis)
    path: str
    line: int


def dependency_wait(project: Project, handler: Handler) -> Wait | None:
    """The first awaited Redis/database/HTTP call the handler makes, in its body or in the project
    functions it calls (followed across modules, bounded)."""
    seen: set[str] = set()
    return _wait_in(project, handler.source, handler.function, handler.path, seen, 0)


def _wait_in(project: Project, source: SourceFile, function, path: str, seen: set[str], depth: int) -> Wait | None:
    clients = RedisClients(source)
    http = HttpCalls(clients.imports, _resolver(source), source.tree)
    sync = isinstance(function, ast.FunctionDef)
    awaited = list(_awaited_calls(function))
    for call in awaited if not sync else _plain_calls(function):
        shown = ast.unparse(call.func)
        if clients.redis_call(call) is not None or _imported_redis(source, call):
            return Wait(f"`{shown}()` (Redis)", path, call.lineno)
        if http.wait(call, function) is not None or _is_http(clients.imports.call_name(call) or ""):
            return Wait(f"`{shown}()` (HTTP)", path, call.lineno)
        if _is_database(call, clients.imports.call_name(call) or ""):
            return Wait(f"`{shown}()` (database)", path, call.lineno)
    # a blocking client call waits whether the function is a coroutine or not
    for call in _plain_calls(function):
        kind = _blocking(call, clients.imports.call_name(call) or "")
        if kind:
            return Wait(f"`{ast.unparse(call.func)}()` ({kind})", path, call.lineno)
    if depth >= _MAX_FOLLOW:
        return None
    module_functions = {s.name: s for s in source.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    awaited_ids = {id(c) for c in awaited}
    for node in _own_nodes(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in module_functions and node.func.id not in seen:
            callee = module_functions[node.func.id]
            if id(node) in awaited_ids or isinstance(callee, ast.FunctionDef):  # a sync callee runs when called
                seen.add(node.func.id)
                found = _wait_in(project, source, callee, path, seen, depth + 1)
                if found:
                    return found
    fact = _function_fact(project, path, function)
    for site in fact.call_sites() if fact else ():
        if not site.resolved or site.target in seen:
            continue
        loaded = _load(project, site.target)
        if loaded is None or loaded[2] == path:
            continue
        if not site.awaited and not isinstance(loaded[1], ast.FunctionDef):
            continue  # a coroutine function called without await has not run yet
        seen.add(site.target)
        found = _wait_in(project, loaded[0], loaded[1], loaded[2], seen, depth + 1)
        if found:
            return found
    return None


def _plain_calls(function):
    for node in _own_nodes(function):
        if isinstance(node, ast.Call):
            yield node


#: blocking client calls that wait on a service whichever function makes them
_BLOCKING_CONNECT = ("psycopg.connect", "psycopg2.connect", "pymysql.connect", "MySQLdb.connect", "mysql.connector.connect", "pymssql.connect", "oracledb.connect", "cx_Oracle.connect")
_ORM_TERMINALS = {"exists", "count", "get", "first", "last", "aggregate", "earliest", "latest", "get_or_create", "update_or_create", "create"}


def _blocking(call: ast.Call, name: str) -> str:
    if name in _BLOCKING_CONNECT or name.startswith("psycopg_pool."):
        return "database"
    if name.startswith(("requests.", "urllib.request.urlopen")) and _is_http(name.replace("urllib.request.urlopen", "requests.get")):
        return "HTTP"
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _ORM_TERMINALS and ".objects." in ast.unparse(func) + ".":
        return "database"  # Django ORM: `Model.objects.filter(...).exists()`
    return ""


def _awaited_calls(function):
    """Calls whose result is awaited: `await x()`, and the coroutines handed to `wait_for`,
    `gather`, `shield` inside an await."""
    for node in _own_nodes(function):
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            yield node.value
            for inner in ast.walk(node.value):
                if inner is not node.value and isinstance(inner, ast.Call):
                    yield inner


def _own_nodes(function):
    """The nodes of a function's body, not of the functions and classes nested in it."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _function_fact(project: Project, path: str, function):
    from ...project import Function

    for fact in project.facts(Function):
        if fact.file == path and fact.line == function.lineno:
            project.note(fact)
            return fact
    return None


def _resolver(source: SourceFile):
    from ...analysis.constants import ValueResolver

    return ValueResolver(source)


def _imported_redis(source: SourceFile, call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
        return False
    imported = _resolver(source).imports.get(func.value.id)
    if imported is None or imported[2] is None:
        return False
    level, module, name = imported
    return imported_redis_client(source.path, level, module, name) is not None


def _is_http(name: str) -> bool:
    return name.startswith(("httpx.", "aiohttp.", "requests.")) and name.rsplit(".", 1)[-1] in {"get", "post", "put", "head", "request", "delete", "patch"}


def _is_database(call: ast.Call, name: str) -> bool:
    if name.startswith(_DATABASE_LIBRARIES):
        return True
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _DATABASE_METHODS:
        receiver = func.value
        text = receiver.attr if isinstance(receiver, ast.Attribute) else receiver.id if isinstance(receiver, ast.Name) else ""
        return bool(_DATABASE_RECEIVER.search(text))
    return False
