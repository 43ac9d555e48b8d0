"""One import that INF201 or INF202 may report, as the file's own analysis and the cross-module
routes (`cross_module`) both build it."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...analysis.names import dotted_name
from .cleanup_paths import Route
from .function_bodies import FunctionInfo, Site
from .hoisting import HoistPlan
from .import_guards import Swallowed


@dataclass(eq=False)
class ImportHazard:
    """An import that runs inside a function, on a cleanup path and/or in an `except` handler."""

    site: Site
    function: FunctionInfo
    route: Route | None
    handler: ast.ExceptHandler | None  # the handler whose exception a failing import would replace
    plan: HoistPlan
    shown: str  # `import json`, `from .db import pool`, `importlib.import_module(...)`
    swallowed: Swallowed | None  # a broad handler or suppressing `with` that swallows its failure
    loaded: str | None  # why the module is certainly loaded already (then it is no first import)

    @property
    def at_finalization(self) -> bool:
        """On a route from `__del__`: it also runs after CPython has emptied `sys.modules`."""
        return self.route is not None and self.route.root.at_finalization

    @property
    def judged_loaded(self) -> bool:
        """A loaded module counts as harmless here: a `sys.modules` lookup, unless the code also
        runs during interpreter finalization, where no import succeeds."""
        return self.loaded is not None and not self.at_finalization


def shown_import(node: ast.AST) -> str:
    """`import json`, `from .db import pool`, `importlib.import_module(...)`: how a message names an import."""
    if isinstance(node, ast.Import):
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        text = f"import {names}"
    elif isinstance(node, ast.ImportFrom):
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        text = f"from {'.' * node.level}{node.module or ''} import {names}"
    else:
        text = f"{dotted_name(node.func) or 'import'}(...)"
    return text if len(text) <= 60 else text[:57] + "..."
