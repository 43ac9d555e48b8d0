"""Whether an import inside a function can move to the module's top, and how safely.

Hoisting is **safe** when the imported module is a portable standard-library module or is already
imported unconditionally at module level in the same file (it then cannot create a new import
cycle); **unsafe** otherwise (the import may be local on purpose, to break a cycle or to defer a
heavy dependency). It is **not possible** when the move would change what a name means or whether
the module loads at all:

- a name it binds has another module-level binding, is a builtin, is declared `global`/`nonlocal`,
  is bound again in the same function or in an enclosing one;
- it sits under a condition that chooses between modules (platform or version checks, `sys.modules`
  tests, the other branch binding the same name) or is optional (`try: … except ImportError:`);
- the module runs code with side effects that are deferred on purpose (`readline`, `turtle`,
  `gevent.monkey`, …);
- it is not an import statement (`importlib.import_module(...)`, `__import__(...)`).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from ...analysis.names import dotted_name
from .function_bodies import FunctionBodies, FunctionInfo, Site
from .import_guards import ImportGuards, handler_catches_import_error
from .stdlib import is_portable_stdlib

SAFE, UNSAFE = "safe", "unsafe"

#: modules whose import does something visible (patches the world, opens windows, configures a
#: terminal or a plotting backend): keeping the import local is deliberate
SIDE_EFFECT_MODULES = frozenset(
    {
        "antigravity", "this", "readline", "rlcompleter", "turtle", "tkinter", "idlelib",
        "sitecustomize", "usercustomize", "gevent.monkey", "eventlet", "matplotlib.pyplot", "pylab",
        "setuptools", "__main__",
    }
)
#: names in an `if` test that mean "this depends on the platform, the version or what is installed"
_ENVIRONMENT_TESTS = {"sys.platform", "sys.version_info", "sys.hexversion", "sys.modules", "sys.implementation", "os.name"}
_ENVIRONMENT_CALLS = {"find_spec", "find_loader"}
_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class HoistPlan:
    safety: str | None  # SAFE, UNSAFE, or None when the import must stay where it is
    reason: str  # why (for unsafe and impossible hoists)


def imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules a statement may load; relative ones keep their leading dots."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    prefix = "." * node.level
    if node.module:
        return [prefix + node.module]
    return [prefix + alias.name for alias in node.names]


def binding_key(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> tuple:
    """What a name bound by an import refers to (`import a.b` binds `a` to module `a`)."""
    if isinstance(node, ast.Import):
        return ("module", alias.name if alias.asname else alias.name.split(".")[0])
    return ("from", node.level, node.module or "", alias.name)


def bound_names(node: ast.Import | ast.ImportFrom) -> list[tuple[str, ast.alias]]:
    return [(alias.asname or alias.name.split(".")[0], alias) for alias in node.names if alias.name != "*"]


class Hoisting:
    """Plans for moving function-level imports of one module to its top."""

    def __init__(self, bodies: FunctionBodies) -> None:
        self.bodies = bodies
        self.guards = ImportGuards(bodies)
        self.module_modules: set[str] = set()  # modules imported unconditionally at module level
        for site in bodies.module.imports:
            if site.frames:
                continue
            node = site.node
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    self.module_modules.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            else:
                base = "." * node.level + (node.module or "")
                self.module_modules.add(base)
                joiner = "." if node.module else ""
                self.module_modules.update(base + joiner + alias.name for alias in node.names)

    def plan(self, site: Site, function: FunctionInfo) -> HoistPlan:
        node = site.node
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            return HoistPlan(None, "a dynamic import cannot be hoisted")
        modules = imported_modules(node)
        deferred = [m for m in modules if _is_side_effect_module(m)]
        if deferred:
            return HoistPlan(None, f"importing `{deferred[0]}` has side effects")
        problem = self._condition_problem(site) or self._name_problem(node, function)
        if problem:
            return HoistPlan(None, problem)
        if all(m in self.module_modules or is_portable_stdlib(m) and not m.startswith(".") for m in modules):
            return HoistPlan(SAFE, "")
        return HoistPlan(UNSAFE, "it may be local on purpose, to break an import cycle or defer a dependency")

    def _condition_problem(self, site: Site) -> str | None:
        names = {name for name, _ in bound_names(site.node)}
        for role, node in site.frames:
            if role in ("try", "with") and self.guards.frame_guard(role, node, names):
                return "the import's failure is handled here"
            if role == "handler" and handler_catches_import_error(node, broad=False):
                return "the import is a fallback"
            if role in ("if", "else"):
                if _tests_environment(node.test):
                    return "the import depends on the platform, version or installed modules"
                other = node.orelse if role == "if" else node.body
                if any(_binds_any(statement, names) for statement in other):
                    return "the branches choose between modules"
        return None

    def _name_problem(self, node: ast.Import | ast.ImportFrom, function: FunctionInfo) -> str | None:
        for name, alias in bound_names(node):
            key = binding_key(node, alias)
            if name in _BUILTIN_NAMES:
                return f"`{name}` would shadow the builtin for the whole module"
            for other in self.bodies.bindings(self.bodies.module, name):
                if not _same_import_binding(other, name, key):
                    return f"`{name}` is bound differently at module level (line {getattr(other, 'lineno', '?')})"
            if name in function.declared_global:
                return f"`{name}` is declared global in the function"
            if any(other is not node for other in self.bodies.bindings(function, name)):
                return f"`{name}` is bound more than once in `{function.name}`"
            scope = function.parent
            while scope is not None:
                if self.bodies.bindings(scope, name):
                    return f"`{name}` is also a local of the enclosing `{scope.name}`"
                scope = scope.parent
        return None


def _is_side_effect_module(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in SIDE_EFFECT_MODULES)


def _same_import_binding(node: ast.AST, name: str, key: tuple) -> bool:
    if not isinstance(node, (ast.Import, ast.ImportFrom)):
        return False
    return all(binding_key(node, alias) == key for bound, alias in bound_names(node) if bound == name)


def _tests_environment(test: ast.expr) -> bool:
    for node in ast.walk(test):
        spelled = dotted_name(node) if isinstance(node, (ast.Attribute, ast.Name)) else None
        if spelled is None:
            continue
        if spelled in _ENVIRONMENT_TESTS or spelled.startswith("platform.") or spelled.split(".")[-1] in _ENVIRONMENT_CALLS:
            return True
    return False


def _binds_any(statement: ast.stmt, names: set[str]) -> bool:
    for node in ast.walk(statement):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and names & {n for n, _ in bound_names(node)}:
            return True
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in names:
            return True
    return False
