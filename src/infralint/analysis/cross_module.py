"""Worst cases across modules, through the project model.

A health route's handler in `routes.py` awaits `prerequisites.get_redis_status()`, which pings a
client built in `redis_manager.py` with a timeout from `settings.py`. The per-file `WorstCase`
walker costs what its own module shows; `ProjectCosts` extends every walker so that a call the
project resolves to another module's function is costed by that module's walker (parsed once,
never imported), a call on another module's client costs that client's timeout (or is unbounded),
a call on a registry costs the checks registered on it anywhere, and database statements on
engines/pools built without a timeout are unbounded.

Unbounded costs found in another file are reported once, at the handler, naming the chain of calls
across files (`ready` → `prerequisites.get_redis_status` (app/prerequisites.py:12) → …); the
callee's own file does not report them again when a health function elsewhere reaches it.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

from ..project import CheckRegistration, Client, Function, Project, module_name
from ..project.names import QualifiedNames
from ..project.queries import ask
from . import project_modules
from .budget import ZERO, Cost, WorstCase, largest
from .checks import CheckCalls
from .constants import format_seconds, resolver_of, source_of
from .db_clients import bounded_by, is_query
from .names import ImportMap, dotted_name
from .redis_clients import RedisClients

_RUN_VERBS = ("run", "check", "execute", "probe", "gather", "evaluate", "status")
_MAX_CHAIN = 300


class ProjectCosts:
    """One per linted file: the walkers of the modules its health code reaches, linked."""

    def __init__(self, project: Project, home: WorstCase, budget: float, words=None) -> None:
        self.project = project
        #: the health tests of INF303's configuration (`health.HealthWords`; which registrations report themselves)
        self.words = words
        self.budget = budget
        self.home = home
        self.home_path = str(project.absolute(home.source.path))
        self._walkers: dict[str, WorstCase | None] = {self.home_path: home}
        self._names: dict[int, QualifiedNames] = {}
        #: calls of the home file whose (unbounded) cost comes from another file
        self.remote: set[ast.Call] = set()
        self.attach(home)

    def attach(self, walker: WorstCase) -> None:
        walker.extensions.append(self._cost)

    # -- the extension ---------------------------------------------------------------------------

    def _cost(self, walker: WorstCase, call: ast.Call, awaited: bool) -> Cost | None:
        target = self._target(walker, call)
        if target is None:
            return None
        function = self.project.function(target)
        cost = self._function_cost(walker, call, awaited, function) if function is not None else None
        registered = self._registered(target)
        if registered:
            # `registry.run_all()`: at least the slowest check registered on it, wherever registered
            checks = self._registry_cost(call, registered)
            if checks is not None:
                checks = Cost(checks.seconds, f"{checks.text} via `{source_of(call.func)}`", None, "", checks.covered)
                cost = checks if cost is None or cost.seconds <= 0 else largest([cost, checks])
        if cost is not None:
            return cost
        client = self._client(target)
        if client is not None:
            return self._client_cost(walker, call, awaited, client)
        return None

    def _target(self, walker: WorstCase, call: ast.Call) -> str | None:
        names = self._names.get(id(walker))
        if names is None:
            path = walker.source.location
            names = self._names[id(walker)] = QualifiedNames(walker.source.tree, module_name(path), is_package=Path(path).name == "__init__.py")
        cls = next((a.name for a in walker.source.ancestors(call) if isinstance(a, ast.ClassDef)), None)
        return names.qualified(call.func, cls)

    def _function_cost(self, walker: WorstCase, call: ast.Call, awaited: bool, function: Function) -> Cost | None:
        if function.is_async and not awaited:
            return ZERO
        other = self._walker_for(function.file)
        if other is None:
            return None
        node = function_at(other.source.tree, function.line)
        if node is None:
            return None
        if other is walker:
            walker.called.add(node)
        cost = other.of_function(node)
        if cost.seconds <= 0 and not cost.unbounded:
            return ZERO
        shown = f"`{source_of(call.func)}`"
        if other is walker:
            inner = f"({cost.text})" if cost.compound else cost.text
            return Cost(cost.seconds, f"{inner} via {shown}", cost.culprit, cost.culprit_reason, cost.covered)
        where = f"{_shown(function.file)}:{function.line}"
        inner = f"({cost.text})" if cost.compound else cost.text
        text = f"{inner} via {shown} ({where})"
        if cost.unbounded:
            reason = _chain(f"{shown} (line {call.lineno}) → `{function.name.rsplit('.', 1)[-1]}` ({where})", cost.culprit_reason)
            self._mark_remote(walker, call)
            return Cost(math.inf, text, call, reason, cost.covered)
        return Cost(cost.seconds, text, None, "", cost.covered)

    def _client_cost(self, walker: WorstCase, call: ast.Call, awaited: bool, client: Client) -> Cost | None:
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if client.opaque or method in ("close", "aclose", "pipeline", "pubsub", "from_url"):
            return None
        where = f"{_shown(client.file)}:{client.line}"
        shown = f"`{source_of(call.func)}`"
        if client.client_kind == "database" and not is_query(call):
            return None
        if client.timeout is not None:
            if client.timeout <= 0 or (client.client_kind == "database" and not bounded_by(call, client.timeout_keyword)):
                return None
            setting = client.timeout_keyword or "timeout"
            return Cost(client.timeout, f"{format_seconds(client.timeout)} s ({shown} {setting}, client at {where})")
        what = {"redis": "Redis client", "database": "database client", "http": "HTTP client"}.get(client.client_kind, "client")
        missing = {"redis": "socket_timeout", "database": "a statement/command timeout"}.get(client.client_kind, "a timeout")
        reason = f"{shown} (line {call.lineno}) waits on the {what} built at {where} without {missing}, and no wait_for/timeout bounds it"
        self._mark_remote(walker, call)
        return Cost(math.inf, f"unbounded ({shown}, line {call.lineno})", call, reason)

    def _registry_cost(self, call: ast.Call, registered: list[CheckRegistration]) -> Cost | None:
        method = (call.func.attr if isinstance(call.func, ast.Attribute) else "").lower()
        if not any(verb in method for verb in _RUN_VERBS) or "register" in method or method.startswith("add"):
            return None
        # a registration reported on its own (in this file, or in health code of its file) is not
        # reported again through the handler; any other is reported at the handler that runs it
        costs = [
            Cost(
                r.worst_case, f"{r.arithmetic} ({r.label or 'check'} check registered at {_shown(r.file)}:{r.line})",
                covered=r.worst_case > self.budget and self._reported_where_registered(r),
            )
            for r in registered
        ]
        return largest(costs, label="branch")  # the slowest check: a lower bound whatever the order

    def _reported_where_registered(self, registration: CheckRegistration) -> bool:
        """INF303 judges a registration in its own file when it is health code there: made on a
        registry or in a module whose name says health, or in a health route's handler (as
        `HealthCode` decides)."""
        if str(self.project.absolute(registration.file)) == self.home_path:
            return True
        if self.words is None:
            return False
        names = (registration.registry.rsplit(".", 1)[-1], Path(registration.file).stem)
        if any(name and self.words.says_health(name) for name in names):
            return True
        return bool(registration.function) and self.project.resolve(registration.function) in _health_endpoints(self.project, self.words)

    # -- lookups ---------------------------------------------------------------------------------

    def _client(self, target: str) -> Client | None:
        owner, _, _ = target.rpartition(".")
        return self.project.first(Client, owner) if owner else None

    def _registered(self, target: str) -> list[CheckRegistration]:
        owner, _, _ = target.rpartition(".")
        if not owner:
            return []
        found = _registrations(self.project).get(self.project.resolve(owner), [])
        self.project.note(*found)
        return list(found)

    def _walker_for(self, path: str) -> WorstCase | None:
        key = str(self.project.absolute(path))
        if key in self._walkers:
            return self._walkers[key]
        loaded = project_modules.load(Path(key), module_name(path))
        walker = None
        if loaded is not None:
            source = loaded.source
            clients = RedisClients(source)
            walker = WorstCase(source, resolver_of(loaded), clients, CheckCalls(source), ImportMap(source), self.budget)
            self.attach(walker)
            attach_database_costs(walker)
        self._walkers[key] = walker
        return walker

    def _mark_remote(self, walker: WorstCase, call: ast.Call) -> None:
        if walker is self.home:
            self.remote.add(call)

    # -- reporting -------------------------------------------------------------------------------

    def qualname(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        """`pkg.mod.Class.method` of a function of the home file."""
        names = [a.name for a in self.home.source.ancestors(function) if isinstance(a, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
        return ".".join([module_name(self.home.source.location), *reversed(names), function.name])

    def reached_from_elsewhere(self, function: ast.FunctionDef | ast.AsyncFunctionDef, words) -> bool:
        """Whether a health route's handler of another file calls this one (that caller reports
        the cost, naming the chain down to here)."""
        handlers = _health_endpoints(self.project, words)
        if not handlers:
            return False
        for caller in self.project.callers(self.qualname(function)):
            if str(self.project.absolute(caller.file)) == self.home_path:
                continue
            if self.project.resolve(caller.name) in handlers:
                return True
        return False

    def health_handlers(self, words, home_facts) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """Route handlers of the home file whose route (full path, prefixes included, or name) is a
        health route, or is called by a probe of the deployment configuration."""
        endpoints = _health_endpoints(self.project, words)
        lines = set()
        for function in home_facts.facts if home_facts is not None else ():
            if isinstance(function, Function):
                for endpoint in endpoints.get(self.project.resolve(function.name), ()):
                    self.project.note(endpoint.fact, *endpoint.through)
                    lines.add(function.line)
        if not lines:
            return []
        return [n for n in ast.walk(self.home.source.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.lineno in lines]

    def routes(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
        """`GET /api/health/ready` for each route the project says this handler serves."""
        return sorted({f"{e.method} {e.path}" for e in self.project.routes_to(self.qualname(function))})


def attach_database_costs(walker: WorstCase) -> None:
    """Cost statements on database engines/pools of the walker's module (with or without a project)."""
    walker.extensions.append(_database_call)


