"""Fact extractors: who turns a file into facts. Families register theirs here.

Two kinds of extractor:

- `@python_extractor` — `fn(file: PythonFile) -> Iterable[Fact]`, called for every parsed Python file
  (`file.source` is the `SourceFile`, `file.module` its dotted module name, `file.names` qualifies
  local names through imports, relative ones included).
- `@file_extractor("*.tf", "nginx.conf", …)` — `fn(path: str, text: str) -> Iterable[Fact]`, called
  for every file whose name matches one of the patterns (`fnmatch` on the file name).

Extractors run in the worker processes, see one file only, never import or execute it, and must
be deterministic: their output is cached by the file's content digest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .facts import Fact, FileFacts

if TYPE_CHECKING:
    from ..source import SourceFile
    from .names import QualifiedNames

PythonExtractor = Callable[["PythonFile"], Iterable[Fact]]
FileExtractor = Callable[[str, str], Iterable[Fact]]

_python_extractors: list[PythonExtractor] = []
_file_extractors: list[tuple[tuple[str, ...], FileExtractor]] = []


def python_extractor(fn: PythonExtractor) -> PythonExtractor:
    """Register `fn` to extract facts from every Python file."""
    if fn not in _python_extractors:
        _python_extractors.append(fn)
    return fn


def file_extractor(*patterns: str) -> Callable[[FileExtractor], FileExtractor]:
    """Register a function extracting facts from files whose name matches one of `patterns`."""

    def register(fn: FileExtractor) -> FileExtractor:
        if all(fn is not existing for _, existing in _file_extractors):
            _file_extractors.append((patterns, fn))
        return fn

    return register


def load_extractors() -> None:
    """Import the core extractors and every family (families register theirs when imported)."""
    from . import python_facts  # noqa: F401 - registers the core extractors
    from ..rules import rule_classes

    rule_classes()


def wants_file(path: str | Path) -> bool:
    """Whether some file extractor reads this (non-Python) file."""
    name = Path(path).name
    return any(fnmatch(name, pattern) for patterns, _ in _file_extractors for pattern in patterns)


@dataclass
class PythonFile:
    """What a Python extractor sees: the parsed source and its place in the project."""

    source: "SourceFile"
    path: str
    module: str

    @cached_property
    def names(self) -> "QualifiedNames":
        from .names import QualifiedNames

        return QualifiedNames(self.source.tree, self.module, is_package=Path(self.source.location).name == "__init__.py")


def extract_python(source: "SourceFile", path: str, digest: str = "") -> FileFacts:
    """The facts of one parsed Python file; an extractor that crashes loses only its own facts."""
    file = PythonFile(source, path, module_name(source.location))
    result = FileFacts(path, file.module, digest)
    for extractor in _python_extractors:
        try:
            result.facts.extend(extractor(file))
        except Exception as exc:  # a bug in one extractor must not stop the run
            result.errors.append(f"internal error in fact extractor {extractor.__module__}.{extractor.__name__} on {path}: {type(exc).__name__}: {exc}")
    return result


def extract_file(path: str, text: str, digest: str = "") -> FileFacts | None:
    """The facts of one non-Python file, or None when no extractor reads it."""
    name = Path(path).name
    chosen = [fn for patterns, fn in _file_extractors if any(fnmatch(name, p) for p in patterns)]
    if not chosen:
        return None
    result = FileFacts(path, "", digest)
    for extractor in chosen:
        try:
            result.facts.extend(extractor(path, text))
        except Exception as exc:
            result.errors.append(f"internal error in fact extractor {extractor.__module__}.{extractor.__name__} on {path}: {type(exc).__name__}: {exc}")
    return result


def module_name(path: str) -> str:
    """Dotted module name of a Python file: its stem under every enclosing package (`__init__.py`)."""
    if path.startswith("<"):
        return "__main__"
    absolute = Path(os.path.abspath(path))
    stem = absolute.stem
    package = _package_of(str(absolute.parent))
    if stem == "__init__":
        return package or absolute.parent.name
    return f"{package}.{stem}" if package else stem


@lru_cache(maxsize=4096)
def _package_of(folder: str) -> str:
    path = Path(folder)
    if not (path / "__init__.py").is_file():
        return ""
    parent = _package_of(str(path.parent)) if path.parent != path else ""
    return f"{parent}.{path.name}" if parent else path.name
