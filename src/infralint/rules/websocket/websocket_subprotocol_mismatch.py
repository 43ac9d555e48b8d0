"""INF502 websocket-subprotocol-mismatch: the subprotocol the server selects is not one the client
offered (or is the raw header, or an entry carrying a token)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable

from ...finding import Finding
from .joins import clients_reaching, clients_reaching_name
from .raw_http import RawHandshake, mentions_handshake
from .module import WebSocketModule, WebSocketRule, websocket_module
from .offer_readers import offer_read_elsewhere
from .offers import Selection
from .response_headers import HeaderProtocol, header_protocol
from .sockets import AcceptSite, SocketHandler
from .handshake import node_at, one_plain_name

if TYPE_CHECKING:
    from ...context import FileContext


class WebsocketSubprotocolMismatch(WebSocketRule):
    """INF502: the handshake selects a subprotocol the client did not offer, or echoes a token."""

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
                if reaches and all(one_plain_name(module, r) for r in reaches):
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
            node = node_at(ctx.source.tree, raw.line)
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
        return bool(reaches) and all(one_plain_name(module, r) for r in reaches)

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