def _database_call(walker: WorstCase, call: ast.Call, awaited: bool) -> Cost | None:
    """A statement on an engine/pool of this module built without a timeout is unbounded."""
    from .db_clients import bounded_by, database_library, receiver_name, statement_bound

    if not is_query(call):
        return None
    receiver = receiver_name(call)
    if receiver is None:
        return None
    clients = _module_database_clients(walker)
    factory = clients.get(receiver) or _opened_from(walker, call, receiver, clients)
    if factory is None:
        return None
    bound = statement_bound(factory, walker.resolver)
    if bound is not None:
        if bound.value is None or bound.value.number <= 0 or not bounded_by(call, bound.keyword):
            return None
        return Cost(bound.value.number, f"{bound.value.text} s (`{dotted_name(call.func)}` {bound.keyword}, line {call.lineno})")
    library = database_library(walker.imports.call_name(factory))
    shown = f"`{dotted_name(call.func) or source_of(call.func)}`"
    reason = f"{shown} (line {call.lineno}) waits on the {library} engine/pool built at line {factory.lineno} without a statement/command timeout, and no wait_for/timeout bounds it"
    return Cost(math.inf, f"unbounded ({shown}, line {call.lineno})", call, reason)


def _opened_from(walker: WorstCase, call: ast.Call, receiver: str, clients: dict[str, ast.Call]) -> ast.Call | None:
    """`conn` in `async with engine.connect() as conn: await conn.execute(...)`: the client of the
    innermost enclosing `with` that binds the receiver."""
    for ancestor in walker.source.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return None
        if not isinstance(ancestor, (ast.With, ast.AsyncWith)):
            continue
        for item in ancestor.items:
            expr = item.context_expr.value if isinstance(item.context_expr, ast.Await) else item.context_expr
            if item.optional_vars is not None and dotted_name(item.optional_vars) == receiver:
                if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
                    return clients.get(dotted_name(expr.func.value) or "")
                return None
    return None


