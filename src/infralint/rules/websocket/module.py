"""The WebSocket view of one module, built once per file and shared by INF501–INF504."""

from __future__ import annotations

import ast
import re
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from ...source import SourceFile
from ..base import Rule
from .offers import OfferAnalysis, OfferUse, Selection, classify_selection, module_string_constants, module_string_lists
from .sockets import AcceptSite, ModuleSockets, SocketHandler

if TYPE_CHECKING:
    from ...context import FileContext

GROUP = "websocket"
#: how a rejected or missing offer reads in a test: `if not offered`, `if offered is None`, `if len(offered) == 0`
_EMPTY_OPS = (ast.Is, ast.Eq)


class WebSocketModule:
    def __init__(self, source: SourceFile, accept_calls: tuple[str, ...], serve_calls: tuple[str, ...], token_pattern: str) -> None:
        self.source = source
        self.sockets = ModuleSockets(source, accept_calls, serve_calls)
        self.token = re.compile(token_pattern)

    @cached_property
    def constants(self) -> dict[str, str]:
        return module_string_constants(self.source.tree)

    @cached_property
    def offers(self) -> OfferAnalysis:
        return OfferAnalysis(self.sockets.functions, module_string_lists(self.source.tree))

    @property
    def handlers(self) -> list[SocketHandler]:
        return self.sockets.handlers

    def offer_use(self, handler: SocketHandler) -> OfferUse:
        return self.offers.of_handler(handler)

    def selection(self, handler: SocketHandler, site: AcceptSite) -> Selection:
        if site.opaque:
            return Selection("dynamic")
        return self.classify(handler, site.selected)

    def classify(self, handler: SocketHandler, value: ast.expr | None) -> Selection:
        """What a selected (or header) value is: none, literal, constant, raw-header, token, dynamic."""
        holders = {handler.socket, *handler.readers}
        found = classify_selection(value, self.offer_use(handler), holders, self.constants, self.token)
        if found.kind == "dynamic" and self._module_constant(value, holders):
            return Selection("constant", self.source.segment(value) or "")
        return found

    @cached_property
    def module_bindings(self) -> set[str]:
        """Names bound at module level: imports (relative ones too), classes, assignments."""
        found: set[str] = set()
        for node in self.source.tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ClassDef):
                found.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    found.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        return found

    def _module_constant(self, value: ast.expr | None, holders: set[str]) -> bool:
        """`Protocol.name`, `settings.WS_PROTOCOL`, an imported `PROTOCOL`: fixed when the module loads."""
        node = value
        while isinstance(node, ast.Attribute):
            node = node.value
        if not isinstance(node, ast.Name) or node.id in holders or node.id in ("self", "cls"):
            return False
        return node.id in self.module_bindings and node.id not in self.sockets.functions

    def known_names(self, handler: SocketHandler) -> list[str]:
        """The protocol names the handler compares the offer with (a bare token prefix like `jwt.` left out)."""
        return [name for name in self.offer_use(handler).compared if not self.is_token_prefix(name)]

    def is_token_prefix(self, text: str) -> bool:
        match = self.token.search(text)
        return match is not None and match.end() == len(text)

    def only_without_offer(self, site: AcceptSite, use: OfferUse) -> bool:
        """The accept runs only when nothing was offered (`if not protocols: await ws.accept()`)."""
        parents = self.source.parents
        child: ast.AST = site.call
        node = parents.get(child)
        while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if isinstance(node, ast.If):
                in_body = any(child is s for s in node.body)
                if _tests_empty(node.test, use) if in_body else (not in_body and _tests_present(node.test, use)):
                    return True
            child, node = node, parents.get(node)
        return False


def _offer_expr(node: ast.AST, use: OfferUse) -> bool:
    return any(n in use.reads for n in ast.walk(node)) or any(isinstance(n, ast.Name) and n.id in use.names for n in ast.walk(node))


def _tests_empty(test: ast.expr, use: OfferUse) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _offer_expr(test.operand, use)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], _EMPTY_OPS):
        right = test.comparators[0]
        empty = isinstance(right, ast.Constant) and right.value in (None, "", 0) or isinstance(right, (ast.List, ast.Tuple)) and not right.elts
        return empty and _offer_expr(test.left, use)
    return False


def _tests_present(test: ast.expr, use: OfferUse) -> bool:
    return isinstance(test, (ast.Name, ast.Subscript, ast.Call, ast.Attribute)) and _offer_expr(test, use)


_CACHE_ATTRIBUTE = "_websocket_modules"


def shared_module(source: SourceFile, accept_calls: tuple[str, ...], serve_calls: tuple[str, ...], token_pattern: str) -> WebSocketModule:
    """One analysis per file and options, shared by the fact extractor and the rules. It hangs on the
    `SourceFile` it describes, so it lives exactly as long as the parsed file."""
    per_options = source.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    key = (accept_calls, serve_calls, token_pattern)
    if key not in per_options:
        per_options[key] = WebSocketModule(source, accept_calls, serve_calls, token_pattern)
    return per_options[key]


def websocket_module(ctx: "FileContext") -> WebSocketModule:
    """The analysis of this file under the run's `[tool.infralint.websocket]` options."""
    config = ctx.config
    return shared_module(
        ctx.source,
        tuple(config.option(GROUP, "extra-accept-calls")),
        tuple(config.option(GROUP, "extra-serve-calls")),
        config.option(GROUP, "token-protocol-pattern"),
    )


@lru_cache(maxsize=8)
def mentions_websockets(text: str) -> bool:
    """Cheap pre-filter: a module that never names a WebSocket API has no handler (asked by every
    rule of the family for every file: remembered for the last few texts)."""
    return "ebSocket" in text or "ebsocket" in text or "websockets" in text


class WebSocketRule(Rule):
    """A rule of the family: it looks only at modules that name a WebSocket API."""

    def applies_to(self, ctx: FileContext) -> bool:
        return mentions_websockets(ctx.source.text)
