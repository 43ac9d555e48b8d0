"""The scopes of one file and the bindings of names in them, as the scope analysis builds them.

Kinds stay short strings: a scope's `kind` (module, class, function, comprehension, typeparams) and a
binding's `kind` (assign, import, def, class, arg, for, with, except, annotation, del, match, walrus,
global, comprehension, typeparam) are read on every name the walk meets.
"""

from __future__ import annotations

import ast

from ...analysis.flow import Flow


class Binding:
    """One binding of a name in a scope (assignment, import, def, loop target, `del`, …)."""

    __slots__ = ("name", "kind", "node", "typing_only", "fullname", "statement")

    def __init__(
        self, name: str, kind: str, node: ast.AST, typing_only: bool = False, fullname: str | None = None,
        statement: ast.AST | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.node = node
        self.typing_only = typing_only
        self.fullname = fullname
        self.statement = statement  # the statement that binds it, when it is a plain assignment

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 0)

    @property
    def assigned_value(self) -> ast.expr | None:
        """`value` of the `name = value` that made this binding, if it was one."""
        statement = self.statement
        if statement.__class__ is ast.Assign and any(t is self.node for t in statement.targets):
            return statement.value
        return None

    @property
    def runtime(self) -> bool:
        """Whether this binding gives the name a value when the code runs."""
        return not self.typing_only and self.kind not in ("annotation", "del")

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Binding({self.name!r}, {self.kind!r}, line {self.line})"


class Scope:
    """A module, class, function/lambda, comprehension or PEP 695 type-parameter scope."""

    __slots__ = (
        "kind", "name", "node", "parent", "lookup_parent", "bindings", "flow", "globals", "nonlocals", "pending", "conds",
        "noreturn", "assigned_inside", "truthy", "fact_names",
    )

    def __init__(self, kind: str, name: str, node: ast.AST, parent: Scope | None, lookup_parent: Scope | None) -> None:
        self.kind = kind
        self.name = name
        self.node = node
        self.parent = parent  # lexical parent
        self.lookup_parent = lookup_parent  # where unresolved names are looked up next (classes skipped)
        self.bindings: dict[str, list[Binding]] = {}
        self.flow: Flow | None = None
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.pending: list[tuple] = []
        self.conds: list[ast.expr] = []  # tests of the enclosing `if`s at the current point
        self.noreturn: set[str] = set()  # functions defined here annotated `-> NoReturn`/`Never`
        self.assigned_inside: set[str] = set()  # locals a nested function rebinds through `nonlocal`
        self.truthy: set[str] = set()  # names proven non-empty by `if not name: raise` (until rebound)
        self.fact_names: set[str] = set()  # names some path fact or guard mentions (rebinding them drops those)

    def enclosing_class(self) -> Scope | None:
        scope = self.parent
        while scope is not None:
            if scope.kind == "class":
                return scope
            scope = scope.parent
        return None

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Scope({self.kind} {self.name})"


def executing(scope: Scope) -> Scope:
    """The scope whose code is running when `scope`'s body is (classes and comprehensions run inline)."""
    while scope.kind in ("comprehension", "class"):
        scope = scope.lookup_parent
    return scope
