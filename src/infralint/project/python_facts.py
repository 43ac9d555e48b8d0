"""The core facts of a Python file: functions and their calls, routes and WebSocket endpoints of
FastAPI/Starlette/Flask/Django/aiohttp/Channels/websockets, routers and how they include each other,
module-level bindings and constants.

Read from the nodes the engine's single traversal collected (calls, awaits, imports, definitions)
and the line → enclosing definition map of `scopes`: no second walk, no recursion. Everything is
read from the syntax tree; nothing is imported.
"""

from __future__ import annotations

import ast
import re

from ..analysis.constants import ValueResolver
from .facts import (
    Binding,
    Constant,
    Fact,
    Function,
    Include,
    Route,
    Router,
    WebSocketEndpoint,
)
from .registry import PythonFile, python_extractor

_HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}
_ANY_METHOD_DECORATORS = {"route", "api_route"}
_WEBSOCKET_DECORATORS = {"websocket", "websocket_route", "ws"}
# qualified factory (or its last part, for unresolved names) → framework of a router/app object
_ROUTER_FACTORIES = {
    "fastapi.FastAPI": "fastapi", "fastapi.APIRouter": "fastapi", "fastapi.routing.APIRouter": "fastapi",
    "starlette.applications.Starlette": "starlette", "starlette.routing.Router": "starlette",
    "flask.Flask": "flask", "flask.Blueprint": "flask", "quart.Quart": "flask", "quart.Blueprint": "flask",
    "aiohttp.web.Application": "aiohttp", "aiohttp.web.RouteTableDef": "aiohttp",
    "aiohttp.web.UrlDispatcher": "aiohttp",
}
_PREFIX_KEYWORDS = ("prefix", "url_prefix")
# route-list entries: qualified constructor → (framework, kind)
_ROUTE_CONSTRUCTORS = {
    "starlette.routing.Route": ("starlette", "route"), "starlette.routing.WebSocketRoute": ("starlette", "websocket"),
    "starlette.routing.Mount": ("starlette", "mount"), "fastapi.routing.APIRoute": ("fastapi", "route"),
    "django.urls.path": ("django", "path"), "django.urls.re_path": ("django", "re_path"),
    "django.conf.urls.url": ("django", "re_path"),
    "aiohttp.web.get": ("aiohttp", "get"), "aiohttp.web.post": ("aiohttp", "post"), "aiohttp.web.put": ("aiohttp", "put"),
    "aiohttp.web.patch": ("aiohttp", "patch"), "aiohttp.web.delete": ("aiohttp", "delete"),
    "aiohttp.web.head": ("aiohttp", "head"), "aiohttp.web.view": ("aiohttp", "view"),
    "aiohttp.web.route": ("aiohttp", "method-first"),
}
# unresolved spellings accepted only inside a list that is clearly a route table
_BARE_ROUTE_CONSTRUCTORS = {
    "Route": ("starlette", "route"), "WebSocketRoute": ("starlette", "websocket"), "Mount": ("starlette", "mount"),
    "path": ("django", "path"), "re_path": ("django", "re_path"), "url": ("django", "re_path"),
}
_ROUTE_LIST_NAMES = re.compile(r"(^|_)(urlpatterns|routes|websocket_urlpatterns)$")
_WEBSOCKET_LIST = re.compile(r"websocket", re.IGNORECASE)
_REGISTER_CALLS = {
    # method → (framework, path arg index, handler arg index, method arg index or None, websocket)
    "add_api_route": ("fastapi", 0, 1, None, False),
    "add_api_websocket_route": ("fastapi", 0, 1, None, True),
    "add_websocket_route": ("starlette", 0, 1, None, True),
    "add_url_rule": ("flask", 0, 2, None, False),
    "add_route": ("", 0, 1, None, False),  # Starlette (path, endpoint); aiohttp (method, path, handler) below
    "add_get": ("aiohttp", 0, 1, None, False), "add_post": ("aiohttp", 0, 1, None, False),
    "add_put": ("aiohttp", 0, 1, None, False), "add_patch": ("aiohttp", 0, 1, None, False),
    "add_delete": ("aiohttp", 0, 1, None, False), "add_head": ("aiohttp", 0, 1, None, False),
    "add_view": ("aiohttp", 0, 1, None, False),
}
_INCLUDE_CALLS = {"include_router": "fastapi", "register_blueprint": "flask", "add_subapp": "aiohttp", "mount": "starlette", "add_routes": "aiohttp"}
_REGISTRATION_ATTRIBUTES = frozenset({*_INCLUDE_CALLS, *_REGISTER_CALLS, "serve"})
_ACCEPT_VERBS = ("accept", "prepare")
_WEBSOCKET_SERVE = {"websockets.serve", "websockets.server.serve", "websockets.asyncio.server.serve", "websockets.legacy.server.serve"}
_MAX_LIST_DEPTH = 8
_SELF_NAMES = ("self", "cls")
# what a constant worth knowing is written as (not a dict, list, lambda, comprehension…)
_CONSTANT_VALUES = (ast.Constant, ast.Call, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Name, ast.Attribute)
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$|timeout|retr|delay|budget|interval", re.IGNORECASE)


