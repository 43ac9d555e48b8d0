"""INF501 websocket-subprotocol-not-selected: the client offers subprotocols and the server accepts
without selecting one, so browsers abort the handshake (close code 1006). Fix: select the one name
the clients offer (unsafe)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable

from ...finding import Edit, Finding
from ...fix_data import SetKeywords
from ...fixes.edits import FixNotApplicable, edits_between
from .joins import clients_reaching, clients_reaching_name, first_plain_name
from .raw_http import RawHandshake, mentions_handshake
from .module import WebSocketRule, websocket_module
from .dispatch import reachable_accepts
from .tornado_handlers import mentions_tornado, tornado_misses
from .offer_readers import describe_reader, offer_read_elsewhere
from .response_headers import header_protocol
from .sockets import SocketHandler, accept_message
from .handshake import CONSEQUENCE, node_at, accept_spelling, describe_read, selection_keyword_source

if TYPE_CHECKING:
    from ...context import FileContext


class WebsocketSubprotocolNotSelected(WebSocketRule):
    """INF501: a handler reads the offered subprotocols but accepts without selecting one."""

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
                yield self.report(ctx, reached.site.call, message, self.selection_fix(reached.site.call, handler, name) if plain else None)
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
            node = node_at(ctx.source.tree, raw.line)
            if node is not None:
                yield self.report(ctx, node, (
                    f"the hand-written `101 Switching Protocols` response has no `Sec-WebSocket-Protocol` line, but the "
                    f"client offers subprotocols: {offer}; {CONSEQUENCE} — echo the one offered name the server speaks"
                ))

    def tornado(self, ctx: "FileContext") -> Iterable[Finding]:
        if ctx.project is None or not mentions_tornado(ctx.source.text):
            return
        for miss in tornado_misses(ctx.project, ctx.display_path):
            node = node_at(ctx.source.tree, miss.line)
            if node is not None:
                ctx.project.note(*miss.used)
                yield self.report(ctx, node, miss.message)

    def selection_fix(self, call: ast.Call, handler: SocketHandler, name: str | None):
        if name is None:
            return None
        keyword, value = selection_keyword_source(handler, name)
        return self.make_fix(f"Select `{name}` with `{keyword}={value}`", SetKeywords(call.lineno, call.col_offset, ((keyword, value),)), unsafe=True)

    def resolve_fix(self, finding: Finding, ctx: "FileContext") -> list[Edit] | None:
        from ...fixes.cst import set_keyword  # LibCST only when a fix is wanted

        selection: SetKeywords = finding.fix.data
        text = ctx.source.text
        ((keyword, value),) = selection.keywords
        try:
            fixed = set_keyword(text, selection.line, selection.col, keyword, value)
        except FixNotApplicable:
            return None
        return edits_between(text, fixed)
