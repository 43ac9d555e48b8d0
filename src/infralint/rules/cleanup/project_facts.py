"""Facts the cleanup family states for the project model: where teardown enters other modules.

A `CleanupEntry` says "this callable runs at teardown" when the file that says so is not the file
that defines it: `atexit.register(shutdown)` in `main.py` with `shutdown` imported from
`lifecycle.py`, or `finally: pool.close_all()` calling into `db.py`. With the callers the project
knows, INF201 follows a teardown route across modules to an import that would run on it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from operator import attrgetter
from typing import Iterable

from ...project import Fact, PythonFile, fact_kind, python_extractor
from .cleanup_paths import _REGISTRATION_TEXT, REGISTRATION_WORDS, CleanupPaths
from .function_bodies import matching_lines


_COLUMN = attrgetter("col_offset")


@fact_kind("cleanup-entry")
@dataclass
class CleanupEntry(Fact):
    """`target` (qualified) runs at teardown; `how` says why, in words for a message."""

    target: str = ""
    how: str = ""


@python_extractor
def cleanup_entries(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    entries: list[Fact] = []
    lines = matching_lines(_REGISTRATION_TEXT, text, REGISTRATION_WORDS)
    if lines:
        entries.extend(_registrations(file, lines))
    if "finally" in text:
        entries.extend(_finally_calls(file))
    return entries


class _Names:
    """What `CleanupPaths._registered_by_call` asks of its owner (`qualified`), answered from the
    project's qualified names, so finding registrations costs no whole-file cleanup analysis."""

    def __init__(self, file: PythonFile) -> None:
        self.file = file

    def qualified(self, expr: ast.expr, wanted: set[str]) -> str | None:
        return self.file.names.library_name(expr) or None


def _registrations(file: PythonFile, lines: set[int]) -> Iterable[CleanupEntry]:
    names = _Names(file)
    for call in file.nodes(ast.Call):
        if call.lineno not in lines and (call.end_lineno or call.lineno) not in lines:
            continue
        for target, how in CleanupPaths._registered_by_call(names, call):  # type: ignore[arg-type]
            qualified = file.names.qualified(target)
            if qualified:
                yield CleanupEntry(file.path, call.lineno, qualified, f"registered with {how}")


def _finally_calls(file: PythonFile) -> Iterable[CleanupEntry]:
    """Calls made in `finally` blocks of functions, to whatever the file's names resolve them to."""
    tries = file.nodes(ast.Try, *([ast.TryStar] if hasattr(ast, "TryStar") else []))
    if not any(t.finalbody for t in tries):  # type: ignore[attr-defined]
        return
    blocks = [
        (function, node.finalbody[0].lineno, node.finalbody[-1].end_lineno or node.finalbody[0].lineno)  # type: ignore[attr-defined]
        for node in tries
        if node.finalbody and (function := file.scopes.function_at(node.lineno)) is not None  # type: ignore[attr-defined]
    ]
    if not blocks:
        return
    # the calls by line (in the traversal's order within a line): a `finally` block reads only
    # its own lines, and sorting every call of the file by position would cost more
    by_line: dict[int, list[ast.Call]] = {}
    low, high = min(first for _, first, _ in blocks), max(last for _, _, last in blocks)
    for call in file.nodes(ast.Call):
        if low <= call.lineno <= high:
            by_line.setdefault(call.lineno, []).append(call)
    for function, first, last in blocks:
        name = function.qualname.rsplit(".", 1)[-1]
        for line in range(first, last + 1):
            for call in sorted(by_line.get(line, ()), key=_COLUMN):
                qualified = file.names.qualified(call.func)
                if qualified:
                    yield CleanupEntry(file.path, call.lineno, qualified, f"the `finally` block of `{name}`")
