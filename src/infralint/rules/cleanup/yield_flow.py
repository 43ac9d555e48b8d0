"""Which statements of a generator can only run after it has yielded.

For a `@contextmanager` lifespan or a pytest `yield` fixture, the code that runs only once the
`yield` has handed control over is the teardown. A statement belongs to it when *every* path from
the function's entry to the statement passes a `yield`: an early `if testing: yield; return`
branch does not turn the startup code after it into teardown.

The analysis tracks, per statement, which of two facts can hold on entry — "not yielded yet" and
"has yielded" — through branches, loops (with `break`/`continue`), `try` (a handler or `finally`
can be entered from any point of the body), `return` and `raise`.
"""

from __future__ import annotations

import ast

NOT_YIELDED, YIELDED = 1, 2

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_TRY_TYPES = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)


def contains_yield(node: ast.AST) -> bool:
    """A `yield` in this statement's own expressions (not in nested functions or blocks)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, (*_SCOPES, ast.stmt, ast.excepthandler, ast.match_case)):
                stack.append(child)
    return False


def _yields_only(node: ast.stmt) -> bool:
    """`yield`, `yield conn`, `x = yield`: nothing in it can raise before control is handed over."""
    value = node.value if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign)) else None
    if not isinstance(value, ast.Yield):
        return False
    if isinstance(node, ast.Assign) and not all(isinstance(t, ast.Name) for t in node.targets):
        return False
    return value.value is None or isinstance(value.value, (ast.Name, ast.Constant, ast.Attribute))


class _Flow:
    def __init__(self) -> None:
        self.entry: dict[ast.stmt, int] = {}
        self.raising: list[int] = []  # per enclosing `try`: states an exception can leave with
        self.loops: list[list[int]] = []  # per enclosing loop: [break states, continue states]
        self.recording = True

    def block(self, statements: list[ast.stmt], state: int) -> int:
        for statement in statements:
            if self.recording:
                self.entry[statement] = self.entry.get(statement, 0) | state
            before = state
            state = self.statement(statement, state) if state else 0
            can_raise = state if _yields_only(statement) else before | state
            for index in range(len(self.raising)):
                self.raising[index] |= can_raise
        return state

    def statement(self, node: ast.stmt, state: int) -> int:
        if isinstance(node, _SCOPES):
            return state
        if isinstance(node, (ast.Return, ast.Raise)):
            return 0
        if isinstance(node, ast.Break):
            if self.loops:
                self.loops[-1][0] |= state
            return 0
        if isinstance(node, ast.Continue):
            if self.loops:
                self.loops[-1][1] |= state
            return 0
        if contains_yield(node):
            state = YIELDED
        if isinstance(node, ast.If):
            return self.block(node.body, state) | self.block(node.orelse, state)
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self.loop(node, state)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self.block(node.body, state)
        if isinstance(node, _TRY_TYPES):
            return self.try_(node, state)
        if isinstance(node, ast.Match):
            result = state  # no case may match
            for case in node.cases:
                result |= self.block(case.body, state)
            return result
        return state

    def loop(self, node, state: int) -> int:
        self.loops.append([0, 0])
        head = state
        for _ in range(3):  # two facts: a fixed point is reached within a few rounds
            body_exit = self.block(node.body, head)
            new_head = head | body_exit | self.loops[-1][1]
            if new_head == head:
                break
            head = new_head
        breaks = self.loops.pop()[0]
        endless = isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and bool(node.test.value)
        return breaks if endless else breaks | self.block(node.orelse, head)

    def try_(self, node, state: int) -> int:
        self.raising.append(0)  # filled by the body's statements as they are walked
        loops_before = [list(entry) for entry in self.loops]
        body_exit = self.block(node.body, state)
        raised = self.raising.pop()
        handled = 0
        for handler in node.handlers:
            handled |= self.block(handler.body, raised)
        normal = handled | self.block(node.orelse, body_exit)
        if not node.finalbody:
            return normal
        # `finally` runs after normal completion, exceptions, returns and loop jumps alike
        jumps = 0
        for before, after in zip(loops_before, self.loops):
            jumps |= (after[0] & ~before[0]) | (after[1] & ~before[1])
        self.block(node.finalbody, normal | raised | jumps)
        if not normal:
            return 0
        recording, self.recording = self.recording, False
        try:
            return self.block(node.finalbody, normal)
        finally:
            self.recording = recording


def statements_after_yield(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[ast.stmt]:
    """The statements of `function` (at any depth) that run only after a `yield` has run."""
    flow = _Flow()
    flow.block(function.body, NOT_YIELDED)
    return {statement for statement, state in flow.entry.items() if state == YIELDED}
