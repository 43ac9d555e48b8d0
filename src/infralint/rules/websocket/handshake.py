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
from .joins import clients_reaching, clients_reaching_name, first_plain_name
from .raw_http import RawHandshake, mentions_handshake
from .module import WebSocketModule, WebSocketRule, websocket_module
from .dispatch import reachable_accepts
from .tornado_handlers import mentions_tornado, tornado_misses
from .offer_readers import describe_reader, offer_read_elsewhere
from .offers import Selection
from .response_headers import HeaderProtocol, header_protocol
from .sockets import AcceptSite, SocketHandler, accept_message


def _one_plain_name(module: WebSocketModule, reach) -> bool:
    offered = reach.client.protocols
    return offered is not None and len(offered) == 1 and "{}" not in offered[0] and not module.token.search(offered[0])


def _node_at(tree: ast.Module, line: int) -> ast.AST | None:
    """The first statement or expression starting on `line` (a class, a `return None`, an `else None`)."""
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == line and isinstance(node, (ast.stmt, ast.expr)):
            return node
    return None


def _is_super_on_connect(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "on_connect" and isinstance(call.func.value, ast.Call)

if TYPE_CHECKING:
    from ...context import FileContext

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


class SubprotocolNotSelected(WebSocketRule):
    code = "INF501"
    uses_project = True

    def finish(self, ctx: "FileContext") -> Iterable[Finding]:
        module = websocket_module(ctx)
        reported: set[int] = set()
        for handler in module.handlers:
            use = module.offer_use(handler)
            sites = [
                r for r in reachable_accepts(module, handler)
                if r.site.selects_nothing and id(r.site.call) not in reported
                and header_protocol(r.site, r.function) is None
                and not (use.offered and r.function is handler.function and module.only_without_offer(r.site, use))
            ]
            if not sites:
                continue
            names = module.known_names(handler)
            reader = None if use.offered else offer_read_elsewhere(ctx, handler)
            reaches = [r for r in clients_reaching(ctx, handler, names) if r.client.protocols]
            if use.offered:
                offer = f"the handler reads {describe_read(module, use.reads[0])}"
            elif reader is not None:
                offer = describe_reader(reader, handler)
            elif reaches:
                offer = reaches[0].describe()
            else:
                continue
            name = first_plain_name(reaches) or (names[0] if len(names) == 1 else None)
            for reached in sites:
                reported.add(id(reached.site.call))
                through = f" (reached through `{'` → `'.join(reached.via)}`)" if reached.via else ""
                spelling = accept_spelling(handler, reached.site).replace(f"`{handler.socket}.", f"`{reached.socket}.")
                message = f"{spelling}{through}, but the client offers subprotocols: {offer}; {CONSEQUENCE}"
                plain = isinstance(reached.site.call.func, ast.Attribute) and reached.site.call.func.attr != "on_connect" and accept_message(reached.site.call) is None
                yield self.report(ctx, reached.site.call, message, self.selection_fix(handler, name) if plain else None)
        yield from self.tornado(ctx)
        yield from self.raw_handshakes(ctx)

    def raw_handshakes(self, ctx: "FileContext") -> Iterable[Finding]:
        """Hand-written 101 responses without a `Sec-WebSocket-Protocol` line."""
        if ctx.project is None or not mentions_handshake(ctx.source.text):
            return
        for raw in ctx.project.facts(RawHandshake):
            if raw.file != ctx.display_path or raw.selects:
                continue
            if raw.reads_offer:
                offer = "the function reads the offered protocols"
            else:
                reaches = [r for r in clients_reaching_name(ctx, raw.name, []) if r.client.protocols]
                if not reaches:
                    continue
                offer = reaches[0].describe()
            node = _node_at(ctx.source.tree, raw.line)
            if node is not None:
                yield self.report(ctx, node, (
                    f"the hand-written `101 Switching Protocols` response has no `Sec-WebSocket-Protocol` line, but the "
                    f"client offers subprotocols: {offer}; {CONSEQUENCE} — echo the one offered name the server speaks"
                ))

    def tornado(self, ctx: "FileContext") -> Iterable[Finding]:
        if ctx.project is None or not mentions_tornado(ctx.source.text):
            return
        for miss in tornado_misses(ctx.project, ctx.display_path):
            node = _node_at(ctx.source.tree, miss.line)
            if node is not None:
                ctx.project.note(*miss.used)
                yield self.report(ctx, node, miss.message)

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
        seen: set[int] = set()
        for handler in module.handlers:
            for site in handler.accepts:
                if id(site.call) in seen:  # an endpoint class's method is also a function with a socket
                    continue
                seen.add(id(site.call))
                header = header_protocol(site, handler.function)
                if header is not None:
                    message = self.header_message(ctx, module, handler, header)
                    if message:
                        yield self.report(ctx, site.call, message)
                    continue
                selection = module.selection(handler, site)
                message = self.selection_message(ctx, module, handler, site, selection)
                if message:
                    yield self.report(ctx, site.call, message)
        yield from self.raw_handshakes(ctx)

    def raw_handshakes(self, ctx: "FileContext") -> Iterable[Finding]:
        """Hand-written 101 responses that echo the whole offer or always send one literal."""
        if ctx.project is None or not mentions_handshake(ctx.source.text):
            return
        module = websocket_module(ctx)
        for raw in ctx.project.facts(RawHandshake):
            if raw.file != ctx.display_path or raw.value_kind not in ("raw", "literal"):
                continue
            reaches = clients_reaching_name(ctx, raw.name, [])
            if raw.value_kind == "raw":
                if reaches and all(_one_plain_name(module, r) for r in reaches):
                    continue
                message = (
                    "the hand-written 101 response echoes the whole `Sec-WebSocket-Protocol` request header: a client "
                    "that offered several names (or a token entry) gets back a value it did not offer and aborts the "
                    "handshake (close code 1006), and a credential in the offer is echoed — write one offered name"
                )
            else:
                if raw.reads_offer or all(raw.value in (r.client.protocols or ()) for r in reaches) and reaches:
                    continue
                message = (
                    f"the hand-written 101 response always sends `Sec-WebSocket-Protocol: {raw.value}` whatever the client "
                    "offered: a client that offers no subprotocol or a different one aborts the handshake (close code 1006)"
                )
            node = _node_at(ctx.source.tree, raw.line)
            if node is not None:
                yield self.report(ctx, node, message)

    def selection_message(self, ctx: "FileContext", module: WebSocketModule, handler: SocketHandler, site: AcceptSite, selection: Selection) -> str | None:
        if selection.kind == "raw-header":
            if self.every_client_offers_one_name(ctx, module, handler):
                return None
            return (
                f"`{site.keyword}=` echoes the raw `Sec-WebSocket-Protocol` header: it is the whole "
                "comma-separated offer, never one entry, so a client that offered several names gets back "
                "a value it did not offer and aborts the handshake (close code 1006) — select one entry"
            )
        if selection.kind == "token":
            return (
                f"`{site.keyword}=` echoes the token-carrying entry `{selection.value}…`: the token goes back to "
                "the client in the response header and into proxy and access logs — select the plain protocol "
                "name the client also offers"
            )
        if selection.kind in ("literal", "constant"):
            if selection.kind == "literal":
                message = self.literal_mismatch(ctx, module, handler, selection.value)
                if message:
                    return message
            if not module.offer_use(handler).offered and offer_read_elsewhere(ctx, handler) is None:
                shown = f'"{selection.value}"' if selection.kind == "literal" else selection.value
                return (
                    f"`{site.keyword}={shown}` is selected without looking at the offer (the handler never reads "
                    "the offered subprotocols): a client that offers no subprotocol or a different one gets a "
                    "name it did not offer and aborts the handshake (close code 1006) — select it only when "
                    "the client offered it"
                )
        return None

    def header_message(self, ctx: "FileContext", module: WebSocketModule, handler: SocketHandler, header: HeaderProtocol) -> str | None:
        value = header.value
        if isinstance(value, ast.Constant) and isinstance(value.value, bytes):
            selection = Selection("literal", value.value.decode("latin-1"))
        else:
            selection = module.classify(handler, value)
        text = module.source.segment(header.value) or "the value"
        if len(text) > 50:
            text = text[:47] + "..."
        where = f"`Sec-WebSocket-Protocol` is written as a raw response header through {header.spelling}"
        if selection.kind == "raw-header":
            if self.every_client_offers_one_name(ctx, module, handler):
                return None
            return (
                f"{where}, set to `{text}`, the whole offered header: every entry the client offered goes back "
                "(a credential passed in the offer is echoed in every 101 response and into proxy logs), and a "
                "client that offered several names gets a value it did not offer and aborts the handshake "
                "(close code 1006) — select one plain entry with `subprotocol=`"
            )
        if selection.kind == "token":
            return (
                f"{where}, set to the token-carrying entry `{selection.value}…`: the token goes back in every "
                "101 response and into proxy and access logs — select the plain protocol name the client also offers"
            )
        if selection.kind in ("literal", "constant"):
            shown = selection.value if selection.kind == "literal" else text
            return (
                f"{where}, always `{shown}` whatever the client offered: a client that offers no subprotocol or "
                "a different one gets a name it did not offer and aborts the handshake (close code 1006) — "
                "select an offered entry with `subprotocol=`"
            )
        return None

    @staticmethod
    def every_client_offers_one_name(ctx: "FileContext", module: WebSocketModule, handler: SocketHandler) -> bool:
        """Echoing the whole offer is a valid selection when each client that reaches the handler
        offers exactly one plain name (never a token-carrying entry)."""
        reaches = clients_reaching(ctx, handler, module.known_names(handler))
        return bool(reaches) and all(_one_plain_name(module, r) for r in reaches)

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
