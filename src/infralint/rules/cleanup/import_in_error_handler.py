"""INF202 import-in-error-handler: an import executed inside an `except` handler, whose failure
would replace the exception being handled. Fix: hoist the import (`CleanupImportRule`)."""

from __future__ import annotations

import ast

from ...analysis.names import dotted_name
from .cleanup_import_rule import CleanupImportRule


class ImportInErrorHandler(CleanupImportRule):
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
            where = f"`{hazard.shown}` runs inside an `except {caught}` handler in `{hazard.function.display_name}`"
            if hazard.at_finalization and hazard.loaded is not None:
                message = f"{where}: {self.at_finalization(hazard)}; {self.loaded_advice(hazard)}"
            elif hazard.loaded is not None:
                message = f"{where}: {self.already_loaded(hazard)}; {self.loaded_advice(hazard)}"
            else:
                message = (
                    f"{where}: if the import fails (interpreter shutdown, a missing or broken module) its `ImportError` "
                    f"replaces the {caught if caught != 'BaseException' else 'exception'} being handled; {self.advice(hazard)}"
                )
            yield self.report(ctx, hazard.site.node, message, fix=self.hoist_fix(hazard))


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
