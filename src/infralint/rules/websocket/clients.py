"""Python WebSocket clients and what they offer: `websockets.connect(uri, subprotocols=[...])`,
aiohttp `session.ws_connect(url, protocols=(...))`, Starlette `TestClient.websocket_connect(url,
subprotocols=[...])`. URLs and entries resolve through literals, f-strings, concatenation and
module constants; unknown parts read `{}` as in the browser reader.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...source import SourceFile
from .offers import module_string_constants, module_string_lists
from .sockets import argument, import_map

UNKNOWN = "{}"
#: method name → the keyword that carries the offer
CLIENT_METHODS = {"ws_connect": "protocols", "websocket_connect": "subprotocols"}
_CALLS = frozenset({ast.Call})


@dataclass(frozen=True)
class PythonClient:
    call: ast.Call
    api: str
    url: str | None
    protocols: tuple[str, ...] | None


class _Values:
    def __init__(self, tree: ast.Module) -> None:
        self.strings = module_string_constants(tree)
        self.lists = module_string_lists(tree)

    def string(self, node: ast.AST | None) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.strings:
            return self.strings[node.id]
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else self.string(v.value) for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.string(node.left) + self.string(node.right)
        return UNKNOWN

    def entries(self, node: ast.AST | None) -> tuple[str, ...] | None:
        if node is None:
            return ()
        if isinstance(node, ast.Name) and node.id in self.lists:
            return tuple(self.lists[node.id])
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return None
            return tuple(self.string(e) for e in node.elts)
        return None


def mentions_clients(text: str) -> bool:
    return "ws_connect" in text or "websocket_connect" in text or "websockets" in text


def python_clients(source: SourceFile, calls: list[ast.Call] | None = None) -> list[PythonClient]:
    """The clients of one file; `calls` are its calls when another reader already listed them."""
    if not mentions_clients(source.text):
        return []
    imports = import_map(source)
    values = _Values(source.tree)
    found = []
    for node in calls if calls is not None else source.nodes_of(_CALLS):
        keyword = None
        api = ""
        if isinstance(node.func, ast.Attribute) and node.func.attr in CLIENT_METHODS:
            keyword, api = CLIENT_METHODS[node.func.attr], node.func.attr
        else:
            qualified = imports.qualified_name(node.func) or ""
            if qualified.startswith("websockets.") and qualified.rsplit(".", 1)[-1] in ("connect", "unix_connect"):
                keyword, api = "subprotocols", "websockets.connect"
        if keyword is None:
            continue
        url = values.string(argument(node, 0, "uri" if api == "websockets.connect" else "url"))
        protocols = values.entries(argument(node, 99, keyword))
        found.append(PythonClient(node, api, None if url.strip(UNKNOWN) == "" else url, protocols))
    found.sort(key=lambda c: (c.call.lineno, c.call.col_offset))
    return found
