"""Facts the cleanup family states for the project model: where teardown enters other modules.

A `CleanupEntry` says "this callable runs at teardown" when the file that says so is not the file
that defines it: `atexit.register(shutdown)` in `main.py` with `shutdown` imported from
`lifecycle.py`, or `finally: pool.close_all()` calling into `db.py`. With the callers the project
knows, INF201 follows a teardown route across modules to an import that would run on it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from ...project import Fact, PythonFile, fact_kind, python_extractor
from ...source import walk_types
from .cleanup_paths import _REGISTRATION_TEXT, CleanupPaths

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


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
    if _REGISTRATION_TEXT.search(text):
        entries.extend(_registrations(file))
    if "finally" in text:
        entries.extend(_finally_calls(file))
    return entries


def _registrations(file: PythonFile) -> Iterable[CleanupEntry]:
    paths = CleanupPaths(file.source)
    for call in walk_types(file.source.tree, (ast.Call,)):
        for target, how in paths._registered_by_call(call):  # the family's own list of registrations
            qualified = file.names.qualified(target)
            if qualified:
                yield CleanupEntry(file.path, call.lineno, qualified, f"registered with {how}")


def _finally_calls(file: PythonFile) -> Iterable[CleanupEntry]:
    """Calls made in `finally` blocks of functions, to whatever the file's names resolve them to."""
    for function in walk_types(file.source.tree, (ast.FunctionDef, ast.AsyncFunctionDef)):
        stack: list[ast.AST] = list(function.body)
        while stack:
            node = stack.pop()
            if isinstance(node, _SCOPES):
                continue
            if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
                for call in _calls(node.finalbody):  # type: ignore[attr-defined]
                    qualified = file.names.qualified(call.func)
                    if qualified:
                        yield CleanupEntry(file.path, call.lineno, qualified, f"the `finally` block of `{function.name}`")
            stack.extend(ast.iter_child_nodes(node))


def _calls(statements: list[ast.stmt]) -> Iterable[ast.Call]:
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))
