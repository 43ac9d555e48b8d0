"""The offer read outside the handler: helpers in other modules, FastAPI header parameters, middleware.

Facts for the project model, per Python file:

- `websocket-offer-reader`: a function that reads the offered subprotocols through one of its
  parameters (`def token_from(websocket)` reading `websocket.headers["sec-websocket-protocol"]`, an
  identity provider reading `handler.request.headers.get("Sec-WebSocket-Protocol")` of a Tornado
  handler, an ASGI middleware reading `scope["subprotocols"]` or its raw headers), with the literal
  prefixes it tests the entries with (`"jwt."`).
- `websocket-handoff`: a handler that gives its socket to a function of another module (a call with the
  socket as an argument, or a FastAPI `Depends(fn)` parameter, which FastAPI calls with the socket).

`offer_read_elsewhere` joins them: the handler's hand-offs resolved through the project to readers;
for Channels consumers, an ASGI middleware of the project that reads the offer of every connection
it wraps.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from ...project import Fact, PythonFile, fact_kind, module_name, python_extractor
from .facts import handler_qualname
from .module import mentions_websockets, shared_module
from .facts import DEFAULT_TOKEN_PATTERN
from .offers import OfferAnalysis, module_string_constants
from .sockets import FunctionNode, SocketHandler, import_map, own_nodes

if TYPE_CHECKING:
    from ...context import FileContext

_MENTIONS_OFFER = re.compile(r"sec[-_]websocket[-_]protocol|subprotocols", re.IGNORECASE)
_OFFER_HEADER = re.compile(r"sec[-_]websocket[-_]protocol")  # in lowered text


@fact_kind("websocket-offer-reader")
@dataclass
class OfferReader(Fact):
    """A function reading the offer through a parameter (`name` is `pkg.mod.func` / `pkg.mod.Class.meth`)."""

    name: str = ""
    params: list = field(default_factory=list)
    read: str = ""
    #: literal prefixes the entries are tested with, constants resolved (`"v1.token.x."`)
    prefixes: list = field(default_factory=list)
    #: reads a Tornado handler's request headers (`handler.request.headers`)
    tornado: bool = False
    #: an ASGI callable (`scope, receive, send`): middleware reading the offer of what it wraps
    middleware: bool = False

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@fact_kind("websocket-handoff")
@dataclass
class SocketHandoff(Fact):
    """The handler `name` gives its socket to `target` (qualified) at `line`."""

    name: str = ""
    target: str = ""


def mentions_offer(text: str, lowered: "Callable[[], str] | None" = None) -> bool:
    """`lowered`: gives the text in lower case (a whole module's is kept by its source)."""
    # plain substring tests first: most files name neither, and a case-blind search costs more
    if "rotocol" not in text and "ROTOCOL" not in text:
        return False
    if "\u017f" in text:  # a long s: the case-blind search takes it for `s`, `lower()` keeps it
        return _MENTIONS_OFFER.search(text) is not None
    # the same answer from the lowered text, where plain tests do (`protocol` is in most modules)
    lower = text.lower() if lowered is None else lowered()
    return "subprotocols" in lower or ("websocket" in lower and _OFFER_HEADER.search(lower) is not None)


def _function_text(lines: list[str], function: ast.AST) -> str:
    return "\n".join(lines[function.lineno - 1:(function.end_lineno or function.lineno)])


def _prefix_literal(node: ast.AST, constants: dict[str, str]) -> str | None:
    """`"jwt."`, `TOKEN + "."`, `f"{TOKEN}."` with module constants resolved."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _prefix_literal(node.left, constants), _prefix_literal(node.right, constants)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            part = value.value if isinstance(value, ast.Constant) else _prefix_literal(value.value, constants)
            if part is None:
                return None
            parts.append(str(part))
        return "".join(parts)
    return None


def _prefixes(function: FunctionNode, names: set[str], constants: dict[str, str]) -> list[str]:
    found: list[str] = []
    for node in own_nodes(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith":
            if isinstance(node.func.value, ast.Name) and node.func.value.id in names and node.args:
                text = _prefix_literal(node.args[0], constants)
                if text and text not in found:
                    found.append(text)
    return found


def _functions(tree: ast.Module) -> Iterable[tuple[str | None, FunctionNode]]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield None, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield node.name, item


def _readers(file: PythonFile) -> Iterable[OfferReader]:
    source = file.source
    lines = source.text.splitlines()
    constants = module_string_constants(source.tree)
    module_functions = {n.name: n for n in source.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    analysis = OfferAnalysis(module_functions)
    tornado = import_map(source).imports_module("tornado")
    for cls, function in _functions(source.tree):
        if not mentions_offer(_function_text(lines, function)):
            continue
        params = [p.arg for p in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]
        asgi = params[-3:] == ["scope", "receive", "send"] or params[:3] == ["scope", "receive", "send"]
        for param in params:
            if param == "cls" or (param == "self" and cls is None):
                continue
            use = analysis.of_function(function, (param,))
            if not use.reads:
                continue
            read = use.reads[0]
            via_request = any(isinstance(n, ast.Attribute) and n.attr == "request" for n in ast.walk(read))
            name = f"{file.module}.{cls}.{function.name}" if cls else f"{file.module}.{function.name}"
            text = source.segment(read) or ""
            yield OfferReader(
                file.path, read.lineno, name, [param], text[:80], _prefixes(function, use.names, constants),
                tornado=tornado and via_request, middleware=asgi and param == "scope",
            )
            break


def _handoffs(file: PythonFile, handlers: list[SocketHandler]) -> Iterable[SocketHandoff]:
    names = file.names
    for handler in handlers:
        qualname = handler_qualname(file.module, handler)
        local = {handler.socket}
        for node in own_nodes(handler.function):
            if isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id in local for a in [*node.args, *(k.value for k in node.keywords)]):
                target = names.qualified(node.func)
                if target:
                    yield SocketHandoff(file.path, node.lineno, qualname, target)
        for default in [*handler.function.args.defaults, *handler.function.args.kw_defaults]:
            if isinstance(default, ast.Call) and (names.library_name(default.func) or "").rsplit(".", 1)[-1] in ("Depends", "Security") and default.args:
                target = names.qualified(default.args[0])
                if target:
                    yield SocketHandoff(file.path, default.lineno, qualname, target)


@python_extractor
def offer_reader_facts(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    found: list[Fact] = []
    if mentions_offer(text, lambda: file.source.lowered):
        found.extend(_readers(file))
    if mentions_websockets(text):
        module = shared_module(file.source, (), (), DEFAULT_TOKEN_PATTERN)
        found.extend(_handoffs(file, module.handlers))
    return found


# -- joins ----------------------------------------------------------------------------------------


def offer_read_elsewhere(ctx: "FileContext", handler: SocketHandler) -> OfferReader | None:
    """A reader of this handler's offer in another function or module, joined through the project."""
    project = ctx.project
    if project is None:
        return None
    qualname = handler_qualname(module_name(ctx.display_path), handler)
    for fact in project.named(qualname):
        if isinstance(fact, SocketHandoff):
            reader = project.first(OfferReader, fact.target)
            if reader is not None and not reader.middleware:
                return reader
    if handler.framework == "channels":
        here = project.repository_of(ctx.display_path)
        readers = [r for r in project.facts(OfferReader) if r.middleware and project.repository_of(r.file) == here]
        if readers:
            project.note(readers[0])
            return readers[0]
    return None


def describe_reader(reader: OfferReader, handler: SocketHandler) -> str:
    if reader.middleware:
        return (
            f"the ASGI middleware `{reader.name.rsplit('.', 1)[-1]}` reads `{reader.read}` ({reader.where}) of the "
            "connections it wraps (joined: it is the project's middleware that reads the offer)"
        )
    return f"`{reader.name.rsplit('.', 1)[-1]}`, given the socket, reads `{reader.read}` ({reader.where})"
