"""Constants imported from other modules of the project (`from app.settings import REDIS_TIMEOUT`).

Used by the timeout rules (through `constants`) and for clients defined in another module.

Only asked for when a rule has a candidate value that names an import, so most files never get
here. The imported module is located next to the importing file (relative imports, then the folders
above it for absolute ones — never `site-packages`), parsed (never imported or executed) and kept
in a process-wide cache keyed by path and modification time. The value is resolved in the defining
module with the same rules as locally, so an environment default or a conditional is explained the
same way; when those rules cannot resolve it (a dict lookup, a chain of calls astroid understands),
the module's astroid tree is built — once, lazily — and astroid's inference decides.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..source import SourceFile

_MAX_ROOT_DEPTH = 6
#: seconds spent loading modules with astroid in this process (reported by benchmarks)
stats = {"astroid_seconds": 0.0, "astroid_modules": 0, "modules_loaded": 0, "lookups": 0}


@dataclass
class LoadedModule:
    """A project module parsed for lookups (never imported), kept while its file is unchanged."""

    path: Path
    modname: str
    mtime: float
    source: SourceFile
    astroid: _AstroidModule
    digest: str
    #: per-module results of the analyses that read it (a value resolver, its clients), dropped with it
    memo: dict = field(default_factory=dict)


_modules: dict[str, LoadedModule] = {}
#: while a file is linted, the modules its rules looked into (path → content digest): cache keys.
#: Per thread: the language server extracts facts in a background thread while it lints.
_recording = threading.local()


class recording:
    """`with recording() as used:` collects the project modules loaded inside the block, and those
    it tried to load: one that could not be read or parsed is a dependency too (its digest, or None
    when it could not be read), so the lint is redone once it is fixed."""

    def __enter__(self) -> dict[str, str | None]:
        used: dict[str, str | None] = {}  # path → digest (None: a module imported but missing)
        if not _recorders():
            _missing.clear()  # a new lint: a module missing before may exist now
        _recorders().append(used)
        return used

    def __exit__(self, *exc) -> None:
        _recorders().pop()


def _recorders() -> list[dict[str, str | None]]:
    stack = getattr(_recording, "stack", None)
    if stack is None:
        stack = _recording.stack = []
    return stack


def locate(importer: str, level: int, module: str, attrs: list[str]) -> tuple[Path, str, list[str]] | None:
    """(file, dotted module name, remaining attribute path) of what `importer` imports, if in the project."""
    if not attrs or importer.startswith("<"):
        return None
    # by absolute path (and, for absolute imports, the working folder they are also looked up from):
    # a process that changes folder (a test, an editor's workspace) must not reuse another tree's answer
    key = (os.path.abspath(importer), "" if level else os.getcwd(), level, module, tuple(attrs))
    found = _located.get(key)
    if found is None and key not in _missing:
        importer_path = Path(importer)
        found = _locate(importer_path.resolve(), level, module, list(attrs)) if importer_path.is_file() else None
        if found is not None:
            if len(_located) >= _MAX_LOCATED:
                _located.clear()
            _located[key] = found
        else:
            _missing.add(key)
    if found is None and level and module:
        _record_missing(importer, level, module)
    return found


# what imports resolve to; a module found missing is only remembered for the lint in progress
# (the next one may find it: a file was added, or the editor created it)
_located: dict[tuple, tuple[Path, str, list[str]]] = {}
_missing: set[tuple] = set()
_MAX_LOCATED = 4096


def imported_module(importer: str, level: int, module: str, name: str) -> tuple[LoadedModule, str] | None:
    """The project module that binds the imported `name`, and the name it has there."""
    found = locate(importer, level, module, [name])
    if found is None or len(found[2]) != 1:
        return None
    loaded = load(found[0], found[1])
    return None if loaded is None else (loaded, found[2][0])


def shown_path(path: Path) -> str:
    """`path` relative to the current folder when it is inside it, for messages."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _locate(importer: Path, level: int, module: str, attrs: list[str]) -> tuple[Path, str, list[str]] | None:
    """(file, dotted module name, remaining attribute path) of the deepest module the import names."""
    parts = [p for p in module.split(".") if p]
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        roots = [(base, _package_name(base))]
    else:
        roots = [(folder, "") for folder in _absolute_roots(importer.parent)]
    for root, prefix in roots:
        best = None
        names = parts + attrs
        # the longest prefix of `module.attrs` that is a file; a module part must exist
        for size in range(len(names), len(parts) - 1 if parts else 0, -1):
            if size == 0:
                break
            candidate = _module_file(root, names[:size])
            if candidate is not None:
                dotted = ".".join(filter(None, [prefix, *names[:size]]))
                best = (candidate, dotted, names[size:])
                break
        if best is None and not parts and level:
            init = root / "__init__.py"
            if init.is_file():
                best = (init, prefix or root.name, attrs)
        if best is not None:
            return best
    return None


def _module_file(root: Path, names: list[str]) -> Path | None:
    folder = root.joinpath(*names)
    as_file = folder.with_suffix(".py")
    if as_file.is_file():
        return as_file
    init = folder / "__init__.py"
    return init if init.is_file() else None


