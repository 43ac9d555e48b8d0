"""Exit codes and the usage error, shared by the command line and its commands."""

from __future__ import annotations

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage; reported in one line with exit code 2."""
