"""Fact extractors: who turns a file into facts. Families register theirs here.

Two kinds of extractor:

- `@python_extractor` — `fn(file: PythonFile) -> Iterable[Fact]`, called for every parsed Python file
  (`file.source` is the `SourceFile`, `file.module` its dotted module name, `file.names` qualifies
  local names through imports, relative ones included).
- `@file_extractor("*.tf", "nginx.conf", …)` — `fn(path: str, text: str) -> Iterable[Fact]`, called
  for every file whose name matches one of the patterns (`fnmatch` on the file name).
  `needed_by="INF5"`: only the rules of those codes read its facts, so it runs only when one of
  them is enabled (a run with `--select INF3` never parses a browser bundle).

Extractors run in the worker processes, see one file only, never import or execute it, and must
be deterministic: their output is cached by the file's content digest.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..analysis import project_modules
from ..input_warnings import collect_input_warnings
from .facts import Fact, FileFacts

if TYPE_CHECKING:
    from ..source import SourceFile
    from .names import QualifiedNames
    from .scopes import Scopes

PythonExtractor = Callable[["PythonFile"], Iterable[Fact]]
FileExtractor = Callable[[str, str], Iterable[Fact]]

_python_extractors: list[PythonExtractor] = []
#: no deployment configuration or browser client is this large: a data dump, never parsed
MAX_FACT_FILE_CHARS = 5_000_000
_file_extractors: list[tuple[tuple[str, ...], FileExtractor, str | None]] = []


def python_extractor(fn: PythonExtractor) -> PythonExtractor:
    """Register `fn` to extract facts from every Python file."""
    if fn not in _python_extractors:
        _python_extractors.append(fn)
    return fn


def file_extractor(*patterns: str, needed_by: str | None = None) -> Callable[[FileExtractor], FileExtractor]:
    """Register a function extracting facts from files whose name matches one of `patterns`
    (for the rules whose codes start with `needed_by` only, when given)."""

    def register(fn: FileExtractor) -> FileExtractor:
        if all(fn is not existing for _, existing, _ in _file_extractors):
            _file_extractors.append((patterns, fn, needed_by))
        return fn

    return register


def wants_file(path: str | Path, enabled: "frozenset[str] | set[str] | None" = None) -> bool:
    """Whether some file extractor reads this (non-Python) file; with `enabled` (the run's rule
    codes), one that some enabled rule needs (browser clients only for the WebSocket rules)."""
    name = os.path.basename(path) if isinstance(path, str) else path.name
    return _name_test(None if enabled is None else frozenset(enabled), len(_file_extractors))(os.path.normcase(name)) is not None


@lru_cache(maxsize=64)
def _name_test(enabled: "frozenset[str] | None", extractors: int) -> Callable[[str], object]:
    """One compiled pattern for every name the chosen extractors read: a walk asks for each of
    thousands of files (templates, translations, assets), one `fnmatch` per pattern was most of
    discovery. `extractors`: how many are registered, so a late registration is seen."""
    chosen = [
        pattern
        for patterns, _, needed_by in _file_extractors[:extractors]
        if enabled is None or needed_by is None or any(code.startswith(needed_by) for code in enabled)
        for pattern in patterns
    ]
    if not chosen:
        return lambda name: None
    return re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in chosen)).match


#: node types the engine's shared traversal collects for extractors (others cost a walk of their own)
FACT_NODE_TYPES = frozenset({
    ast.Call, ast.Await, ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
    ast.Assign, ast.AnnAssign, ast.Try, *([ast.TryStar] if hasattr(ast, "TryStar") else []),
})


@dataclass
class PythonFile:
    """What a Python extractor sees: the parsed source and its place in the project.

    `nodes(ast.Call, …)` lists the file's nodes of those types in `ast.walk` order, from the
    engine's single traversal; `scopes` tells which function or class encloses a line.
    """

    source: "SourceFile"
    path: str
    module: str
    collected: "dict[type, list[ast.AST]] | None" = None

    def nodes(self, *types: type) -> list[ast.AST]:
        if self.collected is None:
            self.collected = {}
        missing = [t for t in types if t not in self.collected]
        if missing:
            from ..source import walk_types

            wanted = set(missing) | (FACT_NODE_TYPES if not self.collected else set())
            wanted -= set(self.collected)
            for t in wanted:
                self.collected[t] = []
            for node in walk_types(self.source.tree, wanted):
                self.collected[type(node)].append(node)
        return [n for t in types for n in self.collected.get(t, ())]

    @cached_property
    def scopes(self) -> "Scopes":
        from .scopes import Scopes

        definitions = self.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        # physical lines as the parser counts them (a lone `\r` ends a line too)
        return Scopes(definitions, self.module, self.source.line_count)

    @cached_property
    def names(self) -> "QualifiedNames":
        from .names import QualifiedNames

        imports = self.nodes(ast.Import, ast.ImportFrom)  # found by the traversal the rules share
        return QualifiedNames(self.source.tree, self.module, is_package=os.path.basename(self.source.location) == "__init__.py", imports=imports)


def extract_python(source: "SourceFile", path: str, digest: str = "", collected: "dict | None" = None) -> FileFacts:
    """The facts of one parsed Python file; an extractor that crashes loses only its own facts.
    `collected`: the nodes of `FACT_NODE_TYPES` by type, when a traversal already found them."""
    if source.is_test or source.is_stub:
        # the model describes the service: a test's `finally: pool.drain()` is no teardown route
        # of the service, and a test client's routes are not its routes
        return FileFacts(path, "", digest)
    file = PythonFile(source, path, module_name(source.location), collected)
    result = FileFacts(path, file.module, digest)
    for extractor in _python_extractors:
        try:
            result.facts.extend(extractor(file))
        except Exception as exc:  # a bug in one extractor must not stop the run
            result.errors.append(f"internal error in fact extractor {extractor.__module__}.{extractor.__name__} on {path}: {type(exc).__name__}: {exc}")
    return result


def extract_file(path: str, text: str, digest: str = "", enabled: "frozenset[str] | set[str] | None" = None) -> FileFacts | None:
    """The facts of one non-Python file, or None when no extractor reads it. `enabled`: the run's
    rule codes; an extractor needed only by rules none of which is enabled is left out."""
    name = Path(path).name
    matching = [(fn, needed_by) for patterns, fn, needed_by in _file_extractors if any(fnmatch.fnmatch(name, p) for p in patterns)]
    if not matching:
        return None
    chosen = [fn for fn, needed_by in matching if needed_by is None or enabled is None or any(code.startswith(needed_by) for code in enabled)]
    result = FileFacts(path, "", digest)
    if len(text) > MAX_FACT_FILE_CHARS and chosen:
        message = f"{path}: not read: {len(text) / 1e6:.1f} MB, larger than the {MAX_FACT_FILE_CHARS // 1_000_000} MB limit for configuration files"
        result.errors.append(f"warning: {message}")
        return result
    for extractor in chosen:
        try:
            with collect_input_warnings(result.errors):  # a file the readers refused, said once
                result.facts.extend(extractor(path, text))
        except Exception as exc:
            result.errors.append(f"internal error in fact extractor {extractor.__module__}.{extractor.__name__} on {path}: {type(exc).__name__}: {exc}")
    return result


def module_name(path: str) -> str:
    """Dotted module name of a Python file: its stem under every enclosing package (`__init__.py`)."""
    if path.startswith("<"):
        return "__main__"
    folder, name = os.path.split(os.path.abspath(path))
    stem = name.rsplit(".", 1)[0]
    package = _package_of(folder)
    project_modules.record_package(folder, package)  # a cached answer depends on the `__init__.py` files
    if stem == "__init__":
        return package or os.path.basename(folder)
    return f"{package}.{stem}" if package else stem


def package_changed(folder: str) -> bool:
    """Whether the folder's `__init__.py` appeared or went since its package was worked out (a
    long-lived process: every module below it is then named anew)."""
    return bool(_package_of(folder)) != os.path.isfile(os.path.join(folder, "__init__.py"))


def forget_packages() -> None:
    _package_of.cache_clear()


@lru_cache(maxsize=4096)
def _package_of(folder: str) -> str:
    """Dotted package of a folder: its name under every enclosing folder with an `__init__.py`."""
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        return ""
    parent_folder, name = os.path.split(folder)
    parent = _package_of(parent_folder) if parent_folder != folder else ""
    return f"{parent}.{name}" if parent else name
