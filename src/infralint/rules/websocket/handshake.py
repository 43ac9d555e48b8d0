"""INF501 and INF502: the subprotocol the server selects (or fails to select) in the handshake.

Within one file: a handler that reads the offer but accepts without selecting (INF501), and a
selection that echoes the raw header or a token-carrying entry (INF502). The joins with the
clients of the repository (which names they offer, to which path) are in `joins`.
"""

from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING, Iterable

from ...finding import Edit, Finding
from ...fixes.edits import FixNotApplicable, edits_between
from .joins import clients_reaching, first_plain_name
from .module import WebSocketModule, WebSocketRule, websocket_module
from .sockets import AcceptSite, SocketHandler

if TYPE_CHECKING:
    from ...context import FileContext

CONSEQUENCE = "a browser that offered subprotocols aborts a handshake whose response selects none (close code 1006), so the connection fails before the first message"


def accept_spelling(handler: SocketHandler, site: AcceptSite) -> str:
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


class SubprotocolNotSelected(WebSocketRule):
    code = "INF501"
    uses_project = True

    def finish(self, ctx: "FileContext") -> Iterable[Finding]:
        module = websocket_module(ctx)
        for handler in module.handlers:
            use = module.offer_use(handler)
            sites = [s for s in handler.accepts if s.selects_nothing and not (use.offered and module.only_without_offer(s, use))]
            if not sites:
                continue
            names = module.known_names(handler)
            reaches = [r for r in clients_reaching(ctx, handler, names) if r.client.protocols]
            if use.offered:
                offer = f"the handler reads {describe_read(module, use.reads[0])}"
            elif reaches:
                offer = reaches[0].describe()
            else:
                continue
            name = first_plain_name(reaches) or (names[0] if len(names) == 1 else None)
            for site in sites:
                message = f"{accept_spelling(handler, site)}, but the client offers subprotocols: {offer}; {CONSEQUENCE}"
                yield self.report(ctx, site.call, message, self.selection_fix(handler, name))

    def selection_fix(self, handler: SocketHandler, name: str | None):
        if name is None:
            return None
        keyword, value = selection_keyword_source(handler, name)
        return self.make_fix(f"Select `{name}` with `{keyword}={value}`", unsafe=True, keyword=keyword, value=value)

    def resolve_fix(self, finding: Finding, ctx: "FileContext") -> list[Edit] | None:
        from ...fixes.cst import set_keyword  # LibCST only when a fix is wanted

        data = finding.fix.data
        text = ctx.source.text
        try:
            fixed = set_keyword(text, finding.line, finding.col, data["keyword"], data["value"])
        except FixNotApplicable:
            return None
        return edits_between(text, fixed)


class SubprotocolMismatch(WebSocketRule):
    code = "INF502"
    uses_project = True

    def finish(self, ctx: "FileContext") -> Iterable[Finding]:
        module = websocket_module(ctx)
        for handler in module.handlers:
            for site in handler.accepts:
                selection = module.selection(handler, site)
                if selection.kind == "raw-header":
                    yield self.report(ctx, site.call, (
                        f"`{site.keyword}=` echoes the raw `Sec-WebSocket-Protocol` header: it is the whole "
                        "comma-separated offer, never one entry, so a client that offered several names gets back "
                        "a value it did not offer and aborts the handshake (close code 1006) — select one entry"
                    ))
                elif selection.kind == "token":
                    yield self.report(ctx, site.call, (
                        f"`{site.keyword}=` echoes the token-carrying entry `{selection.value}…`: the token goes back to "
                        "the client in the response header and into proxy and access logs — select the plain protocol "
                        "name the client also offers"
                    ))
                elif selection.kind == "literal":
                    message = self.literal_mismatch(ctx, module, handler, selection.value)
                    if message:
                        yield self.report(ctx, site.call, message)

    def literal_mismatch(self, ctx: "FileContext", module: WebSocketModule, handler: SocketHandler, name: str) -> str | None:
        known = [*module.known_names(handler), name]
        for reach in clients_reaching(ctx, handler, known):
            offered = reach.client.protocols or []
            if name in offered or "{}" in offered:
                continue
            return (
                f"the server selects `{name}` here, but {reach.describe()}: a response that selects a name the client did "
                "not offer fails the handshake (close code 1006) — the two sides must agree on the name"
            )
        return None
