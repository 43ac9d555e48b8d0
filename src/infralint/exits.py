"""Exit codes and the usage error, shared by the command line and its commands."""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage; reported in one line with exit code 2."""


def leave(code: int) -> NoReturn:
    """End the `infralint` command with `code`, skipping the interpreter's teardown.

    A finished cold run still holds every parse kept for the project phase, the joined project
    and the results: at a normal exit CPython frees them one object at a time and its last cycle
    collection scans them all, about a quarter of a cold run on the generated service. What the
    command owes the outside world is done first: the exit handlers run (temporary folders,
    worker pools) and both standard streams are flushed; everything else it writes (reports,
    fixes, the cache) is written through closed files before this point."""
    code = _flushed(code)
    atexit._run_exitfuncs()  # the same handlers, in the same order, as a normal exit runs
    os._exit(_flushed(code))


def _flushed(code: int) -> int:
    """`code`, or 120 (as CPython exits) when a standard stream cannot take what is buffered."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", False):
            continue  # closed by the run (the language server's transport): nothing is buffered
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (broken pipe)
            code = code or 120
    return code
