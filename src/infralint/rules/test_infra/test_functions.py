"""What in a test file is a test, a test class, a fixture, and which pytest markers apply where.

pytest collects `test*` functions at module level and `test*` methods of `Test*` classes; unittest
collects `test*` methods of `TestCase` subclasses. Markers come from decorators
(`@pytest.mark.integration`), from the enclosing class, and from a module-level `pytestmark`.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from functools import cached_property

from ...analysis.names import ImportMap, dotted_name
from ...source import SourceFile

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
FIXTURE_NAMES = {"pytest.fixture", "pytest_asyncio.fixture", "fixture", "pytest.yield_fixture"}


def head_line(node: ast.AST) -> int:
    """The first line of a definition: its first decorator, or the `def`/`class` line."""
    decorators = getattr(node, "decorator_list", None) or []
    return min([d.lineno for d in decorators] + [node.lineno])


def decorator_target(decorator: ast.expr) -> ast.expr:
    """`pytest.mark.skip(...)` → `pytest.mark.skip`: the decorator's callee, or itself."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def mark_name(expr: ast.expr, imports: ImportMap) -> str | None:
    """`integration` for `pytest.mark.integration` / `mark.integration(...)`, else None."""
    qualified = imports.qualified_name(decorator_target(expr))
    if qualified and qualified.startswith("pytest.mark.") and qualified.count(".") == 2:
        return qualified.rsplit(".", 1)[1]
    return None


def _marker_exprs(value: ast.expr) -> list[ast.expr]:
    return list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else [value]


