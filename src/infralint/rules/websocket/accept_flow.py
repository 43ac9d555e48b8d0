"""INF503: the handshake state of a socket along the paths of its handler.

The state of one handler is a scope-family `Flow` whose "names" are facts about the socket:
`pending` (the handshake has not been answered: an entry handler starts so), `accepted@LINE` and
`closed@LINE`. `Flow.bound` holds the facts true on every path, and the scope family's `join`
intersects them where paths meet — so a finding is only made when the fact holds on every path
that reaches the call (definite paths only). Handing the socket to another function, or sending a
message whose type is not visible, forgets `pending`: that function may have accepted.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from ..scope.flow import Flow, join
from .module import WebSocketRule, websocket_module
from .sockets import SocketHandler, literal_str

STARLETTE_USES = frozenset({
    "send", "send_text", "send_bytes", "send_json", "receive", "receive_text", "receive_bytes", "receive_json",
    "iter_text", "iter_bytes", "iter_json",
})
CHANNELS_USES = frozenset({"send", "send_json"})
CLOSES = frozenset({"close", "send_denial_response"})
PENDING = "pending"
_WHY = ("path",)
_LOOP_PASSES = 3


@dataclass(frozen=True)
class Problem:
    kind: str  # before-accept | accept-twice | after-close
    call: ast.Call
    method: str
    earlier: int | None  # the line of the first accept / of the close, when one line holds on every path


def _fact_line(flow: Flow, prefix: str) -> int | None:
    lines = [int(name.split("@", 1)[1]) for name in flow.bound if name.startswith(prefix + "@")]
    return min(lines) if lines else None


class _Loop:
    __slots__ = ("breaks", "continues")

    def __init__(self) -> None:
        self.breaks: list[Flow] = []
        self.continues: list[Flow] = []


class AcceptFlow:
    """Walks one handler's statements in execution order, tracking the socket's handshake facts."""

    def __init__(self, handler: SocketHandler) -> None:
        self.handler = handler
        self.socket = handler.socket
        self.uses = CHANNELS_USES if handler.framework == "channels" else STARLETTE_USES
        self.problems: dict[tuple[int, int], Problem] = {}
        self.reporting = True
        self.loops: list[_Loop] = []

    def run(self) -> list[Problem]:
        start = Flow(bound={PENDING} if self.handler.entry else set())
        self._block(self.handler.function.body, start)
        return sorted(self.problems.values(), key=lambda p: (p.call.lineno, p.call.col_offset))

    # -- statements -----------------------------------------------------------------------------

    def _block(self, body: list[ast.stmt], flow: Flow | None) -> Flow | None:
        for stmt in body:
            if flow is None:
                return None
            flow = self._stmt(stmt, flow)
        return flow

    def _stmt(self, stmt: ast.stmt, flow: Flow) -> Flow | None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return flow  # other code: it runs when called, not here
        if isinstance(stmt, ast.If):
            self._expr(stmt.test, flow)
            body = self._block(stmt.body, flow.copy())
            orelse = self._block(stmt.orelse, flow.copy())
            return join([(body, _WHY), (orelse, _WHY)])
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            return self._loop(stmt, flow)
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            return self._try(stmt, flow)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self._expr(item.context_expr, flow)
            return self._block(stmt.body, flow)
        if isinstance(stmt, ast.Match):
            self._expr(stmt.subject, flow)
            ends = [(self._block(case.body, flow.copy()), _WHY) for case in stmt.cases]
            return join([*ends, (flow, _WHY)])
        if isinstance(stmt, (ast.Return, ast.Raise)):
            for child in ast.iter_child_nodes(stmt):
                self._expr(child, flow)
            return None
        if isinstance(stmt, ast.Break):
            if self.loops:
                self.loops[-1].breaks.append(flow)
            return None
        if isinstance(stmt, ast.Continue):
            if self.loops:
                self.loops[-1].continues.append(flow)
            return None
        self._expr(stmt, flow)
        return flow

    def _loop(self, stmt: ast.For | ast.AsyncFor | ast.While, flow: Flow) -> Flow | None:
        head_expr = stmt.test if isinstance(stmt, ast.While) else stmt.iter
        self._expr(head_expr, flow)
        endless = isinstance(stmt, ast.While) and isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        reporting = self.reporting
        head = flow.copy()
        loop = _Loop()
        for attempt in range(_LOOP_PASSES):  # iterate the loop head to its fixed point, then report
            loop = _Loop()
            self.loops.append(loop)
            self.reporting = False
            end = self._block(stmt.body, head.copy())
            self.loops.pop()
            new_head = join([(flow.copy(), _WHY), (end, _WHY), *((c, _WHY) for c in loop.continues)])
            if new_head is None or new_head.bound == head.bound:
                break
            head = new_head
        self.reporting = reporting
        loop = _Loop()
        self.loops.append(loop)
        end = self._block(stmt.body, head.copy())
        self.loops.pop()
        exits = [(b, _WHY) for b in loop.breaks]
        if not endless:  # the loop ends when its head finds nothing more; `else:` runs then
            exhausted = join([(head, _WHY), (end, _WHY), *((c, _WHY) for c in loop.continues)])
            exits.append((self._block(stmt.orelse, exhausted) if exhausted is not None else None, _WHY))
        return join(exits)

    def _try(self, stmt: ast.Try, flow: Flow) -> Flow | None:
        entry = flow.copy()
        body_end = self._block(stmt.body, flow)
        # an exception may leave the body anywhere: only what holds before and after it is certain
        raised = join([(entry.copy(), _WHY), (body_end.copy() if body_end else None, _WHY)])
        ends = [(self._block(stmt.orelse, body_end) if body_end else None, _WHY)]
        for handler in stmt.handlers:
            ends.append((self._block(handler.body, raised.copy() if raised else None), _WHY))
        normal = join(ends)
        if not stmt.finalbody:
            return normal
        everything = join([(normal.copy() if normal else None, _WHY), (raised, _WHY)])
        self._block(stmt.finalbody, everything)  # reported once, on every way in
        reporting, self.reporting = self.reporting, False
        after = self._block(stmt.finalbody, normal)
        self.reporting = reporting
        return after

    # -- expressions ----------------------------------------------------------------------------

    def _expr(self, node: ast.AST, flow: Flow) -> None:
        calls = [n for n in _own_nodes(node) if isinstance(n, ast.Call)]
        calls.sort(key=lambda c: (c.end_lineno or c.lineno, c.end_col_offset or 0))  # inner calls finish first
        for call in calls:
            self._call(call, flow)

    def _call(self, call: ast.Call, flow: Flow) -> None:
        func = call.func
        on_socket = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == self.socket
        if on_socket:
            method = func.attr
            if method == "send" and self.handler.framework == "starlette":
                method = _asgi_message_kind(call) or method
            if method == "accept":
                self._accept(call, flow)
            elif method in CLOSES:
                flow.bind(f"closed@{call.lineno}")
            elif method == "send?":  # a message whose type cannot be read: it may be the accept
                flow.unbind(PENDING, _WHY)
            elif method in self.uses:
                self._use(call, method, flow)
            else:  # a method this rule does not know (a project's own accept wrapper): it may accept
                flow.unbind(PENDING, _WHY)
            return
        if any(isinstance(arg, ast.Name) and arg.id == self.socket for arg in [*call.args, *(k.value for k in call.keywords)]):
            flow.unbind(PENDING, _WHY)  # the callee may accept (a manager's `connect(websocket)`)

    def _accept(self, call: ast.Call, flow: Flow) -> None:
        first = _fact_line(flow, "accepted")
        if first is not None and _fact_line(flow, "closed") is None:
            self._problem(Problem("accept-twice", call, "accept", first))
        flow.unbind(PENDING, _WHY)
        flow.bind(f"accepted@{call.lineno}")

    def _use(self, call: ast.Call, method: str, flow: Flow) -> None:
        if PENDING in flow.bound and method != "receive":  # raw `receive()` first yields `websocket.connect`
            self._problem(Problem("before-accept", call, method, None))
        elif (closed := _fact_line(flow, "closed")) is not None:
            self._problem(Problem("after-close", call, method, closed))

    def _problem(self, problem: Problem) -> None:
        if self.reporting:
            self.problems.setdefault((problem.call.lineno, problem.call.col_offset), problem)


def _asgi_message_kind(call: ast.Call) -> str | None:
    """`websocket.send({"type": "websocket.accept"})` is an accept; an unreadable message is `send?`."""
    message = call.args[0] if call.args else None
    if not isinstance(message, ast.Dict):
        return "send?"
    for key, value in zip(message.keys, message.values):
        if literal_str(key) == "type":
            kind = literal_str(value)
            if kind == "websocket.accept":
                return "accept"
            if kind == "websocket.close" or (kind or "").startswith("websocket.http.response"):
                return "close"
            return "send" if kind else "send?"
    return "send?"


def _own_nodes(node: ast.AST) -> Iterable[ast.AST]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(current))


def handshake_problems(handler: SocketHandler) -> list[Problem]:
    if handler.framework not in ("starlette", "channels"):
        return []
    return AcceptFlow(handler).run()


# -- the rule --------------------------------------------------------------------------------------

_RAISES = {
    "starlette": "Starlette raises RuntimeError",
    "channels": "the server refuses it (the socket has not been accepted) and closes the connection",
}


class UsedBeforeAccept(WebSocketRule):
    code = "INF503"

    def finish(self, ctx):
        module = websocket_module(ctx)
        for handler in module.handlers:
            for problem in handshake_problems(handler):
                yield self.report(ctx, problem.call, self.message(handler, problem))

    @staticmethod
    def message(handler: SocketHandler, problem: Problem) -> str:
        socket = handler.socket
        call = f"`{socket}.{problem.method}()`"
        if problem.kind == "before-accept":
            return (
                f"{call} runs before `{socket}.accept()` on every path to it: the handshake is still pending, "
                f"so {_RAISES[handler.framework]} and the client sees the connection fail — accept first"
            )
        if problem.kind == "accept-twice":
            return (
                f"`{socket}.accept()` is reached again after the accept at line {problem.earlier}: a second accept "
                f"is not a valid message once the connection is open, so {_RAISES[handler.framework].split(' and ')[0]}"
            )
        return (
            f"{call} runs after `{socket}.close()` (line {problem.earlier}) on every path to it: the connection is closed, "
            "so the call raises instead of reaching the client"
        )
