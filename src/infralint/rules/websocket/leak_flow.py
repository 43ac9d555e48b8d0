"""INF504's path analysis: can a function leave while its socket is still registered?

One state per program point: `True` when the socket may be registered on some path that reaches it,
`False` when every path removed it (or never registered it), `None` where no path arrives. The walk
follows normal paths and exceptions: every `await` may raise, and what it may raise is modelled as
two kinds — `disconnect` (a receive, a send, or a call handed the socket) and `other` (anything
else; a receive on the socket raises only the disconnect). A handler catching `WebSocketDisconnect`
stops only the first kind; `except Exception:`, `except BaseException:` and a bare `except:` stop
both; `finally:` runs on every way out. A way out of the function while the state is `True` is a
leak: an exception escaping, a `return`, or the end of the body.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

from ...analysis.handlers import caught_names

DISCONNECT = "disconnect"
OTHER = "other"
#: what else a receive or send on the socket may raise (a RuntimeError on a closed socket): it enters
#: `except Exception:` handlers, but is not reported when nothing catches it
RARE = "rare"
BROAD = frozenset({"Exception", "BaseException"})
DISCONNECT_NAMES = frozenset({
    "WebSocketDisconnect", "ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError", "ClientDisconnected",
    "WebSocketClosedError", "StreamClosedError", "StopConsumer", "CancelledError",
})
_RECEIVES = frozenset({"receive", "receive_text", "receive_bytes", "receive_json", "recv"})
_LOOP_PASSES = 3


@dataclass
class Leak:
    kind: str  # escape | return | end
    node: ast.AST  # the await an exception escapes from, the return, or the last statement
    exception: str = ""  # for an escape: disconnect | other


@dataclass
class _At:
    """A position with no node of its own (the end of a function)."""

    lineno: int
    col_offset: int


@dataclass
class _Exit:
    kind: str  # raise | return
    node: ast.AST
    state: bool
    exception: str = ""


class LeakFlow:
    def __init__(
        self,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        socket: str,
        registers: Callable[[ast.AST], bool],
        removes: Callable[[ast.AST], bool],
    ) -> None:
        self.function = function
        self.socket = socket
        self.registers = registers
        self.removes = removes
        self.collectors: list[list[_Exit]] = []
        self.loops: list[tuple[list[bool | None], list[bool | None]]] = []
        self.handling: list[frozenset[str]] = []
        self.leaks: list[Leak] = []
        self.recording = True

    def run(self) -> list[Leak]:
        end = self._block(self.function.body, False)
        if end and self.function.body:
            last = self.function.body[-1]
            self._leak(Leak("end", _At(last.end_lineno or last.lineno, 0)))
        return self.leaks

    def _leak(self, leak: Leak) -> None:
        if self.recording and not any(existing.node is leak.node for existing in self.leaks):
            self.leaks.append(leak)

    def _exit(self, exit: _Exit) -> None:
        if self.collectors:
            self.collectors[-1].append(exit)
        elif exit.state and exit.exception != RARE:
            self._leak(Leak("escape" if exit.kind == "raise" else "return", exit.node, exit.exception))

    # -- statements ---------------------------------------------------------------------------

    def _block(self, body: list[ast.stmt], state: bool | None) -> bool | None:
        for stmt in body:
            if state is None:
                return None
            state = self._stmt(stmt, state)
        return state

    def _stmt(self, stmt: ast.stmt, state: bool) -> bool | None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return state
        if isinstance(stmt, ast.If):
            state = self._expr(stmt.test, state)
            body = self._block(stmt.body, state)
            if body is False and not stmt.orelse and _membership(stmt.test):
                return False  # `if ws in clients: clients.remove(ws)`: not there, nothing to remove
            return _join(body, self._block(stmt.orelse, state))
        if isinstance(stmt, ast.Match):
            state = self._expr(stmt.subject, state)
            result: bool | None = state
            for case in stmt.cases:
                result = _join(result, self._block(case.body, state))
            return result
        if isinstance(stmt, (ast.While, ast.For, ast.AsyncFor)):
            return self._loop(stmt, state)
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            return self._try(stmt, state)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                state = self._expr(item.context_expr, state)
            if isinstance(stmt, ast.AsyncWith):
                self._exit(_Exit("raise", stmt, state, OTHER))
            return self._block(stmt.body, state)
        if isinstance(stmt, ast.Return):
            if stmt.value is not None:
                state = self._expr(stmt.value, state)
            self._exit(_Exit("return", stmt, state))
            return None
        if isinstance(stmt, ast.Raise):
            if stmt.exc is not None:
                state = self._expr(stmt.exc, state)
            kinds = self.handling[-1] if self.handling and (stmt.exc is None or isinstance(stmt.exc, ast.Name)) else frozenset({OTHER})
            for kind in sorted(kinds):
                self._exit(_Exit("raise", stmt, state, kind))
            return None
        if isinstance(stmt, ast.Break):
            if self.loops:
                self.loops[-1][0].append(state)
            return None
        if isinstance(stmt, ast.Continue):
            if self.loops:
                self.loops[-1][1].append(state)
            return None
        if isinstance(stmt, ast.Delete):
            return False if self.removes(stmt) else state
        if isinstance(stmt, ast.Assign) and self.registers(stmt):
            return True
        return self._expr(stmt, state)

    def _loop(self, stmt: ast.While | ast.For | ast.AsyncFor, state: bool) -> bool | None:
        head_expr = stmt.test if isinstance(stmt, ast.While) else stmt.iter
        state = self._expr(head_expr, state)
        endless = isinstance(stmt, ast.While) and isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        recording = self.recording
        head: bool | None = state
        for _ in range(_LOOP_PASSES):
            self.recording = False
            self.loops.append(([], []))
            self.collectors.append([])
            end = self._block(stmt.body, head)
            self.collectors.pop()
            _, continues = self.loops.pop()
            new_head = _join(head, end, *continues)
            if new_head == head:
                break
            head = new_head
        self.recording = recording
        self.loops.append(([], []))
        if isinstance(stmt, ast.AsyncFor):
            kind = self._iteration(stmt.iter)
            if kind:
                self._exit(_Exit("raise", stmt, bool(head), kind))
        end = self._block(stmt.body, head)
        breaks, continues = self.loops.pop()
        exits = list(breaks)
        if not endless:
            exhausted = _join(head, end, *continues)
            if exhausted is not None:
                exits.append(self._block(stmt.orelse, exhausted))
        return _join(*exits) if exits else None

    def _try(self, stmt: ast.Try, state: bool) -> bool | None:
        self.collectors.append([])
        body_end = self._block(stmt.body, state)
        raised = self.collectors.pop()
        after: list[_Exit] = [e for e in raised if e.kind == "return"]
        entries: list[bool | None] = [None] * len(stmt.handlers)
        kinds: list[set[str]] = [set() for _ in stmt.handlers]
        catches = [_catches(h) for h in stmt.handlers]
        for exit in raised:
            if exit.kind != "raise":
                continue
            for index, caught in enumerate(catches):
                if exit.exception in caught:
                    entries[index] = _join(entries[index], exit.state)
                    kinds[index].add(exit.exception)
                    break
            else:
                after.append(exit)
        self.collectors.append(after)
        ends: list[bool | None] = [self._block(stmt.orelse, body_end) if body_end is not None else None]
        for handler, entry, handled in zip(stmt.handlers, entries, kinds):
            if entry is None:
                continue
            self.handling.append(frozenset(handled))
            ends.append(self._block(handler.body, entry))
            self.handling.pop()
        self.collectors.pop()
        normal = _join(*ends)
        if not stmt.finalbody:
            for exit in after:
                self._exit(exit)
            return normal
        everything = _join(normal, *(e.state for e in after))
        if everything is not None:
            self._block(stmt.finalbody, everything)  # its own awaits, once
        recording, self.recording = self.recording, False
        self.collectors.append([])
        through = {value: self._block(stmt.finalbody, value) for value in (True, False)}
        self.collectors.pop()
        self.recording = recording
        for exit in after:
            out = through[exit.state]
            if out is not None:
                self._exit(_Exit(exit.kind, exit.node, out, exit.exception))
        return through[normal] if normal is not None else None

    # -- expressions --------------------------------------------------------------------------

    def _expr(self, node: ast.AST, state: bool) -> bool:
        for child in _in_order(node):
            if isinstance(child, ast.Await):
                value = child.value
                if isinstance(value, ast.Call) and self.removes(value):
                    continue  # a removal that is awaited: it happens
                self._raises(child, value, state)
            elif isinstance(child, ast.Call):
                if self.registers(child):
                    state = True
                elif self.removes(child):
                    state = False
        return state

    def _iteration(self, iterable: ast.expr) -> str | None:
        """What an `async for` head raises: nothing for `websocket.iter_*()` (it ends quietly on the
        disconnect), the disconnect for the socket itself, anything for other iterables."""
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
            receiver = iterable.func.value
            if isinstance(receiver, ast.Name) and receiver.id == self.socket:
                return None if iterable.func.attr.startswith("iter") else DISCONNECT
        if isinstance(iterable, ast.Name) and iterable.id == self.socket:
            return DISCONNECT
        return OTHER

    def _raises(self, node: ast.Await, value: ast.expr, state: bool) -> None:
        kinds = {OTHER}
        if isinstance(value, ast.Call):
            func = value.func
            on_socket = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == self.socket
            if on_socket:  # a receive or send on the socket: the disconnect (Starlette turns a send's OSError into it)
                kinds = {DISCONNECT, RARE}
            elif any(isinstance(a, ast.Name) and a.id == self.socket for a in [*value.args, *(k.value for k in value.keywords)]):
                kinds = {DISCONNECT, OTHER}
        for kind in sorted(kinds):
            self._exit(_Exit("raise", node, state, kind))


def _membership(test: ast.expr) -> bool:
    """`x in registry`, `registry.get(key)`, `key in registry and ...`."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_membership(v) for v in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        return True
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Call):
        test = test.left
    return isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "get"


def _catches(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {DISCONNECT, OTHER, RARE}
    names = set(caught_names(handler))
    if names & BROAD:
        return {DISCONNECT, OTHER, RARE}
    if names & DISCONNECT_NAMES:
        return {DISCONNECT}
    return set()


def _join(*states: bool | None) -> bool | None:
    live = [s for s in states if s is not None]
    if not live:
        return None
    return any(live)


def _in_order(node: ast.AST):
    """The expression's nodes, outer before inner (an await before the call it awaits), in source
    order; nested functions and lambdas are skipped."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(current))))
