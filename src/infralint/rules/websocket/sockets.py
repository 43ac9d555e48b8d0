"""Server-side WebSocket handlers of one module, and the handshake calls each of them makes.

A handler is a function that holds a socket whose handshake it (or its framework) completes:

- Starlette/FastAPI: a parameter annotated `WebSocket`; an *entry* (the handshake is still pending
  when it starts) when the function is registered in this module (`@app.websocket(path)`,
  `WebSocketRoute(path, fn)`, `add_websocket_route`, `add_api_websocket_route`) or is the
  `on_connect` of a `WebSocketEndpoint`.
- Channels: a method of a `WebsocketConsumer` subclass; the socket is `self`, `connect` is the entry.
- aiohttp: a function that builds a `web.WebSocketResponse(...)`; the response is the accept site.
- websockets: a function passed to `websockets.serve(...)`; the `serve` call is the accept site.

Only names are looked at; nothing is imported or run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property

from ...analysis.names import ImportMap
from ...source import SourceFile

STARLETTE_PREFIXES = ("starlette.", "fastapi.")
CHANNELS_CONSUMERS = frozenset({"WebsocketConsumer", "AsyncWebsocketConsumer", "JsonWebsocketConsumer", "AsyncJsonWebsocketConsumer"})
ROUTE_DECORATORS = frozenset({"websocket", "websocket_route"})
ROUTE_REGISTRATIONS = frozenset({"add_websocket_route", "add_api_websocket_route"})
ROUTE_CLASSES = frozenset({"WebSocketRoute", "APIWebSocketRoute"})
CHANNELS_ENTRIES = frozenset({"connect", "websocket_connect"})
SERVE_FUNCTIONS = frozenset({"serve", "unix_serve"})

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_CONSTRUCTORS = frozenset({"WebSocket", "WebSocketResponse"})
_INDEXED = frozenset({ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign})


@dataclass(frozen=True)
class AcceptSite:
    """Where a handshake is answered, and what it selects (`None`: no subprotocol argument)."""

    call: ast.Call
    keyword: str  # the argument that selects: subprotocol / protocols / subprotocols
    selected: ast.expr | None
    #: `**kwargs` passed: the selection cannot be seen
    opaque: bool = False

    @property
    def selects_nothing(self) -> bool:
        if self.opaque:
            return False
        return self.selected is None or (isinstance(self.selected, ast.Constant) and self.selected.value is None)


@dataclass(eq=False)
class SocketHandler:
    function: FunctionNode
    framework: str  # starlette | channels | aiohttp | websockets
    socket: str  # the local name of the socket (`websocket`, `self`, `ws`)
    entry: bool
    path: str | None = None
    #: names the offer can be read through besides the socket (aiohttp's request)
    readers: tuple[str, ...] = ()
    accepts: list[AcceptSite] = field(default_factory=list)
    class_name: str | None = None

    @property
    def line(self) -> int:
        return self.function.lineno


def import_map(source: SourceFile) -> ImportMap:
    """The file's imports, built once per parsed file for this family's readers."""
    found = source.__dict__.get("_websocket_imports")
    if found is None:
        found = source.__dict__["_websocket_imports"] = ImportMap(source)
    return found


def last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def literal_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def has_double_star(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def dict_value(node: ast.Dict, key: str) -> ast.expr | None:
    for k, v in zip(node.keys, node.values):
        if literal_str(k) == key:
            return v
    return None


def accept_message(call: ast.Call) -> ast.Dict | None:
    """The raw ASGI message of `send({"type": "websocket.accept", ...})` (any sender: the ASGI `send`,
    a consumer's `self.send`/`base_send`, `super().send`), else None."""
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Dict):
        return None
    message = call.args[0]
    return message if literal_str(dict_value(message, "type")) == "websocket.accept" else None


def _super_on_connect(call: ast.Call, socket: str) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute) and func.attr == "on_connect" and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"
        and len(call.args) == 1 and isinstance(call.args[0], ast.Name) and call.args[0].id == socket
    )


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_SCOPE_TYPES = frozenset(_SCOPES)  # exact types: the parser makes no subclasses
_FIELDS: dict[type, tuple[str, ...]] = {}


