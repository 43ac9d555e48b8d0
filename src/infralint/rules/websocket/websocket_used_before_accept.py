"""INF503 websocket-used-before-accept: the rule over `accept_flow`, with callees resolved by `callees`."""

from __future__ import annotations

from .accept_flow import Problem, handshake_problems
from .callees import callees
from .module import WebSocketRule, websocket_module
from .sockets import SocketHandler

# -- the rule --------------------------------------------------------------------------------------

_RAISES = {
    "starlette": "Starlette raises RuntimeError",
    "channels": "the server refuses it (the socket has not been accepted) and closes the connection",
}


class WebsocketUsedBeforeAccept(WebSocketRule):
    """INF503: the socket is used (sent to, received from) before the handshake is accepted."""

    code = "INF503"
    uses_project = True

    def finish(self, ctx):
        module = websocket_module(ctx)
        if not module.handlers:
            return
        resolver = callees(ctx)
        for handler in module.handlers:
            for problem in handshake_problems(handler, resolver):
                yield self.report(ctx, problem.call, self.message(handler, problem))

    @staticmethod
    def message(handler: SocketHandler, problem: Problem) -> str:
        socket = handler.socket
        call = f"`{problem.method}({socket})`" if problem.handed else f"`{socket}.{problem.method}()`"
        callee = problem.callee
        if callee is not None and problem.kind != "task-race":
            does = "accepts" if callee.use.accepts else "sends"
            line = callee.use.accepts if callee.use.accepts else callee.use.sends_first
            call = f"{call} (`{callee.name}` {does} it, {callee.where.rsplit(':', 1)[0]}:{line})"
        if problem.kind == "after-dependency":
            name = problem.detail
            return (
                f"{call} runs even when the dependency filling `{name}` has "
                f"closed the socket: it closes it and returns None instead of raising, and nothing here tests `{name}` first, "
                f"so the endpoint goes on with a closed socket ({_RAISES[handler.framework].split(' and ')[0]}) — raise "
                f"`WebSocketException` in the dependency, or return when `{name}` is None"
            )
        if problem.kind == "maybe-after-close":
            return (
                f"{call} can run after `{socket}.close()` (line {problem.earlier}): that branch does not return, so the "
                f"handler falls through to a socket that is already closed and {_RAISES[handler.framework].split(' and ')[0]} — "
                "return after closing"
            )
        if problem.kind == "task-race":
            task = f" (`{callee.name}`, {callee.where})" if callee else ""
            return (
                f"`{socket}.accept()` races the task started at line {problem.earlier}{task}, which can close the socket: "
                f"if it closes first, the accept raises RuntimeError — start the task after the accept"
            )
        if problem.kind == "before-accept":
            return (
                f"{call} runs before `{socket}.accept()` on every path to it: the handshake is still pending, "
                f"so {_RAISES[handler.framework]} and the client sees the connection fail — accept first"
            )
        if problem.kind == "accept-twice":
            again = call if callee else f"`{socket}.accept()`"
            return (
                f"{again} is reached again after the accept at line {problem.earlier}: a second accept "
                f"is not a valid message once the connection is open, so {_RAISES[handler.framework].split(' and ')[0]}"
            )
        return (
            f"{call} runs after `{socket}.close()` (line {problem.earlier}) on every path to it: the connection is closed, "
            "so the call raises instead of reaching the client"
        )
