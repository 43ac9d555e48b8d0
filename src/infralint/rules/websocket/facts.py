"""The WebSocket family's facts for the project model: clients (Python and browser), server handlers
with what each accept site selects, and manager methods that store or remove sockets.

Browser clients come from the `@file_extractor` below, which imports tree-sitter only when it is
called — that is, only for a JS/TS/Vue file in the run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable

from ...project import Fact, PythonFile, fact_kind, file_extractor, python_extractor
from .callees import socket_param
from .clients import mentions_clients, python_clients
from .module import mentions_websockets, shared_module
from .sharing import REGISTERS, REMOVES, method_touches
from .sockets import SocketHandler

BROWSER_PATTERNS = ("*.js", "*.jsx", "*.mjs", "*.ts", "*.tsx", "*.vue", "*.html", "*.htm")
DEFAULT_TOKEN_PATTERN = "^(jwt|token|bearer)[.:-]"
_UNKNOWN = "{}"


@fact_kind("websocket-client")
@dataclass
class WebSocketClient(Fact):
    """A client that opens a WebSocket: its URL (`{}` for unknown parts; None if unknown) and offer."""

    url: str | None = None
    #: offered entries in order; None when the list cannot be read
    protocols: list | None = None
    api: str = ""

    @property
    def path(self) -> str | None:
        return url_path(self.url)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@fact_kind("websocket-handler")
@dataclass
class WebSocketHandlerFacts(Fact):
    """A server handler (`pkg.mod.func`, or the consumer/endpoint class) and its accept sites."""

    name: str = ""
    framework: str = ""
    reads_offer: bool = False
    #: [line, kind, value] per accept site: kind none | literal | raw-header | token | dynamic
    selections: list = field(default_factory=list)
    #: literals the handler compares the offer with
    compared: list = field(default_factory=list)
    #: the handshake is pending when it starts (a registered endpoint, a consumer, `on_connect`)
    entry: bool = False


@fact_kind("websocket-manager-method")
@dataclass
class SocketManagerMethod(Fact):
    """A method taking a socket that stores it in shared state (`connect`) or removes it (`disconnect`)."""

    name: str = ""
    stores: bool = False
    removes: bool = False


def url_path(url: str | None) -> str | None:
    """`wss://host/ws/chat?x=1` → `/ws/chat`; `{}://{}/ws/{}` → `/ws/{}`; None when no path is known."""
    if not url:
        return None
    text = url.split("?", 1)[0].split("#", 1)[0]
    if "//" in text:
        after = text.split("//", 1)[1]
        slash = after.find("/")
        return after[slash:] if slash >= 0 else "/"
    if text.startswith("/"):
        return text
    if text.startswith(_UNKNOWN):
        slash = text.find("/")
        return text[slash:] if slash >= 0 else None
    return None


def handler_qualname(module: str, handler: SocketHandler) -> str:
    if handler.class_name:
        return f"{module}.{handler.class_name}"
    return f"{module}.{handler.function.name}"


# -- extractors --------------------------------------------------------------------------------


@python_extractor
def websocket_facts(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    found: list[Fact] = []
    module = shared_module(file.source, (), (), DEFAULT_TOKEN_PATTERN) if mentions_websockets(text) else None
    if mentions_clients(text):
        for client in python_clients(file.source, module.sockets.calls if module else None):
            protocols = list(client.protocols) if client.protocols is not None else None
            found.append(WebSocketClient(file.path, client.call.lineno, client.url, protocols, client.api))
    if module is None:
        return found
    by_name: dict[str, WebSocketHandlerFacts] = {}
    for handler in module.handlers:
        use = module.offer_use(handler)
        name = handler_qualname(file.module, handler)
        fact = by_name.get(name)
        if fact is None:
            fact = by_name[name] = WebSocketHandlerFacts(file.path, handler.line, name, handler.framework)
            found.append(fact)
        fact.reads_offer = fact.reads_offer or use.offered
        fact.entry = fact.entry or handler.entry
        fact.compared.extend(c for c in module.known_names(handler) if c not in fact.compared)
        for site in handler.accepts:
            selection = module.selection(handler, site)
            fact.selections.append([site.call.lineno, selection.kind, selection.value])
    found.extend(_manager_methods(file))
    return found


def _manager_methods(file: PythonFile) -> Iterable[SocketManagerMethod]:
    for cls in file.source.tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for node in cls.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or len(node.args.args) < 2:
                continue
            param = socket_param(node, True)  # `register(self, key, websocket)`: the socket is not always first
            socket = param[1] if param else node.args.args[1].arg
            stores = node.name in REGISTERS and method_touches(node, socket, REGISTERS)
            removes = node.name in REMOVES and method_touches(node, socket, REMOVES)
            if node.name in REGISTERS or node.name in REMOVES:
                yield SocketManagerMethod(file.path, node.lineno, f"{file.module}.{cls.name}.{node.name}", stores, removes)


@file_extractor(*BROWSER_PATTERNS, needed_by="INF5")  # only the WebSocket rules read browser clients
def browser_clients(path: str, text: str) -> Iterable[Fact]:
    if "WebSocket" not in text and "SubscriptionClient" not in text and "graphql-ws" not in text:
        return []
    from ...formats.javascript import websocket_clients  # tree-sitter: only for a JS/TS file in the run

    return [WebSocketClient(path, c.line, c.url, list(c.protocols) if c.protocols is not None else None, "new WebSocket") for c in websocket_clients(text, path)]