def own_nodes(function: ast.AST):
    """The nodes of a function's own body, in source order: nested functions, lambdas and classes
    are other code (they are yielded, not entered). Expression contexts are skipped."""
    stack = list(reversed(function.body if hasattr(function, "body") else []))
    node_class = ast.AST
    while stack:
        node = stack.pop()
        yield node
        kind = type(node)
        if kind in _SCOPE_TYPES:
            continue
        fields = _FIELDS.get(kind)
        if fields is None:
            fields = _FIELDS[kind] = tuple(f for f in kind._fields if f != "ctx")
        children = []
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                # a list holds nodes only, or names only (`global a, b`), but a dict's keys (None for `**`)
                if value and (kind is ast.Dict or not isinstance(value[0], node_class)):
                    children.extend([item for item in value if isinstance(item, node_class)])
                else:
                    children.extend(value)
            elif isinstance(value, node_class):
                children.append(value)
        stack.extend(reversed(children))


def method_call(node: ast.AST, receiver: str, names: frozenset[str] | set[str] | None = None) -> str | None:
    """`receiver.name(...)` → name (when in `names`, if given)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        value = node.func.value
        if isinstance(value, ast.Name) and value.id == receiver and (names is None or node.func.attr in names):
            return node.func.attr
    return None


def _is_asgi_callable(params: list[ast.arg]) -> bool:
    """`(scope, receive, send)`, or a method's `(self, scope, receive, send)`: a raw ASGI application."""
    names = [p.arg for p in params]
    if names[:1] == ["self"]:
        names = names[1:]
    return len(names) == 3 and names[0] == "scope"


