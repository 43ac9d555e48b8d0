"""Functions that never return, read off their definitions (`-> NoReturn`, a body that always
raises) — of this module, or of another module of the project read by `module_facts`.

A call to one ends its path like `raise` does: `except …: reraise(*exc_info)` followed by
`return result` does not reach the `return` with `result` unbound.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .known_names import NORETURN_ANNOTATIONS, NORETURN_CALLS
from .stored_names import push_children

_PARSER_CLASSES = frozenset({"ArgumentParser", "OptionParser"})
_GIVES_BACK = frozenset({ast.Return, ast.Yield, ast.YieldFrom, ast.Await})
_OWN_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})
PARSER_EXITS = frozenset({"error", "exit"})  # `ArgumentParser.error()` prints usage and exits


def annotated_noreturn(returns: ast.expr | None) -> bool:
    """`-> NoReturn`, `-> typing.Never`, `-> "NoReturn"`."""
    if returns is None:
        return False
    if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
        return returns.value.strip().rsplit(".", 1)[-1] in NORETURN_ANNOTATIONS
    tail = returns.attr if isinstance(returns, ast.Attribute) else getattr(returns, "id", None)
    return tail in NORETURN_ANNOTATIONS


def body_never_returns(function: ast.AST, leaves: Callable[[ast.expr], bool]) -> bool:
    """The body ends by raising (or calling something `leaves` accepts) and has no `return`/`yield`,
    whatever its annotation says — except `raise NotImplementedError`, an abstract method's body that
    subclasses replace."""
    last = function.body[-1]
    if isinstance(last, ast.Raise) and _names_not_implemented(last.exc):
        return False
    if not _always_leaves(last, leaves):
        return False
    stack = function.body[:-1]
    while stack:
        current = stack.pop()
        cls = current.__class__
        if cls in _GIVES_BACK:
            return False
        if cls not in _OWN_SCOPES:
            push_children(stack, current)
    return True


def _always_leaves(stmt: ast.stmt, leaves: Callable[[ast.expr], bool]) -> bool:
    """A `raise`, a call `leaves` accepts, or an `if`/`else` whose every branch ends in one:
    `if isdest: raise A(...) else: raise B(...)` (not a `with`: its context manager may swallow)."""
    if isinstance(stmt, ast.Raise):
        return True
    if isinstance(stmt, ast.Expr):
        return isinstance(stmt.value, ast.Call) and leaves(stmt.value.func)
    if isinstance(stmt, ast.If):
        return bool(stmt.orelse) and _always_leaves(stmt.body[-1], leaves) and _always_leaves(stmt.orelse[-1], leaves)
    return False


def _names_not_implemented(exc: ast.expr | None) -> bool:
    if isinstance(exc, ast.Call):
        exc = exc.func
    return getattr(exc, "id", None) == "NotImplementedError" or getattr(exc, "attr", None) == "NotImplementedError"


def is_parser_construction(value: ast.expr) -> bool:
    """`argparse.ArgumentParser(...)`, `optparse.OptionParser(...)`, `ArgumentParser(...)`."""
    if value.__class__ is not ast.Call:
        return False
    func = value.func
    tail = func.attr if func.__class__ is ast.Attribute else getattr(func, "id", None)
    return tail in _PARSER_CLASSES


def top_level_noreturn(tree: ast.Module) -> dict:
    """For each top-level function name, by its last binding: whether the `def` never returns, or the
    `(level, module, name)` of the `from … import` it re-exports."""
    functions: dict = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = annotated_noreturn(stmt.returns) or body_never_returns(stmt, _leaves_by_name)
        elif isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__":
            for alias in stmt.names:
                functions[alias.asname or alias.name] = (stmt.level, stmt.module or "", alias.name)
    return functions


def _leaves_by_name(func: ast.expr) -> bool:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return False
    return ".".join([func.id, *reversed(parts)]) in NORETURN_CALLS