class TestLayout:
    """Tests, test classes and fixtures of one file, and the definitions by line."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.definitions: list[ast.AST] = []  # every def/class at module or class level (not nested in functions)
        self.class_of: dict[ast.AST, ast.ClassDef] = {}
        self.module_marks_exprs: list[ast.expr] = []
        self._collect(source.tree.body, None)
        self._definition_set = set(self.definitions)
        self._by_head: dict[int, ast.AST] = {}
        for node in self.definitions:
            for line in range(head_line(node), node.lineno + 1):
                self._by_head.setdefault(line, node)
        self._spans: list[ast.AST] | None = None  # every def/class, also nested: built on first use
        self._span_starts: list[int] = []

    def _collect(self, body: list[ast.stmt], cls: ast.ClassDef | None) -> None:
        for stmt in body:
            if isinstance(stmt, (*FunctionNode, ast.ClassDef)):
                self.definitions.append(stmt)
                if cls is not None:
                    self.class_of[stmt] = cls
                if isinstance(stmt, ast.ClassDef):
                    self._collect(stmt.body, stmt)
            elif cls is None and isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
            ):
                self.module_marks_exprs.extend(_marker_exprs(stmt.value))
            elif isinstance(stmt, (ast.If, ast.Try)) and cls is None:
                # definitions under `if`/`try` at module level are still collected by pytest
                for part in (getattr(stmt, "body", []), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])):
                    self._collect(part, None)
                for handler in getattr(stmt, "handlers", []):
                    self._collect(handler.body, None)

    # -- what things are ----------------------------------------------------------------------

    def is_test_class(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.ClassDef):
            return False
        if node.name.startswith("Test"):
            return True
        return any((dotted_name(b) or "").endswith(("TestCase", "Tests", "Test")) for b in node.bases)

    def is_test_function(self, node: ast.AST) -> bool:
        if not isinstance(node, FunctionNode) or not node.name.startswith("test"):
            return False
        # test* methods of any class (pytest: Test*, unittest: TestCase) and module-level test*
        # functions; functions nested in other functions are never collected
        if node not in self._definition_set:
            return False
        return node in self.class_of or self.module_functions_are_tests

    @cached_property
    def module_functions_are_tests(self) -> bool:
        """unittest collects only TestCase methods: in a module written for unittest alone (TestCase
        classes, no pytest), a module-level `test_x` is a helper (a trace target, a fixture function)."""
        if "pytest" in self.source.text:
            return True
        return not any(
            (dotted_name(base) or "").endswith("TestCase")
            for node in self.definitions
            if isinstance(node, ast.ClassDef)
            for base in node.bases
        )

    def is_fixture(self, node: ast.AST, imports: ImportMap) -> bool:
        if not isinstance(node, FunctionNode):
            return False
        return any(imports.qualified_name(decorator_target(d)) in FIXTURE_NAMES for d in node.decorator_list)

    # -- where things are ---------------------------------------------------------------------

    def definition_at_head(self, line: int) -> ast.AST | None:
        """The def/class whose decorators or `def` line occupy `line`."""
        return self._by_head.get(line)

    def enclosing_definition(self, line: int) -> ast.AST | None:
        """The innermost function or class whose body contains `line` (past its `def` line)."""
        if self._spans is None:
            spans = [n for n in ast.walk(self.source.tree) if isinstance(n, (*FunctionNode, ast.ClassDef))]
            spans.sort(key=lambda n: (n.lineno, -(n.end_lineno or n.lineno)))
            self._spans, self._span_starts = spans, [n.lineno for n in spans]
        best = None
        for node in self._spans[: bisect_right(self._span_starts, line)]:
            if node.lineno < line <= (node.end_lineno or node.lineno):
                best = node
        return best

    def test_around(self, node: ast.AST) -> tuple[ast.AST, list[ast.AST]] | None:
        """(the test function containing `node`, its ancestors innermost first up to that test).

        Found by line range and a pruned descent, so files with no hit never pay for a full
        child → parent map.
        """
        line = getattr(node, "lineno", None)
        if line is None:
            return None
        for definition in self.definitions:
            if isinstance(definition, FunctionNode) and definition.lineno <= line <= (definition.end_lineno or 0):
                if self.is_test_function(definition):
                    chain = ancestors_within(definition, node)
                    if chain is not None:
                        return definition, chain
        return None

    def enclosing_function(self, node: ast.AST) -> ast.AST | None:
        for parent in self.source.ancestors(node):
            if isinstance(parent, FunctionNode):
                return parent
        return None

    def enclosing_test(self, node: ast.AST) -> ast.AST | None:
        """The test function that contains `node` (directly or through nested blocks)."""
        for parent in self.source.ancestors(node):
            if isinstance(parent, FunctionNode) and self.is_test_function(parent):
                return parent
        return None

    # -- markers --------------------------------------------------------------------------------

    def module_markers(self, imports: ImportMap) -> set[str]:
        return {m for m in (mark_name(e, imports) for e in self.module_marks_exprs) if m}

    def markers(self, node: ast.AST, imports: ImportMap) -> set[str]:
        """Markers applying to a definition: its decorators, its classes' decorators and `pytestmark`s."""
        found = self.module_markers(imports)
        current: ast.AST | None = node
        while current is not None:
            for decorator in getattr(current, "decorator_list", []):
                name = mark_name(decorator, imports)
                if name:
                    found.add(name)
            if isinstance(current, ast.ClassDef):
                for stmt in current.body:
                    if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets):
                        found.update(m for m in (mark_name(e, imports) for e in _marker_exprs(stmt.value)) if m)
            current = self.class_of.get(current)
        return found


def ancestors_within(root: ast.AST, target: ast.AST) -> list[ast.AST] | None:
    """The nodes between `root` and `target`, innermost first (`root` last); None if not inside."""
    line = target.lineno
    stack: list[tuple[ast.AST, list[ast.AST]]] = [(root, [root])]
    while stack:
        node, path = stack.pop()
        for child in ast.iter_child_nodes(node):
            if child is target:
                return list(reversed(path))
            start = getattr(child, "lineno", None)
            if start is None:
                if isinstance(child, (ast.arguments, ast.comprehension, ast.match_case, ast.withitem, ast.keyword, ast.alias)) or not hasattr(child, "lineno"):
                    stack.append((child, path + [child]))
                continue
            if start <= line <= (getattr(child, "end_lineno", None) or start):
                stack.append((child, path + [child]))
    return None
