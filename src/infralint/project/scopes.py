"""Which function or class encloses a line, and the qualified names of a module's definitions.

Built from the definitions the engine's shared traversal already found (no second walk): every
line is painted with the innermost definition that contains it, so a lookup is one list index.
"""

from __future__ import annotations

import ast
from operator import attrgetter

#: no two definitions start on one line (a compound statement starts a logical line of its own)
_LINE = attrgetter("lineno")


class Definition:
    """A function or class: its node, `pkg.mod.Class.method`, and the definition it is in."""

    __slots__ = ("node", "qualname", "parent", "is_function")  # thousands per file

    def __init__(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, qualname: str, parent: "Definition | None") -> None:
        self.node = node
        self.qualname = qualname
        self.parent = parent
        #: a function (not a class): asked for every call and definition, so decided once
        self.is_function = type(node) is not ast.ClassDef

    def class_part(self, module: str) -> str | None:
        """`Class` (or `Outer.Inner`) of the nearest enclosing class, relative to the module: what
        `self.x` refers to inside this definition."""
        current: Definition | None = self
        while current is not None:
            if not current.is_function:
                return current.qualname[len(module) + 1:]
            current = current.parent
        return None


class Scopes:
    def __init__(self, definitions: list[ast.AST], module: str, line_count: int) -> None:
        self.module = module
        ordered = sorted(definitions, key=_LINE)
        self.definitions: list[Definition] = []
        self._by_node: dict[ast.AST, Definition] = {}
        self._at_line: list[Definition | None] = [None] * (line_count + 2)
        at_line = self._at_line
        open_stack: list[tuple[Definition, int]] = []  # (definition, its last line)
        for node in ordered:
            line = node.lineno
            end = node.end_lineno or line
            while open_stack and open_stack[-1][1] < line:
                open_stack.pop()
            parent = open_stack[-1][0] if open_stack else None
            qualname = f"{parent.qualname if parent else module}.{node.name}"  # type: ignore[attr-defined]
            definition = Definition(node, qualname, parent)  # type: ignore[arg-type]
            self.definitions.append(definition)
            self._by_node[node] = definition
            open_stack.append((definition, end))
            # the body belongs to the definition; its decorators and the `def` line's defaults do not
            first = min(node.body[0].lineno if node.body else line, end)  # type: ignore[attr-defined]
            last = min(end, line_count)
            if last >= first:
                at_line[first : last + 1] = [definition] * (last + 1 - first)

    @property
    def by_line(self) -> "list[Definition | None]":
        """The innermost definition of every line, by line number (index 0 and the line after
        the last are None): what `at` answers, for loops over thousands of calls."""
        return self._at_line

    def at(self, line: int) -> Definition | None:
        """The innermost definition whose body contains `line` (None at module level)."""
        return self._at_line[line] if 0 <= line < len(self._at_line) else None

    def function_at(self, line: int) -> Definition | None:
        """The innermost function whose body contains `line` (class bodies are not functions)."""
        current = self.at(line)
        while current is not None and not current.is_function:
            current = current.parent
        return current

    def of(self, node: ast.AST) -> Definition | None:
        return self._by_node.get(node)