@python_extractor
def core_facts(file: PythonFile) -> list[Fact]:
    return _Extraction(file).run()


class _LocalValues(ValueResolver):
    """Values resolvable in this file alone: an imported name is left to the project (its `ref`)."""

    def _imported(self, local, attrs, depth):
        return None


class _Extraction:
    def __init__(self, file: PythonFile) -> None:
        self.file = file
        self.path = file.path
        self.module = file.module
        self.names = file.names
        self.facts: list[Fact] = []
        self.routers: dict[str, str] = {}  # qualified router name → framework (this file)

    def run(self) -> list[Fact]:
        self._module_level()
        scopes = self.file.scopes
        by_line = scopes.by_line
        past_end = len(by_line)
        functions: dict[ast.AST, _FunctionParts] = {}
        awaited = {id(n.value) for n in self.file.nodes(ast.Await)}
        # per definition (not per call): the class `self` means there, and the function it is in
        where: dict = {None: (None, None)}
        imports = self.names.imports
        own = self.names.own
        qualify_chain = self.names.qualify_chain
        known_names = imports.keys() | own | self.names.local_imports.keys()
        registrations: list[tuple[ast.Call, str | None]] = []
        # what a call needs for anything below: a callee chain starting at a name the module
        # imports or defines, or at `self`/`cls` (inside a class: known once the scope is)
        may_resolve = {*known_names, *_SELF_NAMES}
        # the calls in the traversal's order: each function's calls and the registrations are put
        # in position order after (sorting the few kept costs less than sorting every call)
        for call in self.file.nodes(ast.Call):
            func = call.func
            kind = type(func)
            attributes: list[str] = []
            base = func
            while type(base) is ast.Attribute:
                attributes.append(base.attr)  # type: ignore[attr-defined]
                base = base.value  # type: ignore[attr-defined]
            base_name = base.id if type(base) is ast.Name else None  # type: ignore[attr-defined]
            is_awaited = id(call) in awaited
            if kind is ast.Attribute:
                registers = attributes[0] in _REGISTRATION_ATTRIBUTES
                accepts = attributes[0] in _ACCEPT_VERBS
            else:
                # `websockets.serve(handler, …)`, however imported
                registers = kind is ast.Name and (base_name == "serve" or imports.get(base_name, "").endswith(".serve"))  # type: ignore[arg-type]
                accepts = False
            if not (is_awaited or registers or accepts or base_name in may_resolve):
                continue  # on a local, a parameter or a builtin: nothing the project resolves
            line = call.lineno
            owner = by_line[line] if line < past_end else None
            known = where.get(owner)
            if known is None:
                function = scopes.function_at(line)
                parts = functions.setdefault(function.node, _FunctionParts()) if function is not None else None
                known = where[owner] = (owner.class_part(self.module), parts)  # type: ignore[union-attr]
            cls, parts = known
            if parts is not None:
                if is_awaited or base_name in known_names or (cls is not None and base_name in _SELF_NAMES):
                    # a bare name the module neither imports nor defines (one imported in a
                    # function) is resolved only when awaited
                    if is_awaited or kind is not ast.Name or base_name in imports or base_name in own:
                        found = qualify_chain(base_name, attributes[::-1], cls) if base_name is not None else None
                        if found is not None and (found[1] or is_awaited):
                            parts.calls.append([found[0], line, is_awaited, found[1]])
                            parts.positions.append((line, call.col_offset))
                            if found[0].endswith("WebSocketResponse"):
                                parts.websocket_response = True
                if accepts and _is_accept(call):
                    parts.accepts.append(line)
            if registers:
                registrations.append((call, cls))
        registrations.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
        for call, cls in registrations:
            self._registration_call(call, cls)
        for node in self.file.nodes(ast.Import, ast.ImportFrom):
            function = scopes.function_at(node.lineno)
            if function is not None:
                functions.setdefault(function.node, _FunctionParts()).imports.append(node.lineno)
        for definition in scopes.definitions:
            if not definition.is_function:
                continue
            node = definition.node
            cls = definition.parent.class_part(self.module) if definition.parent is not None else None
            for decorator in node.decorator_list:
                self._decorator_route(decorator, definition.qualname, cls)
            parts = functions.get(node) or _NO_PARTS
            self.facts.append(
                Function(
                    self.path, node.lineno, definition.qualname, node.end_lineno or node.lineno, isinstance(node, ast.AsyncFunctionDef),
                    parts.calls_in_order(), sorted(parts.accepts), parts.websocket_response, sorted(parts.imports),
                )
            )
        return self.facts

    # -- module level: routers, bindings, constants, route tables ------------------------------

    def _module_level(self) -> None:
        for stmt in self.names.module_statements:
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    local = alias.asname or alias.name
                    target = self.names.imports.get(local)
                    if alias.name != "*" and target:
                        self.facts.append(Binding(self.path, stmt.lineno, f"{self.module}.{local}", target))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if len(targets) == 1 and isinstance(targets[0], ast.Name):
                    self._module_assignment(targets[0].id, stmt.value, stmt)

    def _module_assignment(self, name: str, value: ast.expr, stmt: ast.stmt) -> None:
        qualname = f"{self.module}.{name}"
        if isinstance(value, ast.Call):
            factory = self.names.library_name(value.func)
            framework = _framework_of(factory)
            if framework:
                self.routers[qualname] = framework
                prefix = _keyword_string(value, _PREFIX_KEYWORDS) or ""
                self.facts.append(Router(self.path, stmt.lineno, qualname, framework, prefix))
                routes = _keyword(value, "routes")
                if isinstance(routes, (ast.List, ast.Tuple)):
                    self._route_list(routes, qualname, websocket=False, depth=0)
                elif routes is not None and self.names.qualified(routes):
                    self.facts.append(Include(self.path, stmt.lineno, qualname, self.names.qualified(routes) or "", ""))
                return
            target = self.names.qualified(value.func)
            if target and _looks_like_class(target):
                self.facts.append(Binding(self.path, stmt.lineno, qualname, target, instance=True))
                return
        elif isinstance(value, (ast.List, ast.Tuple)) and _ROUTE_LIST_NAMES.search(name):
            if qualname not in self.routers:
                self.routers[qualname] = "list"
                self.facts.append(Router(self.path, stmt.lineno, qualname, "list", ""))
            self._route_list(value, qualname, websocket=bool(_WEBSOCKET_LIST.search(name)), depth=0, table=True)
            return
        elif isinstance(value, (ast.Name, ast.Attribute)) and not isinstance(stmt, ast.AugAssign):
            target = self.names.qualified(value)
            if target:
                self.facts.append(Binding(self.path, stmt.lineno, qualname, target))
        if isinstance(value, _CONSTANT_VALUES) and not isinstance(stmt, ast.AugAssign) and _CONSTANT_NAME.search(name):
            self._constant(qualname, value, stmt)

    def _constant(self, qualname: str, value: ast.expr, stmt: ast.stmt) -> None:
        resolved = self._values.resolve(value)
        if resolved is not None:
            self.facts.append(Constant(self.path, stmt.lineno, qualname, resolved.number, resolved.provenance()))
        elif isinstance(value, (ast.Name, ast.Attribute)):
            ref = self.names.qualified(value)
            if ref:
                self.facts.append(Constant(self.path, stmt.lineno, qualname, None, "", ref))
        elif isinstance(value, ast.Constant) and isinstance(value.value, str) and len(value.value) <= 200:
            self.facts.append(Constant(self.path, stmt.lineno, qualname, None, value.value))

    @property
    def _values(self) -> ValueResolver:
        resolver = getattr(self, "_resolver", None)
        if resolver is None:
            resolver = self._resolver = _LocalValues(self.file.source)
        return resolver

    # -- route tables: lists of Route/Mount/path()/web.get() ----------------------------------

    def _route_list(self, node: ast.List | ast.Tuple, owner: str, *, websocket: bool, depth: int, table: bool = False) -> None:
        if depth > _MAX_LIST_DEPTH:
            return
        for element in node.elts:
            if isinstance(element, ast.Call):
                self._route_entry(element, owner, websocket=websocket, depth=depth, table=table)

    def _route_entry(self, call: ast.Call, owner: str, *, websocket: bool, depth: int, table: bool) -> None:
        name = self.names.library_name(call.func)
        known = _ROUTE_CONSTRUCTORS.get(name) or (_BARE_ROUTE_CONSTRUCTORS.get(name) if table or name in ("Route", "WebSocketRoute", "Mount") else None)
        if known is None:
            return
        framework, kind = known
        args = list(call.args)
        if kind == "method-first":
            method = _string(args[0]) if args else None
            args = args[1:]
        else:
            method = kind.upper() if framework == "aiohttp" else None
        path = _string(args[0]) if args else _keyword_string(call, ("path", "route"))
        if path is None:
            return
        target = args[1] if len(args) > 1 else _keyword(call, "endpoint") or _keyword(call, "view") or _keyword(call, "handler") or _keyword(call, "app")
        if kind == "re_path":
            path = _regex_path(path)
        if kind == "mount" or (framework == "django" and isinstance(target, ast.Call) and self.names.library_name(target.func).endswith("include")):
            self._mounted(call, target, owner, path, framework, websocket, depth)
            return
        handler = self._handler(target)
        if kind == "websocket" or websocket:
            self.facts.append(WebSocketEndpoint(self.path, call.lineno, owner, path, handler, framework))
            return
        methods = _methods(call) if method is None else [method]
        for each in methods:
            self.facts.append(Route(self.path, call.lineno, owner, each, path, handler, framework))

    def _mounted(self, call, target, owner, path, framework, websocket, depth) -> None:
        """`Mount("/api", routes=[...])`, `Mount("/api", app=sub)`, `path("api/", include("x.urls"))`."""
        routes = _keyword(call, "routes")
        if framework == "django" and isinstance(target, ast.Call):
            included = target.args[0] if target.args else None
            if isinstance(included, ast.Tuple) and included.elts:
                included = included.elts[0]
            child = None
            text = _string(included) if included is not None else None
            if text:
                child = f"{text}.urlpatterns"
            elif isinstance(included, (ast.List, ast.Tuple)):
                child = f"{owner}@{call.lineno}"
                self._route_list(included, child, websocket=websocket, depth=depth + 1, table=True)
            elif included is not None and self.names.qualified(included):
                child = f"{self.names.qualified(included)}.urlpatterns"
            if child:
                self.facts.append(Include(self.path, call.lineno, owner, child, path))
            return
        if isinstance(routes, (ast.List, ast.Tuple)):
            child = f"{owner}@{call.lineno}"
            self.facts.append(Include(self.path, call.lineno, owner, child, path))
            self._route_list(routes, child, websocket=websocket, depth=depth + 1, table=True)
        elif target is not None and self.names.qualified(target):
            self.facts.append(Include(self.path, call.lineno, owner, self.names.qualified(target) or "", path))

    def _handler(self, node: ast.AST | None) -> str:
        """Qualified handler: `views.index`, `ChatConsumer.as_asgi()` → the class, `View.as_view()`."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("as_view", "as_asgi"):
            node = node.func.value
        if node is None:
            return ""
        return self.names.library_name(node)

    # -- decorated routes -----------------------------------------------------------------------

    def _decorator_route(self, decorator: ast.expr, handler: str, cls: str | None) -> None:
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
            return
        verb = decorator.func.attr
        if verb not in _HTTP_METHODS and verb not in _ANY_METHOD_DECORATORS and verb not in _WEBSOCKET_DECORATORS:
            return
        path = _string(decorator.args[0]) if decorator.args else _keyword_string(decorator, ("path", "rule"))
        if path is None or not (path == "" or path.startswith("/")):
            return
        found = self.names.qualify(decorator.func.value, cls)
        if found is None:
            return
        owner = found[0]
        framework = self.routers.get(owner, "")
        if verb in _WEBSOCKET_DECORATORS:
            self.facts.append(WebSocketEndpoint(self.path, decorator.lineno, owner, path, handler, framework))
            return
        methods = [verb.upper()] if verb in _HTTP_METHODS else _methods(decorator)
        for method in methods:
            self.facts.append(Route(self.path, decorator.lineno, owner, method, path, handler, framework))

    # -- registration calls: include_router, add_api_route, router.add_get, websockets.serve ---

    def _registration_call(self, call: ast.Call, cls: str | None) -> None:
        """A call whose verb may register: an attribute in `_REGISTRATION_ATTRIBUTES`, or a name
        spelled `serve` or imported from a `serve` (the caller filters the rest without a call)."""
        func = call.func
        if isinstance(func, ast.Attribute):
            owner_found = self.names.qualify(func.value, cls)
            owner = owner_found[0] if owner_found else ""
            if owner.endswith(".router") and owner[: -len(".router")] in self.routers:
                owner = owner[: -len(".router")]  # aiohttp `app.router.add_get`
            if func.attr in _INCLUDE_CALLS and owner:
                self._include(call, owner, func.attr)
                return
            if func.attr in _REGISTER_CALLS and owner:
                self._registered_route(call, owner, func.attr)
                return
        name = self.names.library_name(func)
        if name in _WEBSOCKET_SERVE and call.args:
            handler = self._handler(call.args[0])
            self.facts.append(WebSocketEndpoint(self.path, call.lineno, "", "", handler, "websockets"))

    def _include(self, call: ast.Call, owner: str, verb: str) -> None:
        args = list(call.args)
        if verb in ("add_subapp", "mount"):
            prefix = _string(args[0]) if args else _keyword_string(call, ("path", "prefix"))
            child = args[1] if len(args) > 1 else _keyword(call, "app") or _keyword(call, "subapp")
        else:
            prefix = _keyword_string(call, _PREFIX_KEYWORDS) or ""
            child = args[0] if args else _keyword(call, "router") or _keyword(call, "blueprint")
        if verb == "add_routes" and isinstance(child, (ast.List, ast.Tuple)):
            self._route_list(child, owner, websocket=False, depth=0, table=True)
            return
        qualified = self.names.qualified(child) if child is not None else None
        if qualified and prefix is not None:
            self.facts.append(Include(self.path, call.lineno, owner, qualified, prefix))

    def _registered_route(self, call: ast.Call, owner: str, verb: str) -> None:
        framework, path_at, handler_at, _, websocket = _REGISTER_CALLS[verb]
        args = list(call.args)
        method = None
        if verb == "add_route" and len(args) >= 3:  # aiohttp: add_route(method, path, handler)
            framework, method = "aiohttp", _string(args[0])
            args = args[1:]
        elif verb.startswith("add_") and framework == "aiohttp" and verb != "add_view":
            method = verb[4:].upper()
        path = _string(args[path_at]) if len(args) > path_at else _keyword_string(call, ("path", "rule"))
        if path is None:
            return
        target = args[handler_at] if len(args) > handler_at else _keyword(call, "endpoint") or _keyword(call, "view_func") or _keyword(call, "handler")
        handler = self._handler(target)
        if not handler:
            return
        framework = framework or self.routers.get(owner, "")
        if websocket:
            self.facts.append(WebSocketEndpoint(self.path, call.lineno, owner, path, handler, framework))
            return
        for each in [method] if method else _methods(call):
            self.facts.append(Route(self.path, call.lineno, owner, each, path, handler, framework))



class _FunctionParts:  # noqa: B903 - slots keep thousands of these small
    """What one function's body holds, gathered while the file's calls and imports are read
    (calls in the traversal's order, each with its position to be put in source order)."""

    __slots__ = ("calls", "accepts", "imports", "websocket_response", "positions")

    def __init__(self) -> None:
        self.calls: list[list] = []
        self.accepts: list[int] = []
        self.imports: list[int] = []
        self.websocket_response = False
        self.positions: list[tuple[int, int]] = []  # (line, column) of each of `calls`

    def calls_in_order(self) -> list[list]:
        """The calls by position (stable: calls at one position keep the traversal's order)."""
        calls = self.calls
        if len(calls) > 1:
            positions = self.positions
            calls = [calls[i] for i in sorted(range(len(calls)), key=positions.__getitem__)]
        return calls


_NO_PARTS = _FunctionParts()


# -- helpers ----------------------------------------------------------------------------------


def _framework_of(factory: str) -> str:
    return _ROUTER_FACTORIES.get(factory, "")


def _looks_like_class(qualified: str) -> bool:
    return qualified.rsplit(".", 1)[-1][:1].isupper()


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword_string(call: ast.Call, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = _string(_keyword(call, name))
        if value is not None:
            return value
    return None


def _methods(call: ast.Call) -> list[str]:
    node = _keyword(call, "methods")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        methods = [m.upper() for m in (_string(e) for e in node.elts) if m]
        if methods:
            return methods
    return ["GET"]


def _regex_path(pattern: str) -> str:
    """`^api/(?P<pk>[0-9]+)/$` → `api/{pk}/`: the shape of the paths a Django `re_path` serves."""
    text = pattern.lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return text.replace("\\", "")


def _is_accept(call: ast.Call) -> bool:
    """`await websocket.accept(...)`, `await ws.prepare(request)`, `await self.accept()` (Channels)."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("accept", "prepare"):
        return False
    receiver = func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else receiver.id if isinstance(receiver, ast.Name) else ""
    lowered = name.lower()
    if func.attr == "prepare":
        return "ws" in lowered or "socket" in lowered
    return "ws" in lowered or "socket" in lowered or (lowered == "self" and not call.args)
