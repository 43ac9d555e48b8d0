"""INF201 import-in-cleanup: an import executed on a cleanup path (`finally`, `__exit__`, `__del__`,
shutdown hooks and teardown functions, and what they call), where it fails at interpreter shutdown
or blocks on disk and the import lock. Fix: hoist the import (`CleanupImportRule`)."""

from __future__ import annotations

from .cleanup_import_rule import CleanupImportRule
from .hazard import ImportHazard


class ImportInCleanup(CleanupImportRule):
    """INF201: an import executed on a cleanup path."""

    code = "INF201"
    uses_project = True  # teardown routes that cross modules (`cross_module`)

    def needs_project(self, project, facts) -> bool:
        from .cross_module import imports_on_teardown_routes

        return imports_on_teardown_routes(project, facts, self._cleanup_names)

    def finish(self, ctx):
        hazards = self.hazards(ctx)
        if ctx.project is not None:
            from .cross_module import project_hazards

            hazards = hazards + [h for h in project_hazards(ctx, ctx.analysis(self._factory), self._cleanup_names) if not h.judged_loaded or self._report_loaded]
        for hazard in hazards:
            if hazard.route is not None:
                yield self.report(ctx, hazard.site.node, self._message(hazard), fix=self.hoist_fix(hazard))

    def _message(self, hazard: ImportHazard) -> str:
        where = f"`{hazard.shown}` runs in {_where(hazard)}"
        if hazard.at_finalization and hazard.loaded is not None:
            swallowed = f"; {hazard.swallowed.what} swallows that failure, so the rest of this cleanup is skipped silently" if hazard.swallowed else ""
            return f"{where}: {self.at_finalization(hazard)}{swallowed}; {self.loaded_advice(hazard)}"
        if hazard.loaded is not None:
            return f"{where}: {self.already_loaded(hazard)}; {self.loaded_advice(hazard)}"
        if hazard.route.root.at_exit:
            return (
                f"{where}: `atexit` callbacks run before CPython tears the import system down, so the import still works, "
                f"but as a first import at exit it reads from disk and takes the import lock while the process stops, and a "
                f"module missing or broken in this deployment fails only then; {self.advice(hazard)}"
            )
        if hazard.swallowed is not None:
            return (
                f"{where}: on a cleanup path an import fails at interpreter shutdown (`ImportError: sys.meta_path is "
                f"None`); {hazard.swallowed.what} swallows that failure, so the rest of this cleanup is skipped silently "
                f"instead of the original error being masked; {self.advice(hazard)}"
            )
        return (
            f"{where}: on a cleanup path an import fails at interpreter shutdown (`ImportError: sys.meta_path is None`), "
            f"masking the original error, and under load it blocks on disk and the import lock; {self.advice(hazard)}"
        )


def _where(hazard: ImportHazard) -> str:
    route = hazard.route
    if not route.via:
        return route.root.where
    path = " → ".join(f"`{name}`" for name in route.via)
    return f"`{hazard.function.display_name}`, reached from {route.root.where} via {path}"
