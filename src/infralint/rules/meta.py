"""INF0xx: problems with the file itself and with suppressions. The engine emits these."""

from __future__ import annotations

import sys

from .base import Rule


class SyntaxErrorRule(Rule):
    """INF001: the file does not parse; nothing else can be checked in it."""

    code = "INF001"
    engine_rule = True


class UnreadableFileRule(Rule):
    """INF002: the file cannot be read or decoded (binary, bad encoding, permissions)."""

    code = "INF002"
    engine_rule = True


class UnusedNoqaRule(Rule):
    """INF003: a `# noqa: INF…` comment that suppresses nothing (off by default)."""

    code = "INF003"
    engine_rule = True


def _version(version: tuple[int, int]) -> str:
    return ".".join(map(str, version))


def syntax_error_message(detail: str, required: tuple[int, int] | None) -> str:
    """INF001's message; `required` is the project's newer Python when this interpreter is older."""
    if required is not None:
        running = _version(sys.version_info[:2])
        return (
            f"needs Python {_version(required)} syntax: Python {running} cannot parse it ({detail}); "
            f"lint it with infralint installed under Python {_version(required)}"
        )
    return f"file does not parse: {detail}; importing it raises SyntaxError"


def newer_syntax_note(required: tuple[int, int], files: int) -> str:
    """The one-time note of a run in which files were reported as needing a newer Python."""
    running = _version(sys.version_info[:2])
    return (
        f"this project requires Python ≥ {_version(required)}; infralint runs on {running} — install it under "
        f"{_version(required)} ({files} file{'s' if files != 1 else ''} reported as needing Python {_version(required)} syntax)"
    )
