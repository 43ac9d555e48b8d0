"""What INF501 and INF502 share about the subprotocol a handshake selects: how an accept is spelled
and how a selection is written, what a handler does with the offer. The joins with the clients of
the repository (which names they offer, to which path) are in `joins`."""

from __future__ import annotations

import ast
import json

from .module import WebSocketModule
from .sockets import AcceptSite, SocketHandler, accept_message


def one_plain_name(module: WebSocketModule, reach) -> bool:
    offered = reach.client.protocols
    return offered is not None and len(offered) == 1 and "{}" not in offered[0] and not module.token.search(offered[0])


def node_at(tree: ast.Module, line: int) -> ast.AST | None:
    """The first statement or expression starting on `line` (a class, a `return None`, an `else None`)."""
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == line and isinstance(node, (ast.stmt, ast.expr)):
            return node
    return None


def _is_super_on_connect(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "on_connect" and isinstance(call.func.value, ast.Call)


CONSEQUENCE = "a browser that offered subprotocols aborts a handshake whose response selects none (close code 1006), so the connection fails before the first message"


def accept_spelling(handler: SocketHandler, site: AcceptSite) -> str:
    if accept_message(site.call) is not None:
        return 'the `{"type": "websocket.accept"}` message without a `"subprotocol"`'
    if _is_super_on_connect(site.call):
        return "`super().on_connect()` (Starlette's default: `accept()` without `subprotocol=`)"
    if handler.framework == "aiohttp":
        return "`WebSocketResponse()` without `protocols=`"
    if handler.framework == "websockets":
        return "`serve()` without `subprotocols=`/`select_subprotocol=`"
    return f"`{handler.socket}.accept()` without `subprotocol=`"


def selection_keyword_source(handler: SocketHandler, name: str) -> tuple[str, str]:
    """The keyword and value that select `name` in this framework's accept call."""
    if handler.framework == "aiohttp":
        return "protocols", f"({json.dumps(name)},)"
    if handler.framework == "websockets":
        return "subprotocols", f"[{json.dumps(name)}]"
    return "subprotocol", json.dumps(name)


def describe_read(module: WebSocketModule, node: ast.AST) -> str:
    text = module.source.segment(node) or "the offered subprotocols"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"`{text}` (line {node.lineno})"
