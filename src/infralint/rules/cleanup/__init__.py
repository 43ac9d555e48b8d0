"""INF2xx cleanup-path imports: imports that first run in teardown or error handling.

`function_bodies` indexes imports and calls per function, `cleanup_paths` (with `yield_flow`)
decides which functions run at teardown, `hoisting` and `hoist_fix` plan and write the fix.
"""

from . import project_facts  # noqa: F401 - registers the family's facts (teardown entries across modules)
from .rules import ImportInCleanupRule, ImportInErrorHandlerRule

__all__ = ["ImportInCleanupRule", "ImportInErrorHandlerRule"]
