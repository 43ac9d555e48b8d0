"""Constants imported from other modules of the project (`from app.settings import REDIS_TIMEOUT`).

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
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .constants import Value, ValueResolver

_MAX_ROOT_DEPTH = 6
_modules: dict[str, tuple[float, ValueResolver, object]] = {}
_clients: dict[str, tuple[float, object]] = {}
_values: dict[tuple[str, float, tuple[str, ...]], Value | None] = {}
_in_progress: set[tuple[str, tuple[str, ...]]] = set()
#: seconds spent loading modules with astroid in this process (reported by benchmarks)
stats = {"astroid_seconds": 0.0, "astroid_modules": 0, "modules_loaded": 0, "lookups": 0}


def resolve_imported(importer: str, level: int, module: str, attrs: list[str], depth: int) -> Value | None:
    """The value of `attrs` (`NAME` or `obj.attr`) imported from `module` by the file `importer`."""
    if not attrs or depth > 10 or importer.startswith("<"):
        return None
    found = _locate_cached(importer, level, module, tuple(attrs))
    if found is None:
        return None
    path, modname, rest = found
    if not rest:
        return None
    stats["lookups"] += 1
    loaded = _load(path, modname)
    if loaded is None:
        return None
    mtime, resolver, astroid_module = loaded
    key = (str(path), mtime, tuple(rest))
    if key in _values:
        return _values[key]
    guard = (str(path), tuple(rest))
    if guard in _in_progress:  # an import cycle
        return None
    _in_progress.add(guard)
    try:
        if len(rest) == 1:
            value = resolver.resolve_global(rest[0], depth + 1)
        else:
            value = resolver.resolve_path(rest[0], rest[1:], depth + 1)
        if value is None:
            value = _infer_with_astroid(astroid_module, rest)
    finally:
        _in_progress.discard(guard)
    if value is not None:
        value = value.with_note(f"`{'.'.join(rest)}` from `{modname}`")
    _values[key] = value
    return value


@lru_cache(maxsize=4096)
def _locate_cached(importer: str, level: int, module: str, attrs: tuple[str, ...]):
    importer_path = Path(importer)
    if not importer_path.is_file():
        return None
    return _locate(importer_path.resolve(), level, module, list(attrs))


def imported_redis_client(importer: str, level: int, module: str, name: str):
    """(factory, its module's clients, its resolver, `path ` prefix) of a Redis client bound to `name` there."""
    if importer.startswith("<"):
        return None
    found = _locate_cached(importer, level, module, (name,))
    if found is None or len(found[2]) != 1:
        return None
    path, modname, rest = found
    loaded = _load(path, modname)
    if loaded is None:
        return None
    resolver = loaded[1]
    clients = _clients.get(str(path))
    if clients is None or clients[0] != loaded[0]:
        from .redis_clients import RedisClients

        clients = (loaded[0], RedisClients(resolver.source))
        _clients[str(path)] = clients
    factory = clients[1].bindings.get((None, rest[0]))
    if factory is None:
        return None
    return factory, clients[1], resolver, f"{_shown(path)} "


def _shown(path: Path) -> str:
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


def _load(path: Path, modname: str):
    """(mtime, resolver, module holder) for a project file, cached while the file is unchanged."""
    from ..source import SourceFile, decode_source
    from .constants import ValueResolver

    key = str(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _modules.get(key)
    if cached is not None and cached[0] == mtime:
        return cached
    try:
        text = decode_source(path.read_bytes())
        source = SourceFile(str(path), text)
        source.tree  # noqa: B018 - parse now so a broken file is rejected here
    except Exception:  # a module that cannot be read or parsed resolves nothing
        return None
    stats["modules_loaded"] += 1
    loaded = (mtime, ValueResolver(source), _AstroidModule(text, modname or path.stem, str(path)))
    _modules[key] = loaded
    return loaded


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


def _infer_with_astroid(holder: _AstroidModule, attrs: list[str]) -> Value | None:
    """astroid's inference of `NAME.attr…` in the module, when it settles on one number."""
    from .constants import Value

    started = time.perf_counter()
    try:
        import astroid

        module = holder.get()
        values = list(module.igetattr(attrs[0]))
        for attr in attrs[1:]:
            values = [v for value in values if value is not astroid.Uninferable for v in value.igetattr(attr)]
        numbers = {
            v.value for v in values if isinstance(v, astroid.nodes.Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        }
        if len(numbers) != len(values) or not numbers:
            return None
        return Value(float(max(numbers)))
    except Exception:  # inference failures mean "unknown", never a crash
        return None
    finally:
        stats["astroid_seconds"] += time.perf_counter() - started


def clear_cache() -> None:
    _locate_cached.cache_clear()
    _modules.clear()
    _clients.clear()
    _values.clear()
