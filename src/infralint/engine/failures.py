"""What the engine itself reports when a file cannot be read, decoded, parsed or compiled, and
how a rule that fails on a file is described: one file's or one rule's trouble never stops a run."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..catalog import load_catalog
from ..finding import Finding
from ..rules.meta import syntax_error_message
from ..source import SourceFile

if TYPE_CHECKING:
    from ..context import FileContext
    from ..rules import Rule


def meta_finding(code: str, message: str, path: str, line: int = 1, col: int = 0) -> Finding:
    entry = load_catalog()[code]
    return Finding(code, entry.name, message, path, line, col, line, col, entry.severity)


def target_python(location: str) -> tuple[int, int] | None:
    """The Python the file's own project targets (the nearest folder above it that states one)."""
    from ..config import target_python_of_folder

    return target_python_of_folder(os.path.dirname(os.path.abspath(location)))


def import_failure(source: SourceFile, target: tuple[int, int] | None = None) -> tuple[str, int, int] | None:
    """INF001's (message, line, column) when importing the file would fail before running it:
    it does not parse, or it parses but the compiler rejects it ('return' outside function…).
    Line 0: the file uses the syntax of a newer Python the project `target`s (a notice)."""
    try:
        tree = source.tree
    except SyntaxError as exc:
        from ..rules.meta import judge_unparsable

        _, line, col = _syntax_error_finding(exc, None)
        message, is_finding = judge_unparsable(source.text, source.path, exc.msg or "invalid syntax", target)
        return (message, line, col) if is_finding else (message, 0, 0)
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"file does not parse: {describe_parser_limit(exc)}; importing it raises {type(exc).__name__}", 1, 0
    from ..rules.meta import compile_time_error

    error = compile_time_error(tree, source.text, source.path)
    return _syntax_error_finding(error, None) if error is not None else None


def _syntax_error_finding(exc: SyntaxError, newer: tuple[int, int] | None) -> tuple[str, int, int]:
    """`newer`: the project's declared Python when it is newer than this one (its syntax may be newer)."""
    line = exc.lineno or 1
    col = max((exc.offset or 1) - 1, 0)  # SyntaxError counts characters, as findings do
    detail = exc.msg if exc.msg else "invalid syntax"
    return syntax_error_message(detail, newer), line, col


def describe_parser_limit(exc: Exception) -> str:
    """Words for the parser's resource errors, which CPython often raises without any text."""
    if isinstance(exc, MemoryError):
        return "too large or too deeply nested for CPython's parser, which ran out of memory"
    if isinstance(exc, RecursionError):
        return "too deeply nested for CPython's parser (recursion limit)"
    return str(exc) or type(exc).__name__


def crash_message(rule: Rule, ctx: FileContext, exc: Exception, line: int | None) -> str:
    where = f"{ctx.display_path}:{line}" if line else ctx.display_path
    if isinstance(exc, (RecursionError, MemoryError)):
        # the file is legal Python this rule's analysis cannot handle: a warning, not a crash;
        # the other rules' findings for the file stand
        return f"{where}: {rule.code} skipped: the file is too large or too deeply nested for its analysis ({type(exc).__name__})"
    return f"internal error in {rule.code} on {where}: {type(exc).__name__}: {exc or 'no message'}"


def describe_decode_error(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError) and exc.encoding in ("utf-16", "utf-32"):
        return f"{exc.reason}; importing it raises SyntaxError"
    if isinstance(exc, UnicodeDecodeError):
        return f"{exc.reason} at byte {exc.start} (not valid {exc.encoding}); importing it raises SyntaxError"
    return f"{exc}; importing it raises SyntaxError"
