"""What a class's own code stores in its attributes, read off its syntax (one walk per class)."""

from __future__ import annotations

import ast

from .syntax_facts import nonempty_iterable

_RECEIVERS = ("self", "cls")


class ClassAttributes:
    """Every value the class body or its methods store in each attribute: `LEVELS = (1, 2)` in the
    body, `self.sizes = [1, 2]` in a method; None for a store whose value is not plain (`del self.x`,
    `for self.x in …`, `self.x += …`)."""

    def __init__(self, class_node: ast.ClassDef) -> None:
        self.stores: dict[str, list[ast.expr | None]] = {}
        for stmt in class_node.body:
            for target, value in _assignments(stmt):
                if target.__class__ is ast.Name:
                    self.stores.setdefault(target.id, []).append(value)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._scan_method(stmt)

    def _scan_method(self, method: ast.AST) -> None:
        """Attribute stores happen only in statement targets, so only statements are visited."""
        stack = list(method.body)
        while stack:
            stmt = stack.pop()
            cls = stmt.__class__
            if cls is ast.Assign or cls is ast.AnnAssign:
                for target, value in _assignments(stmt):
                    for element in _flattened(target):
                        if _is_own_attribute(element):
                            self.stores.setdefault(element.attr, []).append(value if element is target else None)
            elif cls in (ast.AugAssign, ast.For, ast.AsyncFor, ast.Delete, ast.With, ast.AsyncWith):
                for target in _statement_targets(stmt):
                    for element in _flattened(target):
                        if _is_own_attribute(element):
                            self.stores.setdefault(element.attr, []).append(None)
            for field in ("body", "orelse", "finalbody"):
                stack.extend(getattr(stmt, field, ()))
            for part in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
                stack.extend(part.body)

    def nonempty(self, attribute: str) -> bool:
        """The attribute always holds a non-empty collection."""
        values = self.stores.get(attribute)
        return bool(values) and all(value is not None and nonempty_iterable(value) for value in values)


def _assignments(node: ast.AST):
    """(target, value) of a plain `target = value` (each target of a chained assignment)."""
    if node.__class__ is ast.Assign:
        for target in node.targets:
            yield target, node.value
    elif node.__class__ is ast.AnnAssign and node.value is not None:
        yield node.target, node.value


def _statement_targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Delete):
        return list(stmt.targets)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    return [stmt.target]


def _flattened(target: ast.expr) -> list[ast.expr]:
    """`a, (self.b, c)` → its plain targets; unpacked ones store values nobody can see here."""
    found, stack = [], [target]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Tuple, ast.List)):
            stack.extend(node.elts)
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
        else:
            found.append(node)
    return found


def _is_own_attribute(node: ast.AST) -> bool:
    return node.__class__ is ast.Attribute and node.value.__class__ is ast.Name and node.value.id in _RECEIVERS
