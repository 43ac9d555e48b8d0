"""Qualified names in one module: local name → `package.module.name`, relative imports included.

`analysis.names.ImportMap` answers "which library is this?" (absolute imports only); the project
needs the module-qualified name of everything a call can reach, so it also resolves `from . import
x` and `from ..core import y` against the file's own module name, and qualifies the module's own
definitions (`run_checks` in `app.health` is `app.health.run_checks`).
"""

from __future__ import annotations

import ast

from ..analysis.names import attribute_chain
from ..source import walk_statements


class QualifiedNames:
    def __init__(self, tree: ast.Module, module: str, *, is_package: bool = False, imports=None) -> None:
        """`imports`: every import statement of the file, when a traversal already collected them."""
        self.module = module
        package = module if is_package else module.rpartition(".")[0]
        self._package = package.split(".") if package else []
        #: local name → qualified name, from import statements at module level
        self.imports: dict[str, str] = {}
        #: names the module defines itself (functions, classes, assigned globals)
        self.own: set[str] = set()
        #: local name → qualified name, from imports inside functions (`import re` in a helper):
        #: what the name means where it is imported, so hoisting such an import changes no fact
        self.local_imports: dict[str, str] = {}
        module_level: set[int] = set()
        #: the statements that run at import (under `if`/`try`/`with` too, not inside definitions)
        self.module_statements: list[ast.stmt] = list(_module_statements(tree.body))
        for stmt in self.module_statements:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                module_level.add(id(stmt))
                self._bind_import(stmt, self.imports)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.own.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if type(target) is ast.Name:  # most are: no walk
                        self.own.add(target.id)
                        continue
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            self.own.add(node.id)

        every_import = imports if imports is not None else (n for n in walk_statements(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))
        for node in every_import:
            if id(node) not in module_level:
                self._bind_import(node, self.local_imports, keep_first=True)

    def _bind_import(self, stmt: ast.Import | ast.ImportFrom, names: dict[str, str], *, keep_first: bool = False) -> None:
        """`import a.b` binds `a` unless something already did; `keep_first`: every name so."""
        if type(stmt) is ast.Import:
            for alias in stmt.names:
                if alias.asname and not keep_first:
                    names[alias.asname] = alias.name
                elif alias.asname:
                    names.setdefault(alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    names.setdefault(top, top)
            return
        base = self.absolute_module(stmt.level, stmt.module or "")  # type: ignore[union-attr]
        if base is None:
            return
        for alias in stmt.names:
            if alias.name != "*":
                qualified = f"{base}.{alias.name}" if base else alias.name
                if keep_first:
                    names.setdefault(alias.asname or alias.name, qualified)
                else:
                    names[alias.asname or alias.name] = qualified

    def absolute_module(self, level: int, module: str) -> str | None:
        """`from ..core import x` in `app.api.routes` → `app.core`; None above the top package."""
        if not level:
            return module
        if level - 1 > len(self._package):
            return None
        parts = self._package[: len(self._package) - (level - 1)] if level > 1 else list(self._package)
        if module:
            parts = [*parts, *module.split(".")]
        return ".".join(parts)

    def qualify(self, node: ast.AST, cls: str | None = None) -> tuple[str, bool] | None:
        """(`pkg.mod.name.attr`, resolved) for a name or attribute chain; `self.x` inside class `cls`
        is `pkg.mod.Class.x`. Unresolved names (locals, parameters, builtins) come back as written."""
        chain = attribute_chain(node)
        if chain is None:
            return None
        return self.qualify_chain(chain[0], chain[1], cls)

    def qualify_chain(self, base: str, rest: list[str], cls: str | None = None) -> tuple[str, bool]:
        """`qualify` of the chain `base.rest[0].rest[1]…`, for a caller that has taken it apart."""
        if base in ("self", "cls") and cls is not None:
            return ".".join([self.module, cls, *rest]), True
        if base in self.imports:
            return ".".join([self.imports[base], *rest]), True
        if base in self.own:
            return ".".join([self.module, base, *rest]), True
        if base in self.local_imports:
            return ".".join([self.local_imports[base], *rest]), True
        return ".".join([base, *rest]), False

    def qualified(self, node: ast.AST, cls: str | None = None) -> str | None:
        """The qualified name when it resolves to something imported or defined here, else None."""
        found = self.qualify(node, cls)
        return found[0] if found and found[1] else None

    def library_name(self, node: ast.AST) -> str:
        """The qualified name, or the spelling for unresolved ones (`web.get`, `path`)."""
        found = self.qualify(node)
        return found[0] if found else ""


def _module_statements(body: list[ast.stmt]):
    """Module-level statements, including those under `if`/`try`/`with` (not inside defs)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        fields = _BLOCK_FIELDS.get(type(stmt))
        if fields:
            children: list = []
            for name in fields:
                children.extend(getattr(stmt, name))
            stack.extend(reversed(children))


# the statements (and `except` clauses) that hold statements run in the same scope
_BLOCK_FIELDS = {
    kind: tuple(f for f in ("body", "orelse", "finalbody", "handlers") if f in kind._fields)
    for kind in (
        ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.ExceptHandler,
        *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
    )
}
