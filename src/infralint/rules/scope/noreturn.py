"""Functions that never return, read off their definitions — in this module or in another module
of the project that this one imports from (located and parsed, never imported).

A call to one ends its path like `raise` does: `except …: reraise(*exc_info)` followed by
`return result` does not reach the `return` with `result` unbound.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ...analysis import project_modules
from .known_names import NORETURN_ANNOTATIONS, NORETURN_CALLS

_MAX_REEXPORTS = 3  # `from .compat import reraise` in a package `__init__`, followed this many times
_PARSER_CLASSES = frozenset({"ArgumentParser", "OptionParser"})
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
    stack = list(function.body[:-1])
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Return, ast.Yield, ast.YieldFrom, ast.Await)):
            return False
        if not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(current))
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


def imported_noreturn(importer: str, level: int, module: str, name: str, depth: int = 0) -> bool:
    """Whether `name`, imported from the project module `module`, is a function that never returns."""
    found = project_modules.imported_module(importer, level, module, name)
    if found is None:
        return False
    loaded, local_name = found
    memo_key = ("scope.noreturn", local_name)
    if memo_key in loaded.memo:
        return loaded.memo[memo_key]
    loaded.memo[memo_key] = False  # an import cycle answers "returns"
    answer = _defined_noreturn(loaded, local_name, depth)
    loaded.memo[memo_key] = answer
    return answer


def _defined_noreturn(loaded, name: str, depth: int) -> bool:
    tree = loaded.source.tree
    answer = False
    for stmt in tree.body:  # the last top-level binding of the name wins
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            answer = annotated_noreturn(stmt.returns) or body_never_returns(stmt, _leaves_by_name)
        elif isinstance(stmt, ast.ImportFrom) and depth < _MAX_REEXPORTS:
            for alias in stmt.names:
                if (alias.asname or alias.name) == name and stmt.module != "__future__":
                    answer = imported_noreturn(str(loaded.path), stmt.level, stmt.module or "", alias.name, depth + 1)
    return answer


def _leaves_by_name(func: ast.expr) -> bool:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return False
    return ".".join([func.id, *reversed(parts)]) in NORETURN_CALLS
