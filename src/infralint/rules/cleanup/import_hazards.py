"""The per-file analysis INF201 and INF202 share: every import that may run after import time, with
the cleanup route that reaches it, the `except` handler whose exception it would replace, and how
to hoist it (`ImportHazards`); and which imports are exempt (fallback imports, cache misses,
`TYPE_CHECKING`, unreachable ones)."""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from functools import lru_cache, partial

from ...analysis.handlers import caught_names
from ...analysis.names import dotted_name
from ...source import SourceFile
from .cleanup_names import CleanupNames
from .cleanup_paths import CleanupPaths
from .function_bodies import FunctionInfo, Site, matching_lines
from .hazard import ImportHazard, shown_import
from .hoisting import SAFE, HoistPlan, Hoisting, bound_names
from .import_guards import Swallowed, handler_catches_import_error
from .loaded_modules import LoadedModules

_DYNAMIC_IMPORTS = {"importlib.import_module", "importlib.__import__", "__import__"}
_DYNAMIC_IMPORT_TEXT = re.compile(r"import_module\(|\b__import__\(")
_DYNAMIC_IMPORT_WORDS = ("import_module(", "__import__(")  # in every match: looked for first
_IMPORT_TYPES = (ast.Import, ast.ImportFrom)
_IMPORTS_AND_FUNCTIONS = frozenset({*_IMPORT_TYPES, ast.FunctionDef, ast.AsyncFunctionDef})
# an import statement that is indented (so inside some block)
_INDENTED_IMPORT = re.compile(r"\n[ \t]+(?:import|from)[ \t(]")
_TERMINAL = (ast.Raise, ast.Return, ast.Continue, ast.Break)


@lru_cache(maxsize=1)  # INF201 and INF202 ask in turn about the same file
def may_import_late(text: str) -> bool:
    """Whether an import may run after import time: an indented one, or a dynamic import."""
    return _INDENTED_IMPORT.search(text) is not None or "import_module" in text or "__import__" in text


class ImportHazards:
    """Every import of a file that INF201 or INF202 may report."""

    def __init__(self, source: SourceFile, names: CleanupNames) -> None:
        self.hazards: list[ImportHazard] = []
        #: imports on no cleanup route of this file (a route through other modules may reach them)
        self.unrouted: list[tuple[FunctionInfo, Site, Swallowed | None]] = []
        if not _imports_in_functions(source) and not any(word in source.text for word in _DYNAMIC_IMPORT_WORDS):
            return  # every import runs at import time: nothing to judge, no function to index
        self.paths = CleanupPaths(source, names)
        bodies = self.paths.bodies
        hoisting = self.hoisting = Hoisting(bodies)
        loaded = self.loaded = LoadedModules(source.path, hoisting.module_modules)
        for function, site in self._import_sites(source):
            if function.is_module or _type_checking_only(site):
                continue
            bound = {name for name, _ in bound_names(site.node)} if isinstance(site.node, (ast.Import, ast.ImportFrom)) else set()
            if hoisting.guards.is_guarded(site.frames, bound) or _unreachable(site, function, bodies.handler_try):
                continue
            route = self.paths.route(site, function)
            swallowed = hoisting.guards.swallowed(site.frames, bound)
            handler = _handler_replaced(site, bodies.handler_try, swallowed)
            if route is None:
                self.unrouted.append((function, site, swallowed))  # whether it is loaded: asked once a route is found
            if route is None and handler is None:
                continue
            hazard = ImportHazard(site, function, route, handler, self.plan(site, function), shown_import(site.node), swallowed, loaded.reason(site.node))
            self.hazards.append(hazard)
        self.hazards.sort(key=lambda h: (h.site.node.lineno, h.site.node.col_offset))

    def plan(self, site: Site, function: FunctionInfo) -> HoistPlan:
        """How to hoist the import; never into an import cycle: a package that imported before the
        fix must import after it (a local import that breaks a cycle stays where it is)."""
        plan = self.hoisting.plan(site, function)
        if plan.safety == SAFE or plan.safety is None:
            return plan
        through = self.loaded.cycle_through(site.node)
        if through is not None:
            return HoistPlan(None, f"at module level it would make an import cycle: `{through}` imports this module while it loads")
        return plan

    def _import_sites(self, source: SourceFile):
        """Import statements in functions, and `importlib.import_module(...)`/`__import__(...)` calls."""
        bodies = self.paths.bodies
        for function in bodies.functions:
            for site in function.imports:
                yield function, site
        lines = matching_lines(_DYNAMIC_IMPORT_TEXT, source.text, _DYNAMIC_IMPORT_WORDS)
        if lines:
            for function, site in list(bodies.calls_on_lines(lines)):
                if self.paths.qualified(site.node.func, _DYNAMIC_IMPORTS) in _DYNAMIC_IMPORTS:
                    yield function, site


def _imports_in_functions(source: SourceFile) -> bool:
    """Whether an import statement sits inside a function (found from the engine's list of imports
    and functions: an indented import may only be inside a module-level `try` or `if`)."""
    nodes = source.nodes_of(_IMPORTS_AND_FUNCTIONS)
    indented = [node.lineno for node in nodes if type(node) in _IMPORT_TYPES and node.col_offset > 0]
    if not indented:
        return False
    spans: list[list[int]] = []  # the functions' line spans, overlapping ones merged
    for first, last in sorted((node.lineno, node.end_lineno or node.lineno) for node in nodes if type(node) not in _IMPORT_TYPES):
        if spans and first <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    starts = [first for first, _ in spans]
    for line in indented:
        index = bisect_right(starts, line) - 1
        if index >= 0 and line <= spans[index][1]:
            return True
    return False


