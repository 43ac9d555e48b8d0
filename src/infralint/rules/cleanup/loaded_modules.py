"""Whether the module a function-level import names is certainly loaded before the function runs.

The shutdown hazard of an import is the *first* import: one that finds its module in `sys.modules`
does no disk I/O and takes no import lock for long. A module is certainly loaded when

- this file imports it unconditionally at module level (`import json` at the top, then again in
  `close()`), or
- it imports this file at module level: the function's module was loaded by it, so the local import
  only breaks an import cycle (`registry.cleanup()` importing `.queue`, whose top imports
  `.registry`). The other module is found next to this file (`analysis.project_modules`), parsed,
  never imported.

- it is one the interpreter has loaded before running any code (`sys`, `builtins`).

Loaded is not safe everywhere: `__del__` (and what it calls) also runs while CPython finalizes the
interpreter, after `sys.meta_path` is None and `sys.modules` is emptied, where even `import sys`
fails. The rules judge that per route (`ImportHazard.judged_loaded`).

What is left for the project model: a module loaded by a third module on every start-up path (the
application's entry point imports both) is not known here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ...analysis import project_modules
from .hoisting import imported_modules

#: loaded by the interpreter itself before any code runs, and kept until the very end
_ALWAYS_LOADED = frozenset({"sys", "builtins"})
MODULE_LEVEL = "this module imports it at module level"


class LoadedModules:
    """Per file: which function-level imports name a module that is already loaded."""

    def __init__(self, path: str, module_modules: set[str]) -> None:
        self.path = path
        self.module_modules = module_modules  # modules this file imports unconditionally at its top
        self._own = _resolved(path)

    def reason(self, node: ast.AST) -> str | None:
        """Why every module `node` imports is already loaded, or None."""
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            return None
        modules = imported_modules(node)
        if all(m in _ALWAYS_LOADED for m in modules):
            return "the interpreter loads it at start-up"
        if all(m in self.module_modules for m in modules):
            return MODULE_LEVEL
        if isinstance(node, ast.ImportFrom) and self._imports_us(node):
            return f"`{modules[0]}` imports this module at module level, so the local import only breaks a cycle"
        return None

    def cycle_through(self, node: ast.AST) -> str | None:
        """The project module through which `node`, run at module level, would import this file
        back while it is still loading (an import cycle that breaks the package), or None.

        Followed through module-level imports, breadth first, at most `_MAX_CYCLE_FILES` files."""
        if self._own is None or not isinstance(node, (ast.Import, ast.ImportFrom)):
            return None
        frontier = [(found, found[1]) for found in _targets(self.path, node)]
        seen: set[Path] = set()
        while frontier and len(seen) < _MAX_CYCLE_FILES:
            (path, modname, _rest), first = frontier.pop(0)
            resolved = _resolved(str(path))
            if resolved is None or resolved in seen:
                continue
            if resolved == self._own:
                return first
            seen.add(resolved)
            loaded = project_modules.load(path, modname)
            if loaded is None:
                continue
            for statement in _import_time_imports(loaded.source.tree):
                frontier.extend((found, first) for found in _targets(str(path), statement))
        return None

    def _imports_us(self, node: ast.ImportFrom) -> bool:
        if self._own is None:
            return False
        first = node.names[0].name
        found = project_modules.locate(self.path, node.level, node.module or "", [first])
        if found is None:
            return False
        other_path, modname, _rest = found
        loaded = project_modules.load(other_path, modname)
        if loaded is None:
            return False
        return any(self._is_us(other_path, statement) for statement in _top_level_imports(loaded.source.tree))

    def _is_us(self, importer: Path, statement: ast.Import | ast.ImportFrom) -> bool:
        if isinstance(statement, ast.Import):
            targets = [(0, alias.name, []) for alias in statement.names]
        else:
            targets = [(statement.level, statement.module or "", [alias.name]) for alias in statement.names]
        for level, module, attrs in targets:
            parts = module.split(".") if module else []
            lookup = (parts[:-1], [parts[-1]]) if not attrs and parts else (parts, attrs)
            found = project_modules.locate(str(importer), level, ".".join(lookup[0]), lookup[1])
            if found is not None and _resolved(str(found[0])) == self._own:
                return True
        return False


_MAX_CYCLE_FILES = 60
_BLOCKS = (ast.If, ast.Try, ast.With, ast.ClassDef) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _import_time_imports(tree: ast.Module):
    """Every import a module may run while it loads: outside functions, in any block."""
    todo = list(tree.body)
    while todo:
        statement = todo.pop()
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, _BLOCKS):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(statement, field, ()):
                    todo.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])


def _targets(importer: str, statement: ast.Import | ast.ImportFrom):
    """The project files an import statement loads (each name of `from . import a, b` on its own)."""
    requests = []
    if isinstance(statement, ast.Import):
        for alias in statement.names:  # `import a.b` runs `a` and then `a.b`
            parts = alias.name.split(".")
            requests.extend((0, ".".join(parts[:size - 1]), [parts[size - 1]]) for size in range(1, len(parts) + 1))
    else:
        if statement.module:  # the module named runs first, whatever is taken from it
            parts = statement.module.split(".")
            requests.append((statement.level, ".".join(parts[:-1]), [parts[-1]]))
        requests.extend((statement.level, statement.module or "", [alias.name]) for alias in statement.names if alias.name != "*")
    for level, module, attrs in requests:
        found = project_modules.locate(importer, level, module, attrs)
        if found is not None:
            yield found


def _top_level_imports(tree: ast.Module):
    """Imports a module runs whenever it loads: at its top, or in a top-level `try` body."""
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, ast.Try):
            yield from (s for s in statement.body if isinstance(s, (ast.Import, ast.ImportFrom)))


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None
