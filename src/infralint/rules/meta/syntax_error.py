"""INF001 syntax-error: the file does not parse (or does not compile); nothing else can be checked
in it. The engine emits it (`judge_unparsable`, `compile_errors.compile_time_error`), and a file
whose syntax only a newer Python accepts gets a notice instead (`newer_syntax_note`)."""

from __future__ import annotations

import re
import sys

from ..base import Rule


class SyntaxErrorRule(Rule):
    """INF001: the file does not parse; nothing else can be checked in it. (`SyntaxError` is the
    builtin's name, so the class takes the suffix `Rule`.)"""

    code = "INF001"
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


def judge_unparsable(text: str, path: str, detail: str, target: tuple[int, int] | None) -> tuple[str, bool]:
    """What to say of a file the running Python cannot parse, judged against the project's target
    Python (`target`, None when undeclared): (message, whether it is an INF001 finding). A file
    whose syntax only a newer Python accepts, and which the target allows, is never called a
    syntax error: it gets a one-line notice that it was not analysed here."""
    running = sys.version_info[:2]
    if not _may_use_newer_syntax(text):
        return syntax_error_message(detail, None), True  # nothing a newer grammar added: skip LibCST
    from ...newer_syntax import UNRECOGNISED, newer_syntax

    newer = newer_syntax(text)
    if newer is None or (newer.needs != UNRECOGNISED and newer.needs <= running):
        return syntax_error_message(detail, None), True  # no Python accepts it
    if newer.needs == UNRECOGNISED:  # LibCST accepts it, for no reason it can name
        if target is None or target <= running:
            return syntax_error_message(detail, None), True
        return _not_analysed(path, detail, target), False
    if target is not None and target < newer.needs:
        return (
            f"uses Python {_version(newer.needs)} syntax ({newer.feature}) but the project targets Python "
            f"{_version(target)}: importing it there raises SyntaxError"
        ), True
    return _not_analysed(path, newer.feature, newer.needs), False


# What the grammars after 3.11 added, spotted in the text before LibCST is loaded: type parameters
# and `type` aliases (PEP 695/696), `except A, B:` (PEP 758), template strings (PEP 750), and
# f-strings (PEP 701 lifted their limits). A Python 2 file or a broken test file has none of them.
_NEWER_SYNTAX_HINT = re.compile(
    r"^[ \t]*type[ \t]+\w+|\b(?:def|class)[ \t]+\w+[ \t]*\[|\bexcept[ \t]*\*?[ \t]*[\w.]+[ \t]*,|(?<![\w])(?:[rR]?[tTfF]|[tTfF][rR])[\"']",
    re.MULTILINE,
)


def _may_use_newer_syntax(text: str) -> bool:
    return _NEWER_SYNTAX_HINT.search(text) is not None


def _not_analysed(path: str, why: str, needs: tuple[int, int]) -> str:
    return (
        f"note: {path} needs Python ≥ {_version(needs)} ({why}): Python {_version(sys.version_info[:2])} cannot "
        f"parse it, so it was not analysed; lint it with infralint installed under Python {_version(needs)}"
    )


def newer_syntax_note(required: tuple[int, int], files: int) -> str:
    """The one-time note of a run in which files were reported as needing a newer Python."""
    running = _version(sys.version_info[:2])
    return (
        f"this project requires Python ≥ {_version(required)}; infralint runs on {running} — install it under "
        f"{_version(required)} ({files} file{'s' if files != 1 else ''} reported as needing Python {_version(required)} syntax)"
    )
