"""What a class's own code stores in one of its attributes, read off its syntax."""

from __future__ import annotations

import ast

from .syntax_facts import nonempty_iterable

_RECEIVERS = ("self", "cls")


def class_attribute_nonempty(class_node: ast.ClassDef, attribute: str) -> bool:
    """`LEVELS = (1, 2)` in the class body or `self.LEVELS = [1, 2]` in its methods, and nothing
    else ever stored there: the attribute always holds a non-empty collection."""
    values: list[ast.expr | None] = []
    for stmt in class_node.body:
        for target, value in _assignments(stmt):
            if target.__class__ is ast.Name and target.id == attribute:
                values.append(value)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            plain: set[int] = set()
            for node in ast.walk(stmt):
                for target, value in _assignments(node):
                    if _is_own_attribute(target, attribute):
                        values.append(value)
                        plain.add(id(target))
            for node in ast.walk(stmt):
                if node.__class__ is ast.Attribute and node.ctx.__class__ is not ast.Load and _is_own_attribute(node, attribute):
                    if id(node) not in plain:
                        values.append(None)  # `del self.x`, `for self.x in …`, `self.x += …`
    return bool(values) and all(value is not None and nonempty_iterable(value) for value in values)


def _assignments(node: ast.AST):
    """(target, value) of a plain `target = value` (each target of a chained assignment)."""
    if node.__class__ is ast.Assign:
        for target in node.targets:
            yield target, node.value
    elif node.__class__ is ast.AnnAssign and node.value is not None:
        yield node.target, node.value


def _is_own_attribute(node: ast.AST, attribute: str) -> bool:
    return (
        node.__class__ is ast.Attribute
        and node.attr == attribute
        and node.value.__class__ is ast.Name
        and node.value.id in _RECEIVERS
    )

