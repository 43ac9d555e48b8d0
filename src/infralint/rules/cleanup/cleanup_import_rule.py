"""What INF201 and INF202 share: the pre-filter, the per-file analysis (`import_hazards`), the
advice their messages end with, and the one fix both offer — hoist the import to the module's top
import block (`hoist_fix`).

At interpreter shutdown an import raises `ImportError: sys.meta_path is None, Python is likely
shutting down`; under load a first-time import does disk I/O and takes the import lock at the
worst moment; inside an `except` handler a failing import replaces the exception being handled.
"""

from __future__ import annotations

import ast

from ...fix_data import HoistImport
from ...fixes.edits import edits_between
from ..base import Rule
from .hazard import ImportHazard
from .hoisting import SAFE
from .import_hazards import cleanup_names_from, hazards_for, may_import_late
from .loaded_modules import MODULE_LEVEL


class CleanupImportRule(Rule):
    """What INF201 and INF202 share: the pre-filter, the analysis and the hoisting fix."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self._cleanup_names = cleanup_names_from(config)
        self._factory = hazards_for(self._cleanup_names)
        self._report_loaded = config.option("cleanup", "report-loaded-modules")

    def applies_to(self, ctx) -> bool:
        return may_import_late(ctx.source.text)

    def hazards(self, ctx) -> list[ImportHazard]:
        """The hazards to report: a module already loaded is no first import, unless asked for —
        except on a route from `__del__`, which also runs when every import fails."""
        return [h for h in ctx.analysis(self._factory).hazards if not h.judged_loaded or self._report_loaded]

    def hoist_fix(self, hazard: ImportHazard):
        if hazard.plan.safety is None:
            return None
        node = hazard.site.node
        title = f"Move `{hazard.shown}` to the module's top import block"
        return self.make_fix(title, HoistImport(node.lineno, node.col_offset), unsafe=hazard.plan.safety != SAFE)

    def advice(self, hazard: ImportHazard) -> str:
        if hazard.plan.safety is None and "import cycle" in hazard.plan.reason:
            return f"it cannot move to module level ({hazard.plan.reason}): bind what it needs once, when the package has loaded"
        if hazard.plan.safety == SAFE or hazard.plan.safety is None:
            return "import it at module level"
        return f"import it at module level (an unsafe fix: {hazard.plan.reason})"

    @staticmethod
    def already_loaded(hazard: ImportHazard) -> str:
        return (
            f"the module is already loaded ({hazard.loaded}) and this code runs before CPython empties `sys.modules` at "
            f"shutdown: the import is a `sys.modules` lookup that does no disk I/O"
        )

    @staticmethod
    def at_finalization(hazard: ImportHazard) -> str:
        return (
            f"the module is already loaded ({hazard.loaded}), but `__del__` also runs while the interpreter finalizes, after CPython has set `sys.meta_path` to None "
            f"and emptied `sys.modules`, where every import raises `ImportError: sys.meta_path is None, Python is likely "
            f"shutting down`"
        )

    def loaded_advice(self, hazard: ImportHazard) -> str:
        node = hazard.site.node
        if hazard.loaded == MODULE_LEVEL and isinstance(node, ast.Import) and not any(a.asname for a in node.names):
            return "drop the local import: the module-level import binds the same name"
        return self.advice(hazard)

    def resolve_fix(self, finding, ctx):
        hoist: HoistImport = finding.fix.data
        text = ctx.source.text
        from .hoist_fix import hoist_imports  # LibCST: only paid for when a fix is wanted

        # the file's own `ast`, LibCST on the statements the hoist touches only, no position
        # metadata: on a large module a small part of the cost of `hoist_import`, whose text it gives
        return edits_between(text, hoist_imports(text, [(hoist.line, hoist.col)], ctx.source.tree))

    def fix_together(self, findings, ctx):
        from .hoist_fix import hoist_imports  # every hoist of the file from one LibCST parse

        return hoist_imports(ctx.source.text, [(f.fix.data.line, f.fix.data.col) for f in findings], ctx.source.tree)
