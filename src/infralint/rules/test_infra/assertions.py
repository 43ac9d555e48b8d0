"""What assertions in a test can and cannot do: always-true expressions, failing statements, handlers
that swallow a failure.
"""

from __future__ import annotations

import ast
from typing import Callable

from ...analysis.handlers import caught_names
from ...analysis.names import ImportMap

BROAD_EXCEPTIONS = {"Exception", "BaseException"}
# what a failing check raises, and which handlers catch it
_CATCHES_ASSERTION = {"AssertionError", "Exception", "BaseException"}
_CATCHES_OUTCOME = {"BaseException"}  # pytest.fail raises Failed, a BaseException subclass
_PYTEST_FAIL = {"pytest.fail", "_pytest.outcomes.fail"}


def truthiness(expr: ast.expr) -> bool | None:
    """True/False when the expression's truth value is fixed by its literal shape, else None."""
    if isinstance(expr, ast.Constant):
        return bool(expr.value)
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in expr.elts):
            return True if any(not isinstance(e, ast.Starred) for e in expr.elts) else None
        return bool(expr.elts)
    if isinstance(expr, ast.Dict):
        return True if any(k is not None for k in expr.keys) else (None if expr.keys else False)
    if isinstance(expr, ast.JoinedStr):
        if any(isinstance(v, ast.Constant) and v.value for v in expr.values):
            return True
        return None
    if isinstance(expr, ast.Lambda):
        return True
    if isinstance(expr, ast.BoolOp):
        values = [truthiness(v) for v in expr.values]
        if isinstance(expr.op, ast.Or):
            return True if any(v is True for v in values) else (False if all(v is False for v in values) else None)
        return False if any(v is False for v in values) else (True if all(v is True for v in values) else None)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        inner = truthiness(expr.operand)
        return None if inner is None else not inner
    return None


def is_constant_true(expr: ast.expr) -> bool:
    """`True` (or `1`) written as the whole condition: a deliberate "passed" marker."""
    return isinstance(expr, ast.Constant) and (expr.value is True or (type(expr.value) is int and expr.value == 1))


def is_assert_true_call(node: ast.AST) -> bool:
    """`self.assertTrue(True)`."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("assertTrue", "assert_")
        and len(node.args) >= 1
        and is_constant_true(node.args[0])
    )


def failure_kind(node: ast.AST, imports: Callable[[], ImportMap]) -> str | None:
    """'assertion' for `assert False`/`self.fail()`/`raise AssertionError`, 'outcome' for `pytest.fail()`.

    `imports` is called only when a name has to be resolved (most nodes never need it)."""
    if isinstance(node, ast.Assert) and truthiness(node.test) is False:
        return "assertion"
    if isinstance(node, ast.Call):
        func = node.func
        if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) != "fail":
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            return "assertion"
        if imports().call_name(node) in _PYTEST_FAIL:
            return "outcome"
    if isinstance(node, ast.Raise) and node.exc is not None:
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(target, ast.Name) and target.id == "AssertionError":
            return "assertion"
    return None


def handler_catches(handler: ast.ExceptHandler, kind: str) -> bool:
    caught = set(caught_names(handler))
    return bool(caught & (_CATCHES_ASSERTION if kind == "assertion" else _CATCHES_OUTCOME))


_REPORTING_CALLS = {"print", "log", "logger", "logging", "warn", "warning", "warnings", "debug", "info", "exception", "error"}


def is_reporting_call(stmt: ast.stmt) -> bool:
    """`print(...)`, `logger.warning(...)`, `warnings.warn(...)`: output, not a check."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    func = stmt.value.func
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return bool(parts) and any(part.lower() in _REPORTING_CALLS or part.lower().endswith("logger") for part in parts)


def handler_swallows(handler: ast.ExceptHandler, imports: Callable[[], ImportMap]) -> bool:
    """The handler neither re-raises, asserts, fails, nor uses the exception (beyond printing or
    logging it): the error vanishes."""
    kept = [s for s in handler.body if not is_reporting_call(s)]
    for node in ast.walk(ast.Module(body=kept, type_ignores=[])):
        if isinstance(node, (ast.Raise, ast.Assert)):
            return False
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name.startswith(("assert", "fail")) or failure_kind(node, imports):
                return False
        if handler.name and isinstance(node, ast.Name) and node.id == handler.name:
            return False
        if isinstance(node, ast.Return) and node.value is not None:
            return False
    return True


def only_reports(statements: list[ast.stmt], imports: Callable[[], ImportMap]) -> bool:
    """The statements only pass, print, log, skip or return: an error reaching them just vanishes."""
    from .skips import skip_of_call  # the skip vocabulary lives with the skip analysis

    for stmt in statements:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)) or is_reporting_call(stmt):
            continue
        if isinstance(stmt, ast.Return) and (stmt.value is None or isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and skip_of_call(stmt.value, imports()):
            continue
        return False
    return True