class ModuleSockets:
    """Every handler in one module, found once and shared by the WebSocket rules."""

    def __init__(self, source: SourceFile, extra_accept_calls: tuple[str, ...] = (), extra_serve_calls: tuple[str, ...] = ()) -> None:
        self.source = source
        self.imports = import_map(source)
        self.extra_accept_calls = frozenset(extra_accept_calls)
        self.extra_serve_calls = frozenset(extra_serve_calls)
        self.functions: dict[str, FunctionNode] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        for node in source.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node

    # -- which library a name belongs to ------------------------------------------------------

    @cached_property
    def uses_starlette(self) -> bool:
        return self.imports.imports_module("starlette") or self.imports.imports_module("fastapi")

    def _is_starlette_websocket(self, annotation: ast.expr | None) -> bool:
        if annotation is None:
            return False
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            text = annotation.value.strip()
            return text.rsplit(".", 1)[-1] == "WebSocket" and self.uses_starlette
        qualified = self.imports.qualified_name(annotation) or ""
        if qualified.rsplit(".", 1)[-1] != "WebSocket":
            return False
        if qualified.startswith(STARLETTE_PREFIXES):
            return True
        return "." not in qualified and self.uses_starlette  # relative import or re-export

    def _consumer_classes(self) -> set[str]:
        """Channels consumers defined here, including subclasses of consumers defined here."""
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, cls in self.classes.items():
                if name in found:
                    continue
                for base in cls.bases:
                    base_name = last_name(base)
                    qualified = self.imports.qualified_name(base) or ""
                    if (base_name in CHANNELS_CONSUMERS and (qualified.startswith("channels.") or "." not in qualified)) or base_name in found:
                        found.add(name)
                        changed = True
                        break
        return found

    def _endpoint_classes(self) -> set[str]:
        return {
            name for name, cls in self.classes.items()
            if any(last_name(b) == "WebSocketEndpoint" for b in cls.bases) and self.uses_starlette
        }

    # -- the handlers ---------------------------------------------------------------------------

    @cached_property
    def handlers(self) -> list[SocketHandler]:
        self._index()
        found: list[SocketHandler] = []
        registered = self._registered_paths()
        consumers = self._consumer_classes()
        endpoints = self._endpoint_classes()
        served = self._served_handlers()
        for node in self._class_nodes:
            if node.name in consumers or node.name in endpoints:
                found.extend(self._class_handlers(node, node.name in consumers))
        for node in self._function_nodes:
            handler = self._function_handler(node, registered, served)
            if handler is not None:
                found.append(handler)
        found.sort(key=lambda h: h.line)
        return found

    def _index(self) -> None:
        """One walk of the tree: its calls, functions and classes, and the sockets each function
        builds (`name = WebSocket(scope, ...)`, `name = web.WebSocketResponse(...)`)."""
        self._calls: list[ast.Call] = []
        self._function_nodes: list[FunctionNode] = []
        self._class_nodes: list[ast.ClassDef] = []
        self._constructions: dict[ast.AST, list[tuple[str, ast.Call]]] = {}
        assigns = []
        for node in self.source.nodes_of(_INDEXED):  # the engine's traversal lists them all
            kind = type(node)
            if kind is ast.Call:
                self._calls.append(node)
            elif kind is ast.ClassDef:
                self._class_nodes.append(node)
            elif kind is ast.Assign:
                assigns.append(node)
            else:
                self._function_nodes.append(node)
        self._calls.sort(key=lambda c: (c.lineno, c.col_offset))
        self._function_nodes.sort(key=lambda f: (f.lineno, f.col_offset))
        for assign in assigns:
            self._note_construction(assign)

    def _note_construction(self, assign: ast.Assign) -> None:
        value = assign.value
        if not (isinstance(value, ast.Call) and len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name)):
            return
        if (self.imports.qualified_name(value.func) or "").rsplit(".", 1)[-1] not in _CONSTRUCTORS:
            return
        # the innermost function whose lines hold the assignment (rare: a few per file at most)
        owners = [f for f in self._function_nodes if f.lineno <= assign.lineno <= (f.end_lineno or f.lineno)]
        if owners:
            owner = max(owners, key=lambda f: (f.lineno, f.col_offset))
            self._constructions.setdefault(owner, []).append((assign.targets[0].id, value))

    @property
    def class_nodes(self) -> list[ast.ClassDef]:
        self.handlers  # noqa: B018 - the index is built with the handlers
        return self._class_nodes

    @property
    def calls(self) -> list[ast.Call]:
        self.handlers  # noqa: B018
        return self._calls

    def _function_handler(self, node: FunctionNode, registered: dict[str, str | None], served: dict[str, list[ast.Call]]) -> SocketHandler | None:
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        decorated_path, decorated = self._route_decorator(node)
        for param in params:
            if self._is_starlette_websocket(param.annotation):
                entry = decorated or node.name in registered
                path = decorated_path if decorated else registered.get(node.name)
                handler = SocketHandler(node, "starlette", param.arg, entry, path)
                handler.accepts = self._socket_accepts(node, param.arg)
                return handler
        if decorated and params:  # `@app.websocket(...)` with an unannotated socket
            handler = SocketHandler(node, "starlette", params[0].arg, True, decorated_path)
            handler.accepts = self._socket_accepts(node, params[0].arg)
            return handler
        constructed = self._constructed_socket(node)
        if constructed is not None:  # `websocket = WebSocket(scope, receive, send)` in an ASGI app
            handler = SocketHandler(node, "starlette", constructed, True, decorated_path)
            handler.accepts = self._socket_accepts(node, constructed)
            return handler
        if _is_asgi_callable(params) and any(accept_message(n) is not None for n in own_nodes(node) if isinstance(n, ast.Call)):
            scope = params[1].arg if params[0].arg == "self" else params[0].arg
            handler = SocketHandler(node, "asgi", scope, True, decorated_path)
            handler.accepts = self._socket_accepts(node, scope)
            return handler
        response = self._aiohttp_response(node)
        if response is not None:
            socket, call = response
            request = params[0].arg if params and params[0].arg not in ("self", "cls") else (params[1].arg if len(params) > 1 else "request")
            handler = SocketHandler(node, "aiohttp", socket, True, readers=(request,))
            handler.accepts = [AcceptSite(call, "protocols", argument(call, 99, "protocols"), has_double_star(call))]
            return handler
        if node.name in served and params:
            socket = params[1].arg if params[0].arg == "self" and len(params) > 1 else params[0].arg
            handler = SocketHandler(node, "websockets", socket, False)
            handler.accepts = [
                AcceptSite(call, "subprotocols", argument(call, 99, "subprotocols") or argument(call, 99, "select_subprotocol"), has_double_star(call))
                for call in served[node.name]
            ]
            return handler
        return None

    def _class_handlers(self, cls: ast.ClassDef, channels: bool) -> list[SocketHandler]:
        handlers = []
        for node in cls.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = node.args.args
            if channels:
                handler = SocketHandler(node, "channels", "self", node.name in CHANNELS_ENTRIES, class_name=cls.name)
            elif len(params) >= 2:
                handler = SocketHandler(node, "starlette", params[1].arg, node.name == "on_connect", class_name=cls.name)
            else:
                continue
            handler.accepts = self._socket_accepts(node, handler.socket)
            handlers.append(handler)
        return handlers

    def _socket_accepts(self, function: FunctionNode, socket: str) -> list[AcceptSite]:
        sites = []
        for node in own_nodes(function):
            if not isinstance(node, ast.Call):
                continue
            message = accept_message(node)
            if message is not None:  # `await send({"type": "websocket.accept", ...})`, however sent
                sites.append(AcceptSite(node, "subprotocol", dict_value(message, "subprotocol"), any(k is None for k in message.keys)))
            elif _super_on_connect(node, socket):  # Starlette's default `on_connect` accepts with no subprotocol
                sites.append(AcceptSite(node, "subprotocol", None))
            elif method_call(node, socket, {"accept"}) or method_call(node, socket, self.extra_accept_calls):
                sites.append(AcceptSite(node, "subprotocol", argument(node, 0, "subprotocol"), has_double_star(node)))
            elif self._extra_accept_function(node, socket):  # `accept_socket(websocket, subprotocol=...)`
                sites.append(AcceptSite(node, "subprotocol", argument(node, 99, "subprotocol"), has_double_star(node)))
        return sites

    def _extra_accept_function(self, call: ast.Call, socket: str) -> bool:
        if not self.extra_accept_calls:
            return False
        name = self.imports.qualified_name(call.func)
        first = call.args[0] if call.args else None
        return name in self.extra_accept_calls and isinstance(first, ast.Name) and first.id == socket

    def _route_decorator(self, node: FunctionNode) -> tuple[str | None, bool]:
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr in ROUTE_DECORATORS:
                return literal_str(argument(decorator, 0, "path")), True
        return None, False

    def _registered_paths(self) -> dict[str, str | None]:
        """Functions registered as WebSocket routes in this module → their path (if literal)."""
        found: dict[str, str | None] = {}
        for node in self._calls:
            name = last_name(node.func)
            if name in ROUTE_CLASSES or name in ROUTE_REGISTRATIONS:
                endpoint = argument(node, 1, "endpoint")
                if isinstance(endpoint, ast.Name):
                    found[endpoint.id] = literal_str(argument(node, 0, "path"))
        return found

    def _served_handlers(self) -> dict[str, list[ast.Call]]:
        """Functions passed to `websockets.serve(...)` in this module → the serve calls."""
        found: dict[str, list[ast.Call]] = {}
        for node in self._calls:
            if last_name(node.func) not in SERVE_FUNCTIONS and not self.extra_serve_calls:
                continue
            qualified = self.imports.qualified_name(node.func) or ""
            is_serve = qualified.startswith("websockets.") and qualified.rsplit(".", 1)[-1] in SERVE_FUNCTIONS
            if not (is_serve or qualified in self.extra_serve_calls):
                continue
            handler = argument(node, 0, "handler") or argument(node, 0, "ws_handler")
            name = last_name(handler) if isinstance(handler, (ast.Name, ast.Attribute)) else None
            if name:
                found.setdefault(name, []).append(node)
        return found

    def _constructed_socket(self, function: FunctionNode) -> str | None:
        for name, call in self._constructions.get(function, ()):
            if self._is_starlette_websocket(call.func):
                return name
        return None

    def _aiohttp_response(self, function: FunctionNode) -> tuple[str, ast.Call] | None:
        for name, call in self._constructions.get(function, ()):
            if (self.imports.qualified_name(call.func) or "").endswith("WebSocketResponse"):
                qualified = self.imports.qualified_name(call.func) or ""
                if qualified.startswith("aiohttp.") or self.imports.imports_module("aiohttp"):
                    return name, call
        return None
