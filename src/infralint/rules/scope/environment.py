"""`if sys.platform == "win32": … elif sys.platform == "darwin": …`: an `if`/`elif` chain that
dispatches on the environment the process runs in, read as covering every case.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .known_names import ENVIRONMENT_VALUES
from .syntax_facts import strip_not

#: the dotted name an expression stands for through the imports (`sys.platform`), or None
QualifiedName = Callable[[ast.AST], "str | None"]


def _constant(node: ast.expr) -> bool:
    """A literal: `"win32"`, `(3, 11)`, `("linux", "darwin")`."""
    if node.__class__ is ast.Constant:
        return True
    if node.__class__ in (ast.Tuple, ast.List, ast.Set):
        return all(_constant(e) for e in node.elts)
    return False


def environment_dispatch(head: ast.If, qualified_name: QualifiedName) -> bool:
    """`if sys.platform == "win32": … elif sys.platform == "darwin": …`: every test of the chain
    compares the same platform or interpreter value against constants.

    Such a chain enumerates the environments the code supports. The value is fixed for the whole
    process, so "no branch taken" is not a rare path of a running service: it is an unsupported
    platform, where the first use fails every time. The chain counts as exhaustive; a single `if`
    on the environment does not (its untaken side is every other platform).
    """
    common: set[str] | None = None
    node = head
    while True:
        roots = _environment_roots(node.test, qualified_name)
        if not roots:
            return False
        common = roots if common is None else common & roots
        if not common:
            return False
        if len(node.orelse) != 1 or node.orelse[0].__class__ is not ast.If:
            return True
        node = node.orelse[0]


def _environment_roots(test: ast.expr, qualified_name: QualifiedName) -> set[str]:
    """The environment values `test` compares against constants (empty if it tests anything else)."""
    cls = test.__class__
    if cls is ast.BoolOp and test.op.__class__ is ast.Or:
        roots: set[str] | None = None
        for value in test.values:
            found = _environment_roots(value, qualified_name)
            if not found:
                return set()
            roots = found if roots is None else roots & found
        return roots or set()
    if cls is ast.UnaryOp and test.op.__class__ is ast.Not:
        return _environment_roots(strip_not(test)[0], qualified_name)
    if cls is ast.Call and test.func.__class__ is ast.Attribute and test.func.attr in ("startswith", "endswith"):
        root = _environment_value(test.func.value, qualified_name)
        if root and all(_constant(a) for a in test.args):
            return {root}
        return set()
    if cls is not ast.Compare:
        return set()
    roots = set()
    for operand in (test.left, *test.comparators):
        if _constant(operand):
            continue
        root = _environment_value(operand, qualified_name)
        if root is None:
            return set()
        roots.add(root)
    return roots


def _environment_value(node: ast.expr, qualified_name: QualifiedName) -> str | None:
    if node.__class__ is ast.Call:
        name = qualified_name(node.func)
        return name if name in ENVIRONMENT_VALUES else None
    while node.__class__ in (ast.Attribute, ast.Subscript, ast.Name):
        if node.__class__ is not ast.Subscript:
            name = qualified_name(node)
            if name in ENVIRONMENT_VALUES:
                return name
        if node.__class__ is ast.Name:
            return None
        node = node.value
    return None