def _module_database_clients(walker: WorstCase) -> dict[str, ast.Call]:
    """Names bound at module level to database clients (engines, pools, connections)."""
    from .db_clients import database_library

    cached = getattr(walker, "_database_clients", None)
    if cached is not None:
        return cached
    found: dict[str, ast.Call] = {}
    for node in ast.walk(walker.source.tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and database_library(walker.imports.call_name(node.value)):
            for target in node.targets:
                name = dotted_name(target)
                if name:
                    found[name] = node.value
    walker._database_clients = found  # type: ignore[attr-defined]
    return found


def function_at(tree: ast.Module, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == line:
            return node
    return None


def _chain(head: str, rest: str) -> str:
    text = f"{head} → {rest}" if rest else head
    return text if len(text) <= _MAX_CHAIN else text[: _MAX_CHAIN - 1] + "…"


def _shown(path: str) -> str:
    """Fact paths are the run's display paths: shown as they are."""
    return path


# -- which files INF303 must see again with the project ------------------------------------------


def needs_project(project: Project, facts, words) -> bool:
    """Whether a health route's handler of this file reaches another file (a function, a client or
    checks registered there), or is reached from health code of another file: only then can its
    findings differ from the file's own lint."""
    handlers = _health_handlers(project, words)
    if _routes_judged_differently(project, facts.path, words, handlers):
        return True
    if not handlers:
        return False
    for function in facts.facts:
        if not isinstance(function, Function):
            continue
        if project.resolve(function.name) not in handlers:
            continue
        for target, _, _, resolved in function.calls:
            if resolved and _elsewhere(project, project.resolve(target), facts.path):
                return True
        for caller in project.callers(function.name):
            if caller.file != facts.path and project.resolve(caller.name) in handlers:
                return True
    return False


def _routes_judged_differently(project: Project, path: str, words, handlers: set[str]) -> bool:
    """A route of this file whose path as written (`@router.get("/status")`) and full path
    (`/orders/status`, or a path a probe calls) disagree on being a health route: the file's own
    lint judged it without the prefix or the probe."""
    if words is None:
        return False
    for endpoint in _http_endpoints_by_file(project).get(path, ()):
        fact = endpoint.fact
        name = endpoint.handler.rsplit(".", 1)[-1]
        if words.route_is_health(fact.path, name) != (project.resolve(endpoint.handler) in handlers):
            return True
    return False


def _http_endpoints_by_file(project: Project) -> dict[str, list]:
    """The project's HTTP endpoints by the file that declares them (once per join: every file
    asks for its own)."""
    found = project.memo.get("inf303-endpoints-by-file")
    if found is None:
        found = project.memo["inf303-endpoints-by-file"] = {}
        for endpoint in project.endpoints():
            if not endpoint.websocket:
                found.setdefault(endpoint.fact.file, []).append(endpoint)
    return found


def _health_handlers(project: Project, words) -> set[str]:
    key = ("inf303-health-handlers", words)
    if key not in project.memo:
        project.memo[key] = set(_health_endpoints(project, words))
    return project.memo[key]


def health_handler_files(project: Project, words) -> set[str]:
    """The files that declare the handler of a health route (once per join)."""
    key = ("inf303-health-files", words)
    if key not in project.memo:
        project.memo[key] = {e.fact.file for endpoints in _health_endpoints(project, words).values() for e in endpoints}
    return project.memo[key]


def _health_endpoints(project: Project, words) -> dict:
    """Resolved handler name → its HTTP endpoints that are health routes (by full path or route
    name) or that a probe of the deployment configuration calls (once per join)."""
    key = ("inf303-health-endpoints", words)
    if key not in project.memo:
        probed = set(ask("probed_routes", project, default=[]) or ())
        found: dict = {}
        for endpoint in project.endpoints():
            if endpoint.websocket:
                continue
            name = endpoint.handler.rsplit(".", 1)[-1]
            if (project.repository_of(endpoint.fact.file), endpoint.path) in probed or (words is not None and words.route_is_health(endpoint.path, name)):
                found.setdefault(project.resolve(endpoint.handler), []).append(endpoint)
        project.memo[key] = found
    return project.memo[key]


def _elsewhere(project: Project, name: str, path: str) -> bool:
    """`name` (or the object it is a method of) is defined in another file, or checks registered in
    another file run on it."""
    owner = name.rpartition(".")[0]
    for candidate in (name, owner):
        if candidate and any(f.file != path for f in project.index.by_name.get(candidate, ())):
            return True
    return bool(owner) and any(r.file != path for r in _registrations(project).get(owner, ()))


def _registrations(project: Project) -> dict[str, list[CheckRegistration]]:
    """Check registrations by the resolved name of the registry they are made on (once per join)."""
    found = project.memo.get("inf303-registrations")
    if found is None:
        found = project.memo["inf303-registrations"] = {}
        for registration in project.facts(CheckRegistration):
            found.setdefault(project.resolve(registration.registry), []).append(registration)
    return found

