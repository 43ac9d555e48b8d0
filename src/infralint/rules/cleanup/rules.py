"""INF2xx: imports executed where the process is tearing down or already failing.

At interpreter shutdown an import raises `ImportError: sys.meta_path is None, Python is likely
shutting down`; under load a first-time import does disk I/O and takes the import lock at the
worst moment; inside an `except` handler a failing import replaces the exception being handled.
Both rules share one per-file analysis (`ImportHazards`) and one fix: hoist the import to the
module's top import block.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache, partial

from ...analysis.names import dotted_name
from ...fixes.edits import edits_between
from ...source import SourceFile
from ..base import Rule
from .cleanup_paths import CleanupPaths, Route
from .function_bodies import FunctionInfo, Site, matching_lines
from .hoisting import (
    SAFE,
    Hoisting,
    HoistPlan,
    handler_catches_import_error,
    is_guarded,
)

_DYNAMIC_IMPORTS = {"importlib.import_module", "importlib.__import__", "__import__"}
_DYNAMIC_IMPORT_TEXT = re.compile(r"import_module\(|\b__import__\(")
# an import statement that is indented (so inside some block)
_INDENTED_IMPORT = re.compile(r"\n[ \t]+(?:import|from)[ \t(]")
_TERMINAL = (ast.Raise, ast.Return, ast.Continue, ast.Break)


@dataclass(eq=False)
class ImportHazard:
    """An import that runs inside a function, on a cleanup path and/or in an `except` handler."""

    site: Site
    function: FunctionInfo
    route: Route | None
    handler: ast.ExceptHandler | None  # the handler whose exception a failing import would replace
    plan: HoistPlan
    shown: str  # `import json`, `from .db import pool`, `importlib.import_module(...)`


class ImportHazards:
    """Every import of a file that INF201 or INF202 may report."""

    def __init__(self, source: SourceFile, function_names: tuple[str, ...]) -> None:
        self.paths = CleanupPaths(source, function_names)
        bodies = self.paths.bodies
        hoisting = Hoisting(bodies)
        self.hazards: list[ImportHazard] = []
        for function, site in self._import_sites(source):
            if function.is_module or _type_checking_only(site) or is_guarded(site.frames):
                continue
            if _unreachable(site, function, bodies.handler_try):
                continue
            route = self.paths.route(site, function)
            handler = _handler_replaced(site, bodies.handler_try)
            if route is None and handler is None:
                continue
            self.hazards.append(ImportHazard(site, function, route, handler, hoisting.plan(site, function), _show(site.node)))
        self.hazards.sort(key=lambda h: (h.site.node.lineno, h.site.node.col_offset))

    def _import_sites(self, source: SourceFile):
        """Import statements in functions, and `importlib.import_module(...)`/`__import__(...)` calls."""
        bodies = self.paths.bodies
        for function in bodies.functions:
            for site in function.imports:
                yield function, site
        lines = matching_lines(_DYNAMIC_IMPORT_TEXT, source.text)
        if lines:
            for function, site in list(bodies.calls_on_lines(lines)):
                if self.paths.qualified(site.node.func, _DYNAMIC_IMPORTS) in _DYNAMIC_IMPORTS:
                    yield function, site


@lru_cache(maxsize=None)
def _hazards_for(function_names: tuple[str, ...]):
    return partial(ImportHazards, function_names=function_names)


class _CleanupImportRule(Rule):
    """What INF201 and INF202 share: the pre-filter, the analysis and the hoisting fix."""

    def __init__(self, config) -> None:
        super().__init__(config)
        names = [*config.option("cleanup", "function-names"), *config.option("cleanup", "extend-function-names")]
        self._factory = _hazards_for(tuple(dict.fromkeys(names)))

    def applies_to(self, ctx) -> bool:
        text = ctx.source.text
        return _INDENTED_IMPORT.search(text) is not None or "import_module" in text or "__import__" in text

    def hazards(self, ctx) -> list[ImportHazard]:
        return ctx.analysis(self._factory).hazards

    def hoist_fix(self, hazard: ImportHazard):
        if hazard.plan.safety is None:
            return None
        node = hazard.site.node
        title = f"Move `{hazard.shown}` to the module's top import block"
        return self.make_fix(title, unsafe=hazard.plan.safety != SAFE, line=node.lineno, col=node.col_offset)

    def advice(self, hazard: ImportHazard) -> str:
        if hazard.plan.safety == SAFE or hazard.plan.safety is None:
            return "import it at module level"
        return f"import it at module level (an unsafe fix: {hazard.plan.reason})"

    def resolve_fix(self, finding, ctx):
        data = finding.fix.data
        text = ctx.source.text
        from .hoist_fix import (
            hoist_import,  # LibCST: only paid for when a fix is wanted
        )

        return edits_between(text, hoist_import(text, data["line"], data["col"]))

    def fix_together(self, findings, ctx):
        from .hoist_fix import hoist_imports  # every hoist of the file from one LibCST parse

        return hoist_imports(ctx.source.text, [(f.fix.data["line"], f.fix.data["col"]) for f in findings])


class ImportInCleanupRule(_CleanupImportRule):
    """INF201: an import executed on a cleanup path."""

    code = "INF201"

    def finish(self, ctx):
        for hazard in self.hazards(ctx):
            if hazard.route is not None:
                message = (
                    f"`{hazard.shown}` runs in {_where(hazard)}: on a cleanup path an import fails at interpreter "
                    f"shutdown (`ImportError: sys.meta_path is None`), masking the original error, and under load "
                    f"it blocks on disk and the import lock; {self.advice(hazard)}"
                )
                yield self.report(ctx, hazard.site.node, message, fix=self.hoist_fix(hazard))


class ImportInErrorHandlerRule(_CleanupImportRule):
    """INF202: an import executed inside an `except` handler."""

    code = "INF202"

    def __init__(self, config) -> None:
        super().__init__(config)
        # an import on a cleanup path inside a handler is INF201's, when that rule runs
        self._cleanup_rule_runs = "INF201" in config.enabled_codes()

    def finish(self, ctx):
        for hazard in self.hazards(ctx):
            if hazard.handler is None or (hazard.route is not None and self._cleanup_rule_runs):
                continue
            caught = _caught(hazard.handler)
            message = (
                f"`{hazard.shown}` runs inside an `except {caught}` handler in `{hazard.function.display_name}`: if the "
                f"import fails (interpreter shutdown, a missing or broken module) its `ImportError` replaces the "
                f"{caught if caught != 'BaseException' else 'exception'} being handled; {self.advice(hazard)}"
            )
            yield self.report(ctx, hazard.site.node, message, fix=self.hoist_fix(hazard))


# -- what the messages say ----------------------------------------------------------------------------


def _where(hazard: ImportHazard) -> str:
    route = hazard.route
    if not route.via:
        return route.root.where
    path = " → ".join(f"`{name}`" for name in route.via)
    return f"`{hazard.function.display_name}`, reached from {route.root.where} via {path}"


def _show(node: ast.AST) -> str:
    if isinstance(node, ast.Import):
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        text = f"import {names}"
    elif isinstance(node, ast.ImportFrom):
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        text = f"from {'.' * node.level}{node.module or ''} import {names}"
    else:
        text = f"{dotted_name(node.func) or 'import'}(...)"
    return text if len(text) <= 60 else text[:57] + "..."


def _caught(handler: ast.ExceptHandler) -> str:
    if handler.type is None:
        return "BaseException"
    spelled = dotted_name(handler.type)
    if spelled:
        return spelled
    if isinstance(handler.type, ast.Tuple):
        names = [dotted_name(e) or "…" for e in handler.type.elts]
        return f"({', '.join(names)})"
    return "…"


# -- which imports are exempt -----------------------------------------------------------------------


def _type_checking_only(site: Site) -> bool:
    return any(role == "if" and (dotted_name(node.test) or "").endswith("TYPE_CHECKING") for role, node in site.frames)


def _handler_replaced(site: Site, handler_try: dict) -> ast.ExceptHandler | None:
    """The innermost handler around the import, unless it is the fallback-import idiom."""
    for role, node in reversed(site.frames):
        if role != "handler":
            continue
        if handler_catches_import_error(node, broad=False):
            return None  # `except ImportError: import fallback`
        if handler_catches_import_error(node, broad=True) and _contains_import(handler_try[node].body):
            return None  # `try: import fast / except Exception: import slow`
        return node
    return None


def _contains_import(statements: list[ast.stmt]) -> bool:
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) for s in statements for n in ast.walk(s))


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
