"""One file on disk, read and linted; the path findings show for it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..results import FileResult
from ..safe_files import describe_os_error, read_regular_file
from .failures import describe_parser_limit, meta_finding

if TYPE_CHECKING:
    from .linter import Linter


def display_path(path: Path) -> str:
    """Paths are reported relative to the working directory when they are inside it."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        # realpath, not Path.resolve: a symbolic-link loop must not raise (Python 3.11 does)
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(os.getcwd())).as_posix()
    except ValueError:
        return path.as_posix()


def lint_path(linter: Linter, path: Path, resolve_fixes: bool, *, project=None, defer: bool = False) -> FileResult:
    """One file on disk: read, linted, and every failure turned into a finding or an error."""
    shown = display_path(path)
    try:
        data = read_regular_file(path)
    except OSError as exc:
        result = FileResult(shown)
        if "INF002" in linter.enabled:
            result.findings.append(meta_finding("INF002", f"file cannot be read: {describe_os_error(exc)}", shown))
        return result
    try:
        return linter.lint_bytes(data, shown, resolve_fixes=resolve_fixes, project=project, defer=defer)
    except Exception as exc:  # one file's trouble never stops the run: the others are still linted
        result = FileResult(shown)
        result.errors.append(f"internal error on {shown}: {type(exc).__name__}: {exc or describe_parser_limit(exc)}")
        return result
