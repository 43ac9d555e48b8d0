"""Accept sites a handler reaches through dispatch: `await self._handle_main_mode(websocket)` or
`await open_session(websocket)` in the same module, where the helper accepts the socket it was given.

Every reachable accept answers the same handshake, so each one must select what the client offered.
Helpers are followed through the module's own functions and the methods of the handler's class (a
few levels deep); the helper's parameter that receives the socket is the socket there.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .module import WebSocketModule
from .sockets import AcceptSite, FunctionNode, SocketHandler, accept_message, argument, has_double_star, method_call, own_nodes

MAX_DEPTH = 3


@dataclass(frozen=True)
class ReachedAccept:
    site: AcceptSite
    function: FunctionNode  # where the accept is written
    socket: str  # the socket's name there
    via: tuple[str, ...] = ()  # the helpers on the way (`_handle_main_mode`)


def _class_methods(module: WebSocketModule, function: FunctionNode) -> dict[str, FunctionNode]:
    parent = module.source.statement_parents.get(function)
    if isinstance(parent, ast.ClassDef):
        return {n.name: n for n in parent.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return {}


def _callee(call: ast.Call, functions: dict[str, FunctionNode], methods: dict[str, FunctionNode]) -> FunctionNode | None:
    func = call.func
    if isinstance(func, ast.Name):
        return functions.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        return methods.get(func.attr)
    return None


def _receiving_parameter(call: ast.Call, callee: FunctionNode, socket: str) -> str | None:
    params = [*callee.args.posonlyargs, *callee.args.args]
    if params and params[0].arg in ("self", "cls") and isinstance(call.func, ast.Attribute):
        params = params[1:]
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Name) and arg.id == socket and index < len(params):
            return params[index].arg
    for keyword in call.keywords:
        if keyword.arg and isinstance(keyword.value, ast.Name) and keyword.value.id == socket:
            return keyword.arg
    return None


def _accepts_in(function: FunctionNode, socket: str) -> list[AcceptSite]:
    sites = []
    for node in own_nodes(function):
        if not isinstance(node, ast.Call):
            continue
        message = accept_message(node)
        if message is not None:
            continue  # raw ASGI messages are found where the `send` callable is the handler's own
        if method_call(node, socket, {"accept"}):
            sites.append(AcceptSite(node, "subprotocol", argument(node, 0, "subprotocol"), has_double_star(node)))
    return sites


def reachable_accepts(module: WebSocketModule, handler: SocketHandler) -> list[ReachedAccept]:
    """The handler's own accept sites, then those of the helpers it hands the socket to."""
    found = [ReachedAccept(site, handler.function, handler.socket) for site in handler.accepts]
    if handler.framework not in ("starlette", "channels"):
        return found
    seen = {id(r.site.call) for r in found}
    functions = module.sockets.functions
    methods = _class_methods(module, handler.function)
    stack = [(handler.function, handler.socket, (), 0)]
    visited = {(id(handler.function), handler.socket)}
    while stack:
        function, socket, via, depth = stack.pop()
        if depth >= MAX_DEPTH:
            continue
        for node in own_nodes(function):
            if not isinstance(node, ast.Call):
                continue
            callee = _callee(node, functions, methods)
            if callee is None:
                continue
            if socket == "self" and isinstance(node.func, ast.Attribute) and node.func.value.id == "self":
                inner = "self"  # a consumer's own method: the socket is `self` there too
            else:
                inner = _receiving_parameter(node, callee, socket)
            if inner is None or (id(callee), inner) in visited:
                continue
            visited.add((id(callee), inner))
            path = (*via, callee.name)
            for site in _accepts_in(callee, inner):
                if id(site.call) not in seen:
                    seen.add(id(site.call))
                    found.append(ReachedAccept(site, callee, inner, path))
            stack.append((callee, inner, path, depth + 1))
    return found
