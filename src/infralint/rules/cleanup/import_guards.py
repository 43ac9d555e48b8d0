"""What catches the failure of an import inside a function.

An import's failure is **guarded** when the code around it expects the import to fail:

- a `try` with an `except ImportError`/`ModuleNotFoundError` handler, or a
  `contextlib.suppress(ImportError)` block;
- a `try` with a broad handler (`except Exception`, bare `except`) or a context manager that
  swallows every exception (`contextlib.suppress(Exception)`, a class of the module whose `__exit__`
  returns true) — but only when the protected block is the optional import itself (imports plus
  trivial assignments) or the handler binds a fallback for a name the import binds.

A broad handler or suppressing context manager around real work that happens to start with an
import is not a guard: the import still runs there, and its failure is **swallowed** — the work
after it is skipped silently instead of the error being masked. Rules report that nuance.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...analysis.handlers import caught_names
from ...analysis.names import dotted_name
from .function_bodies import Frame, FunctionBodies

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
_BROAD = {"Exception", "BaseException"}
_SUPPRESS = {"suppress", "contextlib.suppress"}
_TRIVIAL_VALUES = (ast.Constant, ast.Name, ast.Attribute)


def handler_catches_import_error(handler: ast.ExceptHandler, *, broad: bool) -> bool:
    """`except ImportError`, `except (ImportError, AttributeError)`; with `broad`, also bare/Exception."""
    if handler.type is None:
        return broad
    return any(name in _IMPORT_ERRORS or (broad and name in _BROAD) for name in caught_names(handler))


@dataclass(frozen=True)
class Swallowed:
    """The frame whose broad handler or suppressing context manager swallows an import's failure."""

    frame: Frame
    what: str  # "the `except Exception` at line 12", "`contextlib.suppress(Exception)` (line 9)"


class ImportGuards:
    """Answers, for the frames around an import, whether its failure is guarded or swallowed."""

    def __init__(self, bodies: FunctionBodies) -> None:
        self.bodies = bodies

    def is_guarded(self, frames, bound: set[str]) -> bool:
        """Some enclosing `try`/`with` expects this import (binding `bound`) to fail."""
        return any(self.frame_guard(role, node, bound) == "guarded" for role, node in frames)

    def swallowed(self, frames, bound: set[str]) -> Swallowed | None:
        """The innermost enclosing block that swallows the import's failure without expecting it."""
        for role, node in reversed(frames):
            if self.frame_guard(role, node, bound) == "swallowed":
                return Swallowed((role, node), self._describe(role, node))
        return None

    # -- one frame ------------------------------------------------------------------------------

    def frame_guard(self, role: str, node: ast.AST, bound: set[str]) -> str | None:
        """"guarded", "swallowed" or None for one enclosing block."""
        if role == "try":
            if any(handler_catches_import_error(h, broad=False) for h in node.handlers):
                return "guarded"
            broad = [h for h in node.handlers if handler_catches_import_error(h, broad=True)]
            if not broad:
                return None
            if _only_imports(node.body) or any(_binds_any(h.body, bound) for h in broad):
                return "guarded"
            return "swallowed"
        if role == "with":
            kind = self._suppression(node)
            if kind == "import":
                return "guarded"
            if kind == "broad":
                return "guarded" if _only_imports(node.body) else "swallowed"
        return None

    def _suppression(self, node: ast.With | ast.AsyncWith) -> str | None:
        """"import" for `suppress(ImportError)`, "broad" for a context manager that swallows everything."""
        for item in node.items:
            call = item.context_expr
            if not isinstance(call, ast.Call):
                continue
            if dotted_name(call.func) in _SUPPRESS:
                names = {(dotted_name(a) or "").rsplit(".", 1)[-1] for a in call.args}
                if names & _IMPORT_ERRORS:
                    return "import"
                if names & _BROAD:
                    return "broad"
            elif isinstance(call.func, ast.Name) and self._exit_returns_true(call.func.id):
                return "broad"
        return None

    def _exit_returns_true(self, class_name: str) -> bool:
        cls = self.bodies.classes.get(class_name)
        if cls is None:
            return False
        methods = self.bodies.methods.get(cls, {})
        for name in ("__exit__", "__aexit__"):
            method = methods.get(name)
            if method is not None and any(
                isinstance(n, ast.Return) and isinstance(n.value, ast.Constant) and n.value.value is True
                for n in ast.walk(method.node)
            ):
                return True
        return False

    def _describe(self, role: str, node: ast.AST) -> str:
        if role == "try":
            handler = next(h for h in node.handlers if handler_catches_import_error(h, broad=True))
            caught = "except" if handler.type is None else f"except {ast.unparse(handler.type)}"
            return f"the `{caught}` at line {handler.lineno}"
        item = node.items[0].context_expr
        return f"`{ast.unparse(item)[:40]}` (line {node.lineno})"


def _only_imports(statements: list[ast.stmt]) -> bool:
    """The block is an optional import: imports, plus `pass` and assignments of plain values."""
    has_import = False
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            has_import = True
        elif isinstance(statement, ast.Pass):
            continue
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(statement.value, _TRIVIAL_VALUES):
            continue
        else:
            return False
    return has_import


def _binds_any(statements: list[ast.stmt], names: set[str]) -> bool:
    """A handler that assigns or imports one of `names`: it provides a fallback."""
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if names & {alias.asname or alias.name.split(".")[0] for alias in node.names}:
                    return True
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in names:
                return True
    return False