def _absolute_roots(folder: Path) -> list[Path]:
    roots = []
    for candidate in (folder, *folder.parents)[:_MAX_ROOT_DEPTH]:
        if candidate.name in ("site-packages", "dist-packages"):
            break
        roots.append(candidate)
    cwd = Path.cwd()
    if cwd not in roots:
        roots.append(cwd)
    return roots


def _package_name(folder: Path) -> str:
    names = []
    while (folder / "__init__.py").is_file():
        names.append(folder.name)
        folder = folder.parent
    return ".".join(reversed(names))


def load(path: Path, modname: str) -> LoadedModule | None:
    """The parsed project module at `path`, cached while the file is unchanged; None if it does not parse."""
    from ..safe_files import read_regular_file
    from ..source import MAX_PYTHON_CHARS, SourceFile, decode_source

    from ..results import content_digest

    key = str(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        _record_path(key, None)
        return None
    cached = _modules.get(key)
    if cached is not None and cached.mtime == mtime:
        _record(cached)
        return cached
    data = None
    try:
        data = read_regular_file(path, limit=MAX_PYTHON_CHARS * 4 + 1)  # a FIFO named like a module never blocks
        text = decode_source(data)
        if len(text) > MAX_PYTHON_CHARS:
            raise ValueError("generated data: parsing it would cost gigabytes, and it holds no settings")
        source = SourceFile(str(path), text)
        source.tree  # noqa: B018 - parse now so a broken file is rejected here
    except Exception:
        # a module that cannot be read or parsed resolves nothing — until it is fixed: what was
        # resolved without it depends on it like on any module that was read
        _record_path(key, content_digest(data) if data is not None else None)
        return None
    stats["modules_loaded"] += 1
    loaded = LoadedModule(path, modname, mtime, source, _AstroidModule(text, modname or path.stem, str(path)), content_digest(data))
    _modules[key] = loaded
    _record(loaded)
    return loaded


def _record(loaded: LoadedModule) -> None:
    _record_path(str(loaded.path), loaded.digest)


def _record_path(path: str, digest: str | None) -> None:
    """`path` was read with content `digest` (None: it could not be read) by the lint in progress."""
    stack = _recorders()
    if stack:
        stack[-1][path] = digest


def record_package(folder: str, package: str) -> None:
    """`folder` is the package `package` (dotted; "" when it is none) because of the `__init__.py`
    files above it, and up to the first folder without one: a module's dotted name, and everything
    computed with it, depends on them (deleting one renames every module below it)."""
    if not _recorders():
        return
    for _ in range(package.count(".") + 1 if package else 0):
        marker = os.path.join(folder, "__init__.py")
        _record_path(marker, _marker_digest(marker))
        folder = os.path.dirname(folder)
    _record_path(os.path.join(folder, "__init__.py"), None)


_markers: dict[tuple, str | None] = {}


def _marker_digest(path: str) -> str | None:
    """The content digest of a package's `__init__.py`, read once while its stat is unchanged."""
    from ..results import content_digest
    from ..safe_files import read_regular_file

    try:
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if key not in _markers:
            if len(_markers) >= _MAX_LOCATED:
                _markers.clear()
            _markers[key] = content_digest(read_regular_file(path))
        return _markers[key]
    except OSError:
        return None


def _record_missing(importer: str, level: int, module: str) -> None:
    """A relative import of a module that does not exist (yet): its files are dependencies with no
    digest, so a lint that resolved nothing through it is redone once the module appears."""
    stack = _recorders()
    if not stack:
        return
    base = Path(os.path.abspath(importer)).parent
    for _ in range(level - 1):
        base = base.parent
    folder = base.joinpath(*module.split("."))
    for candidate in (folder.with_suffix(".py"), folder / "__init__.py"):
        stack[-1].setdefault(str(candidate), None)


class _AstroidModule:
    """The astroid tree of a module, built on first use (parsed by astroid, never imported)."""

    def __init__(self, text: str, modname: str, path: str) -> None:
        self.text, self.modname, self.path = text, modname, path
        self._module = None

    def get(self):
        if self._module is None:
            started = time.perf_counter()
            try:
                import astroid

                self._module = astroid.MANAGER.ast_from_string(self.text, self.modname, self.path)
                stats["astroid_modules"] += 1
            finally:
                stats["astroid_seconds"] += time.perf_counter() - started
        return self._module


def infer_number(loaded: LoadedModule, attrs: list[str]) -> float | None:
    """astroid's inference of `NAME.attr…` in the module, when it settles on one number."""
    started = time.perf_counter()
    try:
        import astroid

        module = loaded.astroid.get()
        values = list(module.igetattr(attrs[0]))
        for attr in attrs[1:]:
            values = [v for value in values if value is not astroid.Uninferable for v in value.igetattr(attr)]
        numbers = {
            v.value for v in values if isinstance(v, astroid.nodes.Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        }
        if len(numbers) != len(values) or not numbers:
            return None
        return float(max(numbers))
    except Exception:  # inference failures mean "unknown", never a crash
        return None
    finally:
        stats["astroid_seconds"] += time.perf_counter() - started


def clear_cache() -> None:
    _markers.clear()
    _located.clear()
    _missing.clear()
    _modules.clear()
