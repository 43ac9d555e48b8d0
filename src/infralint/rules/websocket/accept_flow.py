"""INF503: the handshake state of a socket along the paths of its handler.

The state of one handler is a `Flow` (`analysis.flow`, the machine the scope family tracks names
with) whose "names" are facts about the socket: `pending` (the handshake has not been answered: an
entry handler starts so), `accepted@LINE` and `closed@LINE`. `Flow.bound` holds the facts true on
every path, and `join` intersects them where paths meet — so a finding is only made when the fact holds on every path
that reaches the call (definite paths only). Handing the socket to another function, or sending a
message whose type is not visible, forgets `pending`: that function may have accepted — unless the
function is known (`callees`): then its accept, or its send before any accept, counts here.

Some facts are reported when they hold on *some* path (`Flow.maybe`): a `close()` whose branch
falls through (no `return`) to an accept or a send; a FastAPI dependency that closes the socket
and returns None (`dep:PARAM`, dropped on the branch that tests the dependency's value); a task
that can close the socket, started before the accept (`task-close@LINE`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ...analysis.flow import Flow, join
from .sockets import SocketHandler, last_name, literal_str

if TYPE_CHECKING:  # `callees.Callee`/`Callees` (that module builds on this one): only their fields are read here
    Callee = Callees = object

STARLETTE_USES = frozenset({
    "send", "send_text", "send_bytes", "send_json", "receive", "receive_text", "receive_bytes", "receive_json",
    "iter_text", "iter_bytes", "iter_json",
})
CHANNELS_USES = frozenset({"send", "send_json"})
CLOSES = frozenset({"close", "send_denial_response"})
SENDS = frozenset({"send", "send_text", "send_bytes", "send_json", "accept"})
TASK_STARTS = frozenset({"create_task", "ensure_future", "start_soon", "spawn", "run_coroutine_threadsafe"})
PENDING = "pending"
_WHY = ("path",)
_LOOP_PASSES = 3


@dataclass(frozen=True)
class Problem:
    kind: str  # before-accept | accept-twice | after-close | maybe-after-close | after-dependency | task-race
    call: ast.Call
    method: str
    earlier: int | None  # the line of the first accept / of the close, when one line holds on every path
    callee: Callee | None = None  # the function the socket was handed to, when it accepts or sends
    detail: str = ""  # the dependency's parameter and function name
    handed: bool = False  # the socket was handed to `method(...)` rather than called on


def _fact_line(flow: Flow, prefix: str) -> int | None:
    lines = [int(name.split("@", 1)[1]) for name in flow.bound if name.startswith(prefix + "@")]
    return min(lines) if lines else None


def _maybe_line(flow: Flow, prefix: str) -> int | None:
    """The line of a fact that holds on some path only."""
    lines = [int(name.split("@", 1)[1]) for name in flow.maybe if name.startswith(prefix + "@")]
    return min(lines) if lines else None


class _Loop:
    __slots__ = ("breaks", "continues")

    def __init__(self) -> None:
        self.breaks: list[Flow] = []
        self.continues: list[Flow] = []


class AcceptFlow:
    """Walks one handler's statements in execution order, tracking the socket's handshake facts."""

    def __init__(self, handler: SocketHandler, resolver: Callees | None = None) -> None:
        self.handler = handler
        self.socket = handler.socket
        self.uses = CHANNELS_USES if handler.framework == "channels" else STARLETTE_USES
        self.problems: dict[tuple[int, int], Problem] = {}
        self.reporting = True
        self.loops: list[_Loop] = []
        self.resolver = resolver
        #: dependency parameter -> (its function's name, the callee) for dependencies that close and return None
        self.dependencies: dict[str, tuple[str, Callee]] = {}
        #: (flow, returned value) at every way out of the function
        self.exits: list[tuple[Flow, ast.expr | None]] = []
        self.task_callees: dict[int, Callee] = {}

    def run(self) -> list[Problem]:
        start = Flow(bound={PENDING} if self.handler.entry else set())
        if self.handler.entry and self.resolver is not None and self.handler.framework == "starlette":
            for param, (name, callee) in self._closing_dependencies().items():
                self.dependencies[param] = (name, callee)
                start.maybe[f"dep:{param}"] = ("dependency", self.handler.function)
        end = self._block(self.handler.function.body, start)
        if end is not None:
            self.exits.append((end, None))
        problems = sorted(self.problems.values(), key=lambda p: (p.call.lineno, p.call.col_offset))
        seen: set[str] = set()
        kept = []
        for problem in problems:  # a closed dependency, a close that falls through: their first use says it
            key = problem.detail if problem.kind == "after-dependency" else f"close@{problem.earlier}" if problem.kind == "maybe-after-close" else None
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            kept.append(problem)
        return kept

    def _closing_dependencies(self) -> dict[str, tuple[str, Callee]]:
        """Parameters filled by a dependency (`Depends(fn)`) that can close the socket and return None."""
        function = self.handler.function
        args = function.args
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]
        found = {}
        for param, default in pairs:
            for marker in (default, *_annotated_markers(param.annotation)):
                dependency = _depends_target(marker)
                if dependency is None:
                    continue
                callee = self.resolver.of_reference(dependency)
                if callee is not None and callee.use.returns_after_close:
                    found[param.arg] = (ast.unparse(dependency), callee)
        return found

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
            body_in, orelse_in = flow.copy(), flow.copy()
            if self.dependencies:
                for param, truthy in _tests(stmt.test):
                    if param in self.dependencies:
                        (body_in if truthy else orelse_in).maybe.pop(f"dep:{param}", None)
            body = self._block(stmt.body, body_in)
            orelse = self._block(stmt.orelse, orelse_in)
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
            if isinstance(stmt, ast.Return):
                self.exits.append((flow, stmt.value))
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
        if raised is not None:  # an exception in the body most likely came before a close at its end
            for name in [n for n in raised.maybe if n.startswith("closed@") and n not in entry.bound and n not in entry.maybe]:
                del raised.maybe[name]
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
        spawned: set[int] = set()
        for call in calls:
            if last_name(call.func) in TASK_STARTS:
                spawned.update(id(a) for a in call.args if isinstance(a, ast.Call))
        for call in calls:
            if id(call) in spawned:
                continue
            if last_name(call.func) in TASK_STARTS:
                self._task(call, flow)
            else:
                self._call(call, flow)

    def _task(self, call: ast.Call, flow: Flow) -> None:
        """`create_task(watch(websocket))`, `start_soon(watch, websocket)`: the task runs beside the handler."""
        inner = next((a for a in call.args if isinstance(a, ast.Call)), None)
        if inner is None and call.args:  # `start_soon(fn, websocket)`
            inner = ast.Call(func=call.args[0], args=list(call.args[1:]), keywords=[])
        if inner is None or not self._passes_socket(inner):
            return
        callee = self.resolver.of_call(inner, self.socket, self.handler.function) if self.resolver else None
        if callee is not None and callee.use.closes and not callee.use.accepts and PENDING in flow.bound:
            flow.bind(f"task-close@{call.lineno}")
            self.task_callees[call.lineno] = callee
        elif callee is None or callee.use.accepts:
            flow.unbind(PENDING, _WHY)

    def _passes_socket(self, call: ast.Call) -> bool:
        return any(isinstance(arg, ast.Name) and arg.id == self.socket for arg in [*call.args, *(k.value for k in call.keywords)])

    def _dependency_closed(self, flow: Flow) -> str | None:
        for name in flow.maybe:
            if name.startswith("dep:"):
                return name[4:]
        return None

    def _call(self, call: ast.Call, flow: Flow) -> None:
        func = call.func
        on_socket = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == self.socket
        if self.dependencies and (on_socket or self._passes_socket(call)):
            param = self._dependency_closed(flow)
            if param is not None and not (on_socket and func.attr in CLOSES):
                method = func.attr if on_socket else ast.unparse(func)
                callee = None if on_socket or self.resolver is None else self.resolver.of_call(call, self.socket, self.handler.function)
                if callee is not None and not (callee.use.accepts or callee.use.sends_first):
                    callee = None
                self._problem(Problem("after-dependency", call, method, None, callee, param, handed=not on_socket))
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
        if self._passes_socket(call):
            self._handed(call, flow)

    def _handed(self, call: ast.Call, flow: Flow) -> None:
        """The socket is handed to another function: what it is known to do counts here."""
        callee = self.resolver.of_call(call, self.socket, self.handler.function) if self.resolver else None
        name = last_name(call.func) or ""
        if callee is None:
            if "accept" in name.lower():  # `accept_connection(websocket)`: an accept by its name
                self._accept(call, flow, None, twice=False)
            else:
                flow.unbind(PENDING, _WHY)  # the callee may accept (a manager's `connect(websocket)`)
            return
        use = callee.use
        if use.sends_first is not None and not use.accepts:
            self._use(call, name, flow, callee)
        elif use.accepts is not None:
            self._accept(call, flow, callee)
        elif use.sends_first is not None:
            self._use(call, name, flow, callee)
        # a callee that neither accepts nor sends leaves the handshake as it was

    def _accept(self, call: ast.Call, flow: Flow, callee: Callee | None = None, twice: bool = True) -> None:
        first = _fact_line(flow, "accepted")
        closed = _fact_line(flow, "closed")
        handed = not (callee is None and twice)
        method = ast.unparse(call.func) if handed else "accept"
        if first is not None and closed is None and twice:
            self._problem(Problem("accept-twice", call, method, first, callee, handed=handed))
        elif closed is None and (maybe := _maybe_line(flow, "closed")) is not None:
            self._problem(Problem("maybe-after-close", call, method, maybe, callee, handed=handed))
        elif closed is not None:
            self._problem(Problem("after-close", call, method, closed, callee, handed=handed))
        task = _fact_line(flow, "task-close") or _maybe_line(flow, "task-close")
        if task is not None and PENDING in flow.bound:
            self._problem(Problem("task-race", call, method, task, self.task_callees.get(task)))
        flow.unbind(PENDING, _WHY)
        flow.bind(f"accepted@{call.lineno}")

    def _use(self, call: ast.Call, method: str, flow: Flow, callee: Callee | None = None) -> None:
        if callee is not None:
            method = ast.unparse(call.func)
        if PENDING in flow.bound and method != "receive":  # raw `receive()` first yields `websocket.connect`
            self._problem(Problem("before-accept", call, method, None, callee, handed=callee is not None))
        elif (closed := _fact_line(flow, "closed")) is not None:
            self._problem(Problem("after-close", call, method, closed, callee, handed=callee is not None))
        elif method in SENDS or (callee is not None and callee.use.sends_first):
            if (maybe := _maybe_line(flow, "closed")) is not None:
                self._problem(Problem("maybe-after-close", call, method, maybe, callee, handed=callee is not None))

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


def _tests(test: ast.expr) -> Iterable[tuple[str, bool]]:
    """(name, True) when the test holds only if `name` is truthy; (name, False) when only if falsy."""
    if isinstance(test, ast.Name):
        yield test.id, True
    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        for name, truthy in _tests(test.operand):
            yield name, not truthy
    elif isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            yield from ((n, t) for n, t in _tests(value) if t)
    elif isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        for value in test.values:
            yield from ((n, t) for n, t in _tests(value) if not t)
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name):
        right = test.comparators[0]
        if isinstance(right, ast.Constant) and right.value is None:
            if isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
                yield test.left.id, True
            elif isinstance(test.ops[0], (ast.Is, ast.Eq)):
                yield test.left.id, False


def _annotated_markers(annotation: ast.expr | None) -> list[ast.expr]:
    """The metadata of `Annotated[T, Depends(fn)]`."""
    if isinstance(annotation, ast.Subscript) and last_name(annotation.value) == "Annotated" and isinstance(annotation.slice, ast.Tuple):
        return list(annotation.slice.elts[1:])
    return []


def _depends_target(marker: ast.expr | None) -> ast.expr | None:
    if isinstance(marker, ast.Call) and last_name(marker.func) in ("Depends", "Security") and marker.args:
        target = marker.args[0]
        if isinstance(target, (ast.Name, ast.Attribute)):
            return target
    return None


def closed_exits(function: ast.FunctionDef | ast.AsyncFunctionDef, socket: str) -> int | None:
    """The line of a `close()` after which the function returns normally (instead of raising)."""
    flow = AcceptFlow(SocketHandler(function, "starlette", socket, False))
    flow.reporting = False
    flow.run()
    for state, _ in flow.exits:  # whatever it returns, the caller goes on
        line = _fact_line(state, "closed") or _maybe_line(state, "closed")
        if line is not None:
            return line
    return None


def handshake_problems(handler: SocketHandler, resolver: Callees | None = None) -> list[Problem]:
    if handler.framework not in ("starlette", "channels"):
        return []
    return AcceptFlow(handler, resolver).run()
