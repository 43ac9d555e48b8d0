"""What the scope rules need of another module of the project, read once and kept small.

Another module is parsed (never imported) to learn which of its top-level functions never return and
which names a `from it import *` provides; only those facts are kept, keyed by path and modification
time, and the syntax tree is dropped at once. Keeping whole trees of every consulted module alive
for the rest of a run made every full garbage collection rescan them.
"""

from __future__ import annotations

import ast
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from ...analysis import project_modules
from .noreturn_defs import top_level_noreturn
from .star_imports import provided_names

_MAX_REEXPORTS = 3  # `from .compat import reraise` in a package `__init__`, followed this many times


@dataclass(frozen=True)
class ModuleFacts:
    # the last top-level binding of each function name: True/False (a `def` that never returns or
    # does) or (level, module, name) for a `from module import name` it re-exports
    functions: dict
    star_names: frozenset[str] | None  # what `from module import *` binds; None when unknowable


_facts: dict[str, tuple[float, ModuleFacts | None]] = {}


def facts_of(path: Path) -> ModuleFacts | None:
    key = str(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _facts.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    facts = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_bytes(), filename=key)
    except Exception:  # a module that cannot be read or parsed tells nothing
        pass
    else:
        facts = ModuleFacts(top_level_noreturn(tree), provided_names(tree))
    _facts[key] = (mtime, facts)
    return facts


def imported_noreturn(importer: str, level: int, module: str, name: str, depth: int = 0) -> bool:
    """Whether `name`, imported from the project module `module`, is a function that never returns."""
    found = project_modules.locate(importer, level, module, [name])
    if found is None or len(found[2]) != 1:
        return False
    facts = facts_of(found[0])
    answer = facts.functions.get(found[2][0], False) if facts is not None else False
    if isinstance(answer, tuple):  # re-exported: follow it a few times (an import cycle answers "returns")
        return depth < _MAX_REEXPORTS and imported_noreturn(str(found[0]), *answer, depth + 1)
    return answer


def star_import_names(importer: str, level: int, module: str) -> frozenset[str] | None:
    """The names `from module import *` binds, when `module` is a project module whose names are known."""
    parts = module.split(".") if module else []
    if not parts:
        return None  # `from . import *` names a package's `__init__`: its submodules are loaded lazily
    found = project_modules.locate(importer, level, ".".join(parts[:-1]), [parts[-1]])
    if found is None or found[2]:
        return None
    facts = facts_of(found[0])
    return None if facts is None else facts.star_names
