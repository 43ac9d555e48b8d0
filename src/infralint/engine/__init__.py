"""The engine: the rules run over files.

Per file (`linter.Linter`): read and decode → parse, and what would stop its import
(`failures`) → one walk (`traversal`) → the rules → per-file ignores and `noqa` (`ignores`) →
the fixes' edits (`fixes.resolve`). Configuration and fact files take their own path
(`file_kinds`).

Per run (`run.lint_files`): cached results, phase one on every core (`scheduling`), the facts
joined, phase two (`project_phase`) finishing the files that wait for the project from the parse
phase one kept (`retained`). What a lint read of other files keys its cache entry
(`dependencies`). The fix loop lives in `fixes.loop`.
"""

from .files import display_path, lint_path
from .linter import Linter
from .project_phase import join_project
from .retained import RetainedContexts
from .run import facts_of_files, file_set_digest, iter_findings, lint_files, lint_first_phase, lint_project_phase
from .scheduling import POOL_MIN_FILES, ProjectPhase, default_jobs

__all__ = [
    "Linter",
    "POOL_MIN_FILES",
    "ProjectPhase",
    "RetainedContexts",
    "default_jobs",
    "display_path",
    "facts_of_files",
    "file_set_digest",
    "iter_findings",
    "join_project",
    "lint_files",
    "lint_first_phase",
    "lint_path",
    "lint_project_phase",
]
