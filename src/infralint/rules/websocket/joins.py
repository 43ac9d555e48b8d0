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
from .facts import WebSocketClient, handler_qualname
from .sockets import SocketHandler

if TYPE_CHECKING:
    from ...context import FileContext
    from ...project import Project


@dataclass(frozen=True)
class Reach:
    client: WebSocketClient
    by_name_only: bool

    def describe(self) -> str:
        if self.client.protocols:
            offer = "offers [" + ", ".join('"' + p.replace("{}", "…") + '"' for p in self.client.protocols) + "]"
        else:
            offer = "offers no subprotocol"
        how = " (its URL cannot be resolved: matched by protocol name)" if self.by_name_only else f" to `{self.client.path}`"
        return f"the client at {self.client.where} {offer}{how}"


def clients_reaching(ctx: "FileContext", handler: SocketHandler, known_names: list[str]) -> list[Reach]:
    """Clients that offer a readable protocol list to this handler (path first, then name only)."""
    project: Project | None = ctx.project
    if project is None:
        return []
    qualname = handler_qualname(module_name(ctx.display_path), handler)
    resolved = project.resolve(qualname)
    globs = tuple(ctx.config.option("websocket", "client-globs"))
    found: list[Reach] = []
    for client, endpoints in _client_routes(project, globs):
        if endpoints is not None:
            reached = [e for e in endpoints if e.handler == qualname or project.resolve(e.handler) == resolved]
            if reached:
                project.note(client, *(fact for e in reached for fact in (e.fact, *e.through)))
                found.append(Reach(client, False))
        elif known_names and set(client.protocols) & set(known_names):
            project.note(client)
            found.append(Reach(client, True))
    found.sort(key=lambda r: (r.client.file, r.client.line))
    return found


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
