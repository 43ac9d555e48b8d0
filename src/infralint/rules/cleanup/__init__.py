"""INF2xx cleanup-path imports: imports that first run in teardown or error handling.

One module per rule (`import_in_cleanup`, `import_in_error_handler`) over their shared base
(`cleanup_import_rule`) and per-file analysis (`import_hazards`). `function_bodies` indexes imports
and calls per function, `cleanup_paths` (with `yield_flow`) decides which functions run at
teardown, `hoisting` and `hoist_fix` plan and write the fix.
"""

from . import project_facts  # noqa: F401 - registers the family's facts (teardown entries across modules)
