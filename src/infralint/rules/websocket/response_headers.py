"""`Sec-WebSocket-Protocol` written as a raw response header instead of selected through the framework.

Three spellings reach the 101 response without the framework's selection: the ASGI accept message's
`"headers"` (`send({"type": "websocket.accept", "headers": [(b"sec-websocket-protocol", v)]})`),
Starlette's `accept(headers=[...])`, and the `accept(subprotocol=(None, headers))` tuple that Daphne
passes through. Header lists are read as literals or as a local list grown with `.append((k, v))`,
header mappings as dict literals (also through a local).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .offers import HEADER
from .sockets import AcceptSite, FunctionNode, accept_message, dict_value, own_nodes


@dataclass(frozen=True)
class HeaderProtocol:
    """The value a handler writes as the `Sec-WebSocket-Protocol` response header, and where."""

    value: ast.expr
    node: ast.AST  # the header entry (for messages)
    spelling: str  # how it is sent: `"headers"` of the accept message, `headers=`, the subprotocol tuple


def _key(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
        return value.lower()
    return None


def _local_value(function: FunctionNode, name: str) -> list[ast.AST]:
    """What a local is built from: its assigned value(s) and the items appended/set on it."""
    found: list[ast.AST] = []
    for node in own_nodes(function):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found.append(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == name:
            if node.func.attr in ("append", "extend") and node.args:
                found.append(node.args[0] if node.func.attr == "append" else node.args[0])
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if isinstance(target.value, ast.Name) and target.value.id == name:
                found.append(ast.Dict(keys=[target.slice], values=[node.value]))
    return found


def _entries(node: ast.AST | None, function: FunctionNode, depth: int = 0) -> list[tuple[ast.AST, ast.expr]]:
    """(header entry, value) of every `Sec-WebSocket-Protocol` entry in a header list or mapping."""
    if node is None or depth > 3:
        return []
    if isinstance(node, ast.Name):
        return [e for part in _local_value(function, node.id) for e in _entries(part, function, depth + 1)]
    if isinstance(node, ast.Dict):
        return [(k, v) for k, v in zip(node.keys, node.values) if _key(k) == HEADER]
    if isinstance(node, (ast.List, ast.Tuple)):
        if len(node.elts) == 2 and _key(node.elts[0]) == HEADER:
            return [(node, node.elts[1])]
        return [e for element in node.elts for e in _entries(element, function, depth + 1)]
    return []


def header_protocol(site: AcceptSite, function: FunctionNode) -> HeaderProtocol | None:
    """The `Sec-WebSocket-Protocol` this accept writes as a raw header, if it writes one."""
    call = site.call
    message = accept_message(call)
    if message is not None:
        headers, spelling = dict_value(message, "headers"), 'the accept message\'s `"headers"`'
    else:
        headers = next((kw.value for kw in call.keywords if kw.arg == "headers"), None)
        spelling = "`headers=`"
        selected = site.selected
        if headers is None and isinstance(selected, ast.Tuple) and len(selected.elts) == 2:
            headers, spelling = selected.elts[1], "the `(subprotocol, headers)` tuple"
    for entry, value in _entries(headers, function):
        return HeaderProtocol(value, entry, spelling)
    return None