@lru_cache(maxsize=None)
def hazards_for(names: CleanupNames):
    """The analysis for these cleanup names, as `ctx.analysis` takes it (one per configuration)."""
    return partial(ImportHazards, names=names)


def cleanup_names_from(config) -> CleanupNames:
    """The family's cleanup names as configured (`[tool.infralint.cleanup]`)."""
    def words(*options: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for o in options for w in config.option("cleanup", o)))

    return CleanupNames(
        teardown=words("function-names", "extend-function-names"),
        connection=words("connection-function-names"),
        connection_classes=words("connection-classes"),
        ambiguous=words("ambiguous-function-names"),
    )


# -- which imports are exempt -----------------------------------------------------------------------


def _type_checking_only(site: Site) -> bool:
    return any(role == "if" and (dotted_name(node.test) or "").endswith("TYPE_CHECKING") for role, node in site.frames)


def _handler_replaced(site: Site, handler_try: dict, swallowed: Swallowed | None) -> ast.ExceptHandler | None:
    """The innermost handler around the import whose exception a failing import would replace.

    None for the fallback-import idiom, and when a block inside the handler swallows the failure.
    """
    frames = site.frames
    for index in range(len(frames) - 1, -1, -1):
        role, node = frames[index]
        if role != "handler":
            continue
        if swallowed is not None and frames.index(swallowed.frame) > index:
            return None  # the failure stops inside the handler
        if _is_fallback_import(site.node, node, handler_try[node]) or _is_cache_miss(site.node, node, handler_try[node]):
            return None
        return node
    return None


def _is_fallback_import(node: ast.AST, handler: ast.ExceptHandler, try_node: ast.stmt) -> bool:
    """`try: import ujson as json / except ImportError: import json`: the handler imports something
    the try body failed to import — not only what the body imported already, and (for a broad
    handler) under a name the body's import binds."""
    if not isinstance(node, (ast.Import, ast.ImportFrom)):
        return handler_catches_import_error(handler, broad=False)  # `except ImportError: import_module(other)`
    if not handler_catches_import_error(handler, broad=True):
        return False
    ours = _imported_things(node)
    body = [n for s in try_node.body for n in ast.walk(s)]
    alternatives = [n for n in body if isinstance(n, (ast.Import, ast.ImportFrom)) and _imported_things(n) - ours]
    if handler_catches_import_error(handler, broad=False):
        # `try: return import_module(name) / except ImportError: import known_backends`
        return bool(alternatives) or any(isinstance(n, ast.Call) and _is_dynamic_import(n) for n in body)
    if not alternatives:
        return False  # the body imports nothing else: the handler's import fails the same way
    names = {name for name, _ in bound_names(node)}
    return any(names & {name for name, _ in bound_names(other)} for other in alternatives)


_MISSING_KEY = {"KeyError", "LookupError"}


def _is_cache_miss(node: ast.AST, handler: ast.ExceptHandler, try_node: ast.stmt) -> bool:
    """`try: cls = self.classes[path] / except KeyError: module = import_module(name)`: the handler is
    the miss path of a lookup, and the module is named at run time, so it cannot be imported earlier
    — the handler runs on every first use, not when something has gone wrong. The same holds for
    `try: found = getattr(found, part) / except AttributeError: __import__(dotted)` (resolving a
    dotted name one attribute or one module at a time)."""
    if not (isinstance(node, ast.Call) and _is_dynamic_import(node) and node.args) or isinstance(node.args[0], ast.Constant):
        return False
    caught = set(caught_names(handler))
    body = [n for s in try_node.body for n in ast.walk(s)]
    if caught & _MISSING_KEY and any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load) for n in body):
        return True
    return "AttributeError" in caught and any(isinstance(n, ast.Call) and dotted_name(n.func) == "getattr" for n in body)


def _is_dynamic_import(call: ast.Call) -> bool:
    name = dotted_name(call.func) or ""
    return name.rsplit(".", 1)[-1] in ("import_module", "__import__")


def _imported_things(node: ast.Import | ast.ImportFrom) -> set[tuple]:
    """`import a.b` → {("a.b",)}; `from .x import y, z` → {(1, "x", "y"), (1, "x", "z")}."""
    if isinstance(node, ast.Import):
        return {(alias.name,) for alias in node.names}
    return {(node.level, node.module or "", alias.name) for alias in node.names}


_BLOCK_FIELDS = {
    "if": "body", "else": "orelse", "loop": "body", "loop-else": "orelse", "with": "body",
    "try": "body", "try-else": "orelse", "finally": "finalbody", "handler": "body",
}


def _unreachable(site: Site, function: FunctionInfo, handler_try: dict) -> bool:
    """After a `raise`/`return`/`break`/`continue` in its own block or an enclosing one."""
    current: ast.AST = site.statement
    chain = [(getattr(function.node, "body", None), None)]
    chain += [(getattr(node, _BLOCK_FIELDS[role]) if role in _BLOCK_FIELDS else None, node) for role, node in site.frames]
    for block, owner in reversed(chain):
        if not isinstance(block, list):
            return False
        for earlier in block:
            if earlier is current:
                break
            if _terminates(earlier):
                return True
        else:
            return False  # not found: the shape is not what we expected
        current = handler_try.get(owner, owner)
    return False


def _terminates(statement: ast.stmt) -> bool:
    if isinstance(statement, _TERMINAL):
        return True
    if isinstance(statement, ast.If):
        return bool(statement.orelse) and _terminates(statement.body[-1]) and _terminates(statement.orelse[-1])
    return False
