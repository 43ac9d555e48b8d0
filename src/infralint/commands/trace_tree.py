"""The tree `infralint trace` prints: what the project model knows about one route — its handler,
the calls it makes across files with each one's worst case, the clients they wait on and the checks
they run, and the probes and proxies the deployment configuration puts in front of it (a project
query, answered by whichever family reads that configuration).

The tree follows the project's `Function` facts (calls resolved to other modules' functions), and
costs every function with the same walker INF303 uses, so the numbers match the findings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import project_modules
from ..analysis.budget import Cost, WorstCase
from ..analysis.checks import CheckCalls
from ..analysis.constants import format_seconds, resolver_of
from ..analysis.cross_module import ProjectCosts, function_at, attach_database_costs
from ..analysis.names import ImportMap
from ..analysis.redis_clients import RedisClients
from ..project import CheckRegistration, Client, Endpoint, Function, Project, module_name

_MAX_DEPTH = 6
_MAX_CHILDREN = 40


@dataclass
class TraceNode:
    kind: str  # route | function | client | check | mount | caller
    label: str
    file: str = ""
    line: int = 0
    seconds: float | None = None  # worst case; inf = unbounded; None = not known
    detail: str = ""
    children: list["TraceNode"] = field(default_factory=list)

    def to_dict(self) -> dict:
        worst = None if self.seconds is None else ("unbounded" if math.isinf(self.seconds) else self.seconds)
        data = {"kind": self.kind, "label": self.label, "file": self.file, "line": self.line, "worst_case": worst, "detail": self.detail}
        if self.children:
            data["children"] = [c.to_dict() for c in self.children]
        return data


class RouteTracer:
    def __init__(self, project: Project, budget: float) -> None:
        self.project = project
        self.budget = budget
        self._costs: dict[str, ProjectCosts | None] = {}

    def trace(self, endpoint: Endpoint) -> TraceNode:
        handler = self.project.function(endpoint.handler)
        root = TraceNode("route", f"{endpoint.method} {endpoint.path}", endpoint.fact.file, endpoint.fact.line)
        for include in endpoint.through:
            root.children.append(TraceNode("mount", f"mounted at `{include.prefix or '/'}` from `{include.parent}`", include.file, include.line))
        if handler is None:
            root.children.append(TraceNode("function", f"handler `{endpoint.handler}` (not in the linted files)"))
            return root
        node = self._function(handler, set(), 0)
        root.seconds, root.detail = node.seconds, node.detail
        root.children.append(node)
        if endpoint.websocket:
            sites = self.project.accept_sites(endpoint)
            for file, line in sites:
                root.children.append(TraceNode("accept", "accepts the WebSocket handshake", file, line))
            if not sites:
                root.children.append(TraceNode("accept", "no `accept()` found in the handler: the handshake is completed elsewhere, or never"))
        for caller in self._configured_callers(endpoint):
            root.children.append(caller)
        return root

    # -- functions and what they call -------------------------------------------------------------

    def _function(self, function: Function, seen: set[str], depth: int) -> TraceNode:
        cost = self._cost(function)
        node = TraceNode("function", f"`{function.name}`", function.file, function.line)
        if cost is not None:
            node.seconds = cost.seconds
            node.detail = _describe(cost)
        if function.name in seen or depth >= _MAX_DEPTH:
            return node
        seen = seen | {function.name}
        for site in function.call_sites():
            if len(node.children) >= _MAX_CHILDREN:
                break
            if not site.resolved:
                continue
            child = self._call(site.target, site.line, function, seen, depth)
            if child is not None:
                node.children.append(child)
        return node

    def _call(self, target: str, line: int, caller: Function, seen: set[str], depth: int) -> TraceNode | None:
        callee = self.project.function(target)
        registered = self._registered(target)
        if callee is not None and not (registered and not callee.calls):
            child = self._function(callee, seen, depth + 1)
            child.label = f"{child.label} (called at line {line})" if callee.file == caller.file else f"{child.label} (called at {_shown(caller.file)}:{line})"
            if registered:
                child.children.extend(self._checks(registered, seen, depth + 1))
            return child if child.children or (child.seconds or 0) > 0 or depth == 0 else child
        if registered:
            checks = TraceNode("checks", f"checks registered on `{target.rpartition('.')[0]}` (run at line {line})")
            checks.children = self._checks(registered, seen, depth + 1)
            worst = max((c.seconds or 0.0) for c in checks.children)
            checks.seconds = worst
            return checks
        client = self.project.first(Client, target.rpartition(".")[0])
        if client is not None:
            return self._client(client, target, line)
        return None

    def _checks(self, registered: list[CheckRegistration], seen: set[str], depth: int) -> list[TraceNode]:
        nodes = []
        for r in registered:
            node = TraceNode("check", f"{r.label or 'check'} check → `{r.check or '?'}`", r.file, r.line, r.worst_case, r.arithmetic + (f" ({r.notes})" if r.notes else ""))
            check = self.project.function(r.check) if r.check else None
            if check is not None and depth < _MAX_DEPTH:
                node.children = self._function(check, seen, depth).children  # what one attempt waits on
            nodes.append(node)
        return nodes

    def _client(self, client: Client, target: str, line: int) -> TraceNode:
        method = target.rpartition(".")[2]
        label = f"`{method}` (line {line}) on the {client.client_kind} client `{client.name}` built with `{client.factory}`"
        if client.opaque:
            return TraceNode("client", label, client.file, client.line, None, "timeout set through **kwargs or a value not known here")
        if client.timeout is None:
            missing = {"redis": "socket_timeout", "database": "statement/command timeout"}.get(client.client_kind, "timeout")
            return TraceNode("client", label, client.file, client.line, math.inf, f"no {missing}: waits forever on a stalled server")
        setting = client.timeout_keyword or "default"
        note = f" ({client.timeout_note})" if client.timeout_note else ""
        return TraceNode("client", label, client.file, client.line, client.timeout, f"{setting} = {format_seconds(client.timeout)} s{note}")

    def _registered(self, target: str) -> list[CheckRegistration]:
        owner = target.rpartition(".")[0]
        method = target.rpartition(".")[2].lower()
        if not owner or "register" in method or method.startswith("add"):
            return []
        resolved = self.project.resolve(owner)
        return [r for r in self.project.facts(CheckRegistration) if r.registry == owner or self.project.resolve(r.registry) == resolved]

    def _configured_callers(self, endpoint: Endpoint) -> list[TraceNode]:
        """Facts of other families that target this path (a probe, a load-balancer rule): any fact
        with a `route_path` field that the endpoint serves, and its `timeout` when it has one."""
        found = []
        for file in self.project.files.values():
            for fact in file.facts:
                route_path = getattr(fact, "route_path", None)
                if not isinstance(route_path, str) or not route_path:
                    continue
                if endpoint not in self.project.routes_for(route_path):
                    continue
                timeout = getattr(fact, "timeout", None)
                detail = f"deadline {format_seconds(timeout)} s" if isinstance(timeout, (int, float)) else ""
                found.append(TraceNode("caller", f"{fact.kind} calling this route", fact.file, fact.line, None, detail))
        return found + self._deployment_callers(endpoint)

    def _deployment_callers(self, endpoint: Endpoint) -> list[TraceNode]:
        """The probes and proxies the deployment configuration puts in front of this route (INF6xx)."""
        from ..project.queries import ask

        view = ask("configuration_for_route", self.project, endpoint.path, default=None) or {"probes": [], "proxies": []}
        nodes = []
        for probe in view["probes"]:
            deadline = "" if probe["deadline"] is None else f"deadline {format_seconds(probe['deadline'])} s ({probe['deadline_detail']})"
            nodes.append(TraceNode("caller", f"{probe['kind']} of {probe['owner']}", probe["path"], probe["line"], None, deadline))
        for hop in view["proxies"]:
            kind = "idle timeout" if hop["idle"] else "timeout"
            limit = "" if hop["timeout"] is None else f"{kind} {format_seconds(hop['timeout'])} s ({hop['detail']})"
            nodes.append(TraceNode("caller", f"through {hop['proxy']}", hop["path"], hop["line"], None, limit))
        return nodes

    # -- costs ----------------------------------------------------------------------------------

    def _cost(self, function: Function) -> Cost | None:
        costs = self._costs_for(function.file)
        if costs is None:
            return None
        node = function_at(costs.home.source.tree, function.line)
        return costs.home.of_function(node) if node is not None else None

    def _costs_for(self, path: str) -> ProjectCosts | None:
        key = str(self.project.absolute(path))
        if key not in self._costs:
            loaded = project_modules.load(Path(key), module_name(path))
            if loaded is None:
                self._costs[key] = None
            else:
                source = loaded.source
                walker = WorstCase(source, resolver_of(loaded), RedisClients(source), CheckCalls(source), ImportMap(source), self.budget)
                attach_database_costs(walker)
                self._costs[key] = ProjectCosts(self.project, walker, self.budget)
        return self._costs[key]


def _describe(cost: Cost) -> str:
    if cost.unbounded:
        return cost.culprit_reason or cost.text
    if cost.seconds <= 0:
        return ""
    return cost.text


def _shown(path: str) -> str:
    return path
