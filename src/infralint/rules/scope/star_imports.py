"""The names a `from module import *` of a project module provides, read off that module's syntax.

The module is located and parsed (never imported; see `module_facts`). It provides its
`__all__` when that is a literal list or tuple of strings, otherwise every public name it binds at
module level. When the module can itself create names nobody can see (its own star import, writes
through `globals()`, a module `__getattr__`), or is not part of the project, the answer is None and
the importing module's unknown names stay unjudged.
"""

from __future__ import annotations

import ast

from .stored_names import stores_in

_DYNAMIC = frozenset({"globals", "vars", "exec", "setattr", "__import__"})


def provided_names(tree: ast.Module) -> frozenset[str] | None:
    """What `from module import *` binds, read off the module's tree; None when it cannot be known."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC:
            return None
    exported = _literal_all(tree)
    if exported is not None:
        return exported
    bound, _ = stores_in(tree.body)
    if "__getattr__" in bound:
        return None
    return frozenset(name for name in bound if not name.startswith("_"))


def _literal_all(tree: ast.Module) -> frozenset[str] | None:
    names: list[str] = []
    found = False
    for stmt in tree.body:
        target = value = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            target, value = stmt.target, stmt.value
        if not (isinstance(target, ast.Name) and target.id == "__all__"):
            continue
        if not isinstance(value, (ast.List, ast.Tuple)) or not all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            return None
        if isinstance(stmt, ast.Assign):
            names = []
        names.extend(e.value for e in value.elts)
        found = True
    return frozenset(names) if found else None
