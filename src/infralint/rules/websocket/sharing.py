"""What storing a socket in shared state, and removing it again, looks like (INF504 and its facts)."""

from __future__ import annotations

import ast

from .sockets import own_nodes

REGISTERS = frozenset({"connect", "add", "register", "append", "add_connection", "join", "subscribe", "attach", "add_client", "add_socket"})
REMOVES = frozenset({
    "disconnect", "remove", "discard", "unregister", "remove_connection", "leave", "unsubscribe", "detach", "pop",
    "remove_client", "remove_socket",
})


def root_of(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def passes(call: ast.Call, socket: str) -> bool:
    return any(isinstance(a, ast.Name) and a.id == socket for a in [*call.args, *(k.value for k in call.keywords)])


def method_touches(function: ast.AST, socket: str, wanted: frozenset[str]) -> bool:
    """Whether the method stores (or removes) its socket parameter in `self` state or a shared structure."""
    storing = wanted is REGISTERS
    for node in own_nodes(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in wanted:
            if passes(node, socket) or (not storing and isinstance(root_of(node.func.value), ast.Name)):
                return True
        if storing and isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == socket:
            if any(isinstance(t, ast.Subscript) for t in node.targets):
                return True
        if not storing and isinstance(node, ast.Delete):
            return True
    return False
