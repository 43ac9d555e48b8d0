"""Hand-written `101 Switching Protocols` responses: a server that completes the handshake itself.

A function that builds the response text (`"HTTP/1.1 101 Switching Protocols\\r\\n" ...`) and writes
it to a socket is a WebSocket server of its own. Whether the response carries
`Sec-WebSocket-Protocol:` is read from the function's string literals; what it carries (the raw
offer from `environ["HTTP_SEC_WEBSOCKET_PROTOCOL"]`, a literal) from the f-string or concatenation
that writes the line.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterable

from ...project import Fact, PythonFile, fact_kind, python_extractor
from .sockets import own_nodes

_STATUS = re.compile(r"101\s+switching\s+protocols", re.IGNORECASE)
_PROTOCOL_LINE = re.compile(r"sec-websocket-protocol\s*:", re.IGNORECASE)
_OFFER_KEYS = re.compile(r"^(http_sec_websocket_protocol|sec-websocket-protocol)$", re.IGNORECASE)
_WRITERS = frozenset({"sendall", "send", "write", "writelines"})


@fact_kind("websocket-raw-handshake")
@dataclass
class RawHandshake(Fact):
    """A function writing its own 101 response; `line` is where the response is sent."""

    name: str = ""
    #: the response has a `Sec-WebSocket-Protocol:` line
    selects: bool = False
    #: the function reads the offered protocols (`HTTP_SEC_WEBSOCKET_PROTOCOL`)
    reads_offer: bool = False
    #: what the protocol line carries: raw (the whole offer), literal, other ("" when no line)
    value_kind: str = ""
    value: str = ""


def mentions_handshake(text: str) -> bool:
    return "101" in text and _STATUS.search(text) is not None


def _strings(node: ast.AST) -> Iterable[ast.Constant]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, (str, bytes)):
            yield child


def _text(node: ast.Constant) -> str:
    return node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value


def _offer_locals(function: ast.AST) -> set[str]:
    """Locals assigned from a read of the offered protocols (`environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL")`)."""
    found: set[str] = set()
    for node in own_nodes(function):
        if isinstance(node, ast.Assign) and any(_OFFER_KEYS.match(_text(s)) for s in _strings(node.value)):
            found.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return found


def _protocol_value(function: ast.AST, offer: set[str]) -> tuple[str, str]:
    """The kind and text of what the `Sec-WebSocket-Protocol:` line is built with."""
    for node in own_nodes(function):
        if isinstance(node, ast.JoinedStr):
            values = node.values
            for index, part in enumerate(values):
                if isinstance(part, ast.Constant) and _PROTOCOL_LINE.search(str(part.value)):
                    rest = str(part.value)[_PROTOCOL_LINE.search(str(part.value)).end():]
                    if rest.strip(" \r\n"):
                        return "literal", rest.strip(" \r\n")
                    following = values[index + 1] if index + 1 < len(values) else None
                    if isinstance(following, ast.FormattedValue):
                        inner = following.value
                        if isinstance(inner, ast.Name) and inner.id in offer:
                            return "raw", inner.id
                        return "other", ""
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            match = _PROTOCOL_LINE.search(_text(node))
            if match and _text(node)[match.end():].strip(" \r\n"):
                return "literal", _text(node)[match.end():].strip(" \r\n")
    return "other", ""


def _send_site(function: ast.AST, response_names: set[str]) -> int | None:
    for node in own_nodes(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _WRITERS:
            if any(isinstance(n, ast.Name) and n.id in response_names for a in node.args for n in ast.walk(a)):
                return node.lineno
    return None


def _handshakes(file: PythonFile) -> Iterable[RawHandshake]:
    parents = file.source.parents
    for function in file.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
        statuses = [s for s in own_nodes(function) if isinstance(s, ast.Constant) and isinstance(s.value, (str, bytes)) and _STATUS.search(_text(s))]
        if not statuses:
            continue
        strings = [s for s in own_nodes(function) if isinstance(s, ast.Constant) and isinstance(s.value, (str, bytes))]
        selects = any(_PROTOCOL_LINE.search(_text(s)) for s in strings)
        offer = _offer_locals(function)
        reads = bool(offer) or any(_OFFER_KEYS.match(_text(s)) for s in strings)
        names = {t.id for n in own_nodes(function) if isinstance(n, (ast.Assign, ast.AugAssign))
                 for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)
                 and any(s in statuses for s in _strings(n.value))}
        line = _send_site(function, names) or statuses[0].lineno
        kind, value = _protocol_value(function, offer) if selects else ("", "")
        owner = parents.get(function)
        qualname = f"{file.module}.{owner.name}.{function.name}" if isinstance(owner, ast.ClassDef) else f"{file.module}.{function.name}"
        yield RawHandshake(file.path, line, qualname, selects, reads, kind, value)


@python_extractor
def raw_handshake_facts(file: PythonFile) -> Iterable[Fact]:
    if not mentions_handshake(file.source.text):
        return []
    return list(_handshakes(file))
