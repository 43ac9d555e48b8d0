"""Cross-file joins of the WebSocket family: which clients of the repository reach a handler.

A client reaches a handler when its URL's path is served by one of the handler's endpoints (the
project composes router prefixes and matches path parameters; an unknown URL part `{}` matches one
parameter). A client whose URL cannot be resolved is matched by protocol name only: it is taken to
talk to a handler that knows (compares or selects) one of the names it offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary
from typing import TYPE_CHECKING

from ...project import Binding, module_name
from ...source import SourceFile, path_matches
from .facts import WebSocketClient, WebSocketHandlerFacts, handler_qualname
from .sockets import SocketHandler

if TYPE_CHECKING:
    from ...context import FileContext
    from ...project import Project


@dataclass(frozen=True)
class Reach:
    client: WebSocketClient
    by_name_only: bool
    #: how a client whose URL does not resolve to a route was joined ("" when its path matched)
    how: str = ""

    def describe(self) -> str:
        if self.client.protocols:
            offer = "offers [" + ", ".join('"' + p.replace("{}", "…") + '"' for p in self.client.protocols) + "]"
        else:
            offer = "offers no subprotocol"
        if self.how:
            how = f" ({self.how})"
        else:
            how = " (its URL cannot be resolved: matched by protocol name)" if self.by_name_only else f" to `{self.client.path}`"
        return f"the client at {self.client.where} {offer}{how}"


ONLY_SERVER = "its URL is built at run time: joined as the only WebSocket server of the repository"


def clients_reaching(ctx: "FileContext", handler: SocketHandler, known_names: list[str]) -> list[Reach]:
    """Clients that offer a readable protocol list to this handler (path first, then name only)."""
    return clients_reaching_name(ctx, handler_qualname(module_name(ctx.display_path), handler), known_names)


def clients_reaching_name(ctx: "FileContext", qualname: str, known_names: list[str]) -> list[Reach]:
    """Clients reaching the server named `qualname`: by path; by path suffix when no route matches
    the whole path; by protocol name; or, for a URL built at run time, when the server is the only
    WebSocket server of the client's repository."""
    project: Project | None = ctx.project
    if project is None:
        return []
    resolved = project.resolve(qualname)
    globs = tuple(ctx.config.option("websocket", "client-globs"))
    found: list[Reach] = []
    for client, endpoints in _client_routes(project, globs):
        if endpoints:
            reached = [e for e in endpoints if e.handler == qualname or project.resolve(e.handler) == resolved]
            if reached:
                project.note(client, *(fact for e in reached for fact in (e.fact, *e.through)))
                found.append(Reach(client, False))
            continue
        if endpoints is not None:  # a path no route serves in full: its tail may be a mounted route
            tails = [e for e in _suffix_endpoints(project, client.path or "") if project.resolve(e.handler) == resolved]
            if tails:
                project.note(client, *(e.fact for e in tails))
                found.append(Reach(client, False, f"to `{client.path}`, joined by its path suffix `{tails[0].path}`"))
                continue
        elif known_names and set(client.protocols) & set(known_names):
            project.note(client)
            found.append(Reach(client, True))
            continue
        if client.protocols and only_server(project, client) == resolved:
            project.note(client)
            found.append(Reach(client, False, ONLY_SERVER if endpoints is None else f"no route serves `{client.path}`: joined as the only WebSocket server of the repository"))
    found.sort(key=lambda r: (r.client.file, r.client.line))
    return found


def _segments_match(route: list[str], wanted: list[str]) -> bool:
    return all(r == w or w == "{}" or (r[:1] in "{<" and r[-1:] in "}>") for r, w in zip(route, wanted))


def _suffix_endpoints(project: "Project", path: str) -> list:
    wanted = [s for s in path.split("/") if s]
    found = []
    for endpoint in project.endpoints():
        route = [s for s in endpoint.path.split("/") if s]
        if endpoint.method != "WS" or not route or len(route) >= len(wanted):
            continue
        if not any(s[:1] not in "{<" for s in route):
            continue
        if _segments_match(route, wanted[len(wanted) - len(route):]):
            found.append(endpoint)
    return found


def servers_by_repository(project: "Project") -> dict[str, set[str]]:
    """Every WebSocket server of the run (resolved names) by repository: routed endpoints, handlers
    whose handshake is pending when they start, Tornado handlers and hand-written 101 responses."""
    memo = project.memo
    found = memo.get("websocket-servers")
    if found is not None:
        return found
    from .raw_http import RawHandshake
    from .tornado_handlers import hierarchy

    found = {}

    def add(fact, name: str) -> None:
        found.setdefault(project.repository_of(fact.file), set()).add(project.resolve(name))

    for endpoint in project.endpoints():
        if endpoint.method == "WS":
            add(endpoint.fact, endpoint.handler)
    for handler in project.facts(WebSocketHandlerFacts):
        if handler.entry:
            add(handler, handler.name)
    tree = hierarchy(project)
    for key in tree.leaves:
        add(tree.classes[key], tree.classes[key].name)
    for raw in project.facts(RawHandshake):
        add(raw, raw.name)
    memo["websocket-servers"] = found
    return found


def only_server(project: "Project", client: WebSocketClient) -> str | None:
    servers = servers_by_repository(project).get(project.repository_of(client.file), set())
    return next(iter(servers)) if len(servers) == 1 else None


#: per project index (replaced whenever a file's facts change) and client globs: every client with a
#: readable offer and the WebSocket endpoints its URL reaches (None: the URL cannot be resolved)
_ROUTES: "WeakKeyDictionary[object, dict[tuple, list]]" = WeakKeyDictionary()


def _client_routes(project: "Project", globs: tuple[str, ...]) -> list[tuple[WebSocketClient, list | None]]:
    per_globs = _ROUTES.setdefault(project.index, {})
    if globs in per_globs:
        return per_globs[globs]
    routes = []
    for client in project.facts(WebSocketClient):
        if client.protocols is None or (client.api == "new WebSocket" and not any(path_matches(client.file, g) for g in globs)):
            continue
        path = client.path
        if path is None:
            routes.append((client, None))
            continue
        with project.recording():  # what a handler's finding reads is noted when it uses the match
            endpoints = project.routes_for(path, "WS")
        if client.api != "new WebSocket" and SourceFile(client.file, "").is_test:
            # a test client (`TestClient(app)`, `aiohttp_client(app)`) talks to the app it was given:
            # one its own file builds or imports, not every app of the repository with that path
            endpoints = [e for e in endpoints if _visible_from(project, client.file, e.fact.file)]
        routes.append((client, endpoints))
    per_globs[globs] = routes
    return routes


def first_plain_name(reaches: list[Reach]) -> str | None:
    """The literal the clients offer first. Entries built at run time (`"jwt." + token`) are skipped:
    a credential is never a literal, so a literal like `jwt-auth` is a protocol name."""
    for reach in reaches:
        for entry in reach.client.protocols or ():
            if "{}" not in entry and entry:
                return entry
    return None


def _visible_from(project: "Project", client_file: str, endpoint_file: str) -> bool:
    """Whether the endpoint's module is the client's own file or one it imports from."""
    if client_file == endpoint_file:
        return True
    client_facts = project.files.get(client_file)
    endpoint_facts = project.files.get(endpoint_file)
    if client_facts is None or endpoint_facts is None or not endpoint_facts.module:
        return False
    module = endpoint_facts.module
    return any(b.target == module or b.target.startswith(module + ".") for b in client_facts.of_kind(Binding))
