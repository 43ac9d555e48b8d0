"""The join: every file's facts in one `Project`, indexed by qualified name, module and route path.

Built once per run in the main process (and kept up to date by the language server). Lookups record
which files' facts they returned while `recording()` is active, so the engine knows which files a
finding depended on and keys its cache entry on them.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, TypeVar

from .repositories import Repositories
from .facts import (
    Binding,
    Constant,
    Fact,
    FileFacts,
    Function,
    Include,
    Route,
    Router,
    WebSocketEndpoint,
)

F = TypeVar("F", bound=Fact)
_MAX_HOPS = 12


@dataclass
class Endpoint:
    """A route with its full path, composed through every router prefix and include on the way."""

    method: str  # "WS" for WebSocket endpoints
    path: str
    handler: str
    fact: Route | WebSocketEndpoint
    #: the includes it is served through, outermost first (where each prefix came from)
    through: list[Include] = field(default_factory=list)

    @property
    def websocket(self) -> bool:
        return self.method == "WS"


@dataclass(frozen=True)
class ConstantValue:
    number: float | None
    text: str
    #: the qualified names followed to reach the value (`app.health.TIMEOUT` → `app.settings.TIMEOUT`)
    chain: tuple[str, ...]
    fact: Constant


def _by_path(file: FileFacts) -> str:
    return file.path


class Project:
    """All facts of a run. Indexes are built on first use and dropped when a file's facts change."""

    def __init__(self, files: Iterable[FileFacts] = (), base: Path | None = None, named_folders: tuple[str, ...] = ()) -> None:
        #: the folder relative fact paths are relative to (the working folder of a CLI run, the
        #: configuration root in the language server)
        self.base = Path(base) if base is not None else Path.cwd()
        #: by path: every entry point (the whole tree, one file and the rest as context, the
        #: language server's updates) sees the facts in the same order, so a rule that takes the
        #: first of several answers gives the same one
        self.files: dict[str, FileFacts] = {}
        for file in sorted(files, key=_by_path):
            self.files[file.path] = file
        self._indexes: _Indexes | None = None
        self._recording: list[set[str]] = []
        self._absolute: dict[str, Path] = {}
        self._repositories: Repositories | None = None
        self.named_folders = named_folders

    def absolute(self, path: str) -> Path:
        """The file on disk a fact path names."""
        found = self._absolute.get(path)
        if found is None:
            found = self._absolute[path] = Path(os.path.normpath(os.path.join(self.base, path)))
        return found

    def repository_of(self, path: str) -> str:
        """A key naming the repository a fact path belongs to (`repositories.py`): joins by
        elimination or by platform evidence stay inside one."""
        if self._repositories is None:
            self._repositories = Repositories(self.base, self.files, self.named_folders)
        return self._repositories.of(path)

    # -- updates (the language server replaces one file's facts at a time) ---------------------

    def update(self, file: FileFacts) -> bool:
        """Replace one file's facts; True when they differ from what the project had."""
        old = self.files.get(file.path)
        self.files[file.path] = file
        if old is None:  # a new file: in its place
            self.files = dict(sorted(self.files.items()))
        changed = old is None or old.fingerprint() != file.fingerprint()
        if changed:
            self._indexes = None
            self._repositories = None
        return changed

    def remove(self, path: str) -> None:
        if self.files.pop(path, None) is not None:
            self._indexes = None
            self._repositories = None

    # -- dependency recording ------------------------------------------------------------------

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the paths of every file whose facts a lookup returns inside the block."""
        used: set[str] = set()
        self._recording.append(used)
        try:
            yield used
        finally:
            self._recording.pop()

    def _used(self, facts: Iterable[Fact]) -> None:
        if self._recording:
            target = self._recording[-1]
            for fact in facts:
                target.add(fact.file)

    # -- indexes ----------------------------------------------------------------------------------

    @property
    def memo(self) -> dict:
        """A place for a family's whole-project analysis, dropped whenever a file's facts change."""
        return self.index.memo

    @property
    def index(self) -> "_Indexes":
        if self._indexes is None:
            self._indexes = _Indexes(self.files.values())
        return self._indexes

    def facts(self, cls: type[F]) -> list[F]:
        """Every fact of one kind (records nothing: callers filter and should `note` what they use)."""
        return list(self.index.by_kind.get(cls, ()))  # type: ignore[arg-type]

    def note(self, *facts: Fact) -> None:
        """Record facts a rule used after finding them through `facts()`."""
        self._used(facts)

    def module(self, name: str) -> FileFacts | None:
        file = self.index.by_module.get(name)
        if file is not None and self._recording:
            self._recording[-1].add(file.path)
        return file

    def named(self, qualname: str) -> list[Fact]:
        """Facts that define `qualname` (functions, routers, clients, constants, bindings)."""
        found = self.index.by_name.get(qualname, [])
        self._used(found)
        return list(found)

    def resolve(self, qualname: str) -> str:
        """The defining name of `qualname`, following re-exports (`pkg.run` → `pkg.health.run`) and
        module-level instances (`app.health.registry.run_all` → `app.health.Registry.run_all`)."""
        memo = self.index.resolved
        found = memo.get(qualname)
        if found is None:
            found = memo[qualname] = self._resolve(qualname)
        if self._recording and found[1]:
            self._used(found[1])
        return found[0]

    def _resolve(self, qualname: str) -> tuple[str, tuple[Binding, ...]]:
        by_name = self.index.by_name
        current = qualname
        used: list[Binding] = []
        for _ in range(_MAX_HOPS):
            if self._defined(current, by_name):
                break
            # the longest prefix that is bound: `a.b.c`, then `a.b`, then `a`
            end = len(current)
            while end > 0:
                binding = self._binding(current[:end], by_name)
                if binding is not None:
                    used.append(binding)
                    current = binding.target + current[end:]
                    break
                end = current.rfind(".", 0, end)
            else:
                break
        return current, tuple(used)

    @staticmethod
    def _defined(qualname: str, by_name: dict) -> bool:
        for fact in by_name.get(qualname, ()):
            if not isinstance(fact, Binding):
                return True
        return False

    @staticmethod
    def _binding(qualname: str, by_name: dict) -> Binding | None:
        for fact in by_name.get(qualname, ()):
            if isinstance(fact, Binding):
                return fact
        return None

    def function(self, qualname: str) -> Function | None:
        """The function a (possibly re-exported or instance-qualified) name calls, if the project has it."""
        resolved = self.resolve(qualname)
        found = next((f for f in self.index.by_name.get(resolved, ()) if isinstance(f, Function)), None)
        if found is not None:
            self._used([found])
        return found

    def first(self, cls: type[F], qualname: str) -> F | None:
        """The fact of kind `cls` defining `qualname` (after `resolve`)."""
        resolved = self.resolve(qualname)
        found = next((f for f in self.index.by_name.get(resolved, ()) if isinstance(f, cls)), None)
        if found is not None:
            self._used([found])
        return found  # type: ignore[return-value]

    def constant(self, qualname: str) -> ConstantValue | None:
        """A module constant's value, following imports between modules (`ref`) to where it is set."""
        chain: list[str] = []
        current = qualname
        for _ in range(_MAX_HOPS):
            current = self.resolve(current)
            chain.append(current)
            fact = next((f for f in self.index.by_name.get(current, ()) if isinstance(f, Constant)), None)
            if fact is None:
                return None
            self._used([fact])
            if not fact.ref:
                return ConstantValue(fact.value, fact.text, tuple(chain), fact)
            current = fact.ref
        return None

    def callers(self, qualname: str) -> list[Function]:
        """Functions with a call that resolves to `qualname`."""
        index = self.index
        if index.callers_of is None:
            index.callers_of = defaultdict(list)
            for function in index.by_kind.get(Function, ()):
                for target, _, _, resolved in function.calls:  # type: ignore[attr-defined]
                    if resolved:
                        index.callers_of[self.resolve(target)].append(function)  # type: ignore[arg-type]
        found = index.callers_of.get(self.resolve(qualname), [])
        self._used(found)
        return list(found)

    # -- routes ---------------------------------------------------------------------------------

    def endpoints(self) -> list[Endpoint]:
        """Every HTTP route and WebSocket endpoint with its full path (records nothing by itself)."""
        return self.index.endpoints

    def routes_for(self, path: str, method: str | None = None, near: str | None = None) -> list[Endpoint]:
        """The endpoints serving `path`: a concrete path (`/items/42`) or a template (`/items/{id}`).
        With `near` (a file of the run, such as the probe that calls the path), only those of its
        repository: another service of the run may serve the same path."""
        wanted = _normal(path)
        found = [e for e in self.index.endpoints if (method is None or e.method == method.upper()) and _matches(e.path, wanted)]
        if near is not None:
            here = self.repository_of(near)
            found = [e for e in found if self.repository_of(e.fact.file) == here]
        for endpoint in found:
            self._used([endpoint.fact, *endpoint.through])
        return found

    def routes_to(self, handler: str) -> list[Endpoint]:
        """The endpoints whose handler is `handler` (a qualified function name)."""
        index = self.index
        if index.endpoints_by_handler is None:
            index.endpoints_by_handler = defaultdict(list)
            for endpoint in index.endpoints:
                index.endpoints_by_handler[self.resolve(endpoint.handler)].append(endpoint)
        found = index.endpoints_by_handler.get(self.resolve(handler), [])
        for endpoint in found:
            self._used([endpoint.fact, *endpoint.through])
        return list(found)

    def accept_sites(self, endpoint: Endpoint) -> list[tuple[str, int]]:
        """(path, line) of each place the endpoint's handler accepts the WebSocket."""
        function = self.function(endpoint.handler)
        if function is None:
            return []
        return [(function.file, line) for line in function.accepts]


class _Indexes:
    def __init__(self, files: Iterable[FileFacts]) -> None:
        self.by_kind: dict[type, list[Fact]] = defaultdict(list)
        self.by_name: dict[str, list[Fact]] = defaultdict(list)
        self.by_module: dict[str, FileFacts] = {}
        for file in files:
            if file.module:
                self.by_module.setdefault(file.module, file)
            for fact in file.facts:
                self.by_kind[type(fact)].append(fact)
                name = getattr(fact, "name", None)
                if name:
                    self.by_name[name].append(fact)
        self._endpoints: list[Endpoint] | None = None
        #: built on first use: resolved names, callers by resolved callee, endpoints by handler
        self.resolved: dict[str, tuple[str, tuple]] = {}
        self.callers_of: dict[str, list[Function]] | None = None
        self.endpoints_by_handler: dict[str, list[Endpoint]] | None = None
        #: analyses of families over the whole project (computed once per join, dropped with it)
        self.memo: dict = {}

    @property
    def endpoints(self) -> list[Endpoint]:
        if self._endpoints is None:
            self._endpoints = _compose(self)
        return self._endpoints


def _compose(index: _Indexes) -> list[Endpoint]:
    routers = {f.name: f for f in index.by_kind.get(Router, ()) if isinstance(f, Router)}
    parents: dict[str, list[Include]] = defaultdict(list)
    for include in index.by_kind.get(Include, ()):
        parents[include.child].append(include)  # type: ignore[attr-defined]
    mounts_memo: dict[str, list[tuple[str, list[Include]]]] = {}

    def mounts(router: str, depth: int = 0) -> list[tuple[str, list[Include]]]:
        """(prefix, includes) for every way `router` is reached from a root app."""
        if router in mounts_memo:
            return mounts_memo[router]
        mounts_memo[router] = [("", [])]  # cycle guard while computing
        found: list[tuple[str, list[Include]]] = []
        if depth < _MAX_HOPS:
            for include in parents.get(router, ()):
                for prefix, chain in mounts(include.parent, depth + 1):
                    found.append((join_paths(prefix, include.prefix), [*chain, include]))
        if not found:
            found = [("", [])]
        own = routers[router].prefix if router in routers else ""
        result = [(join_paths(prefix, own), chain) for prefix, chain in found]
        mounts_memo[router] = result
        return result

    endpoints: list[Endpoint] = []
    for route in index.by_kind.get(Route, ()):
        for prefix, chain in mounts(route.router):  # type: ignore[attr-defined]
            endpoints.append(Endpoint(route.method, _normal(join_paths(prefix, route.path)), route.handler, route, chain))  # type: ignore[attr-defined]
    for socket in index.by_kind.get(WebSocketEndpoint, ()):
        for prefix, chain in mounts(socket.router) if socket.router else [("", [])]:  # type: ignore[attr-defined]
            endpoints.append(Endpoint("WS", _normal(join_paths(prefix, socket.path)), socket.handler, socket, chain))  # type: ignore[attr-defined]
    # aiohttp: a plain route whose handler creates a WebSocketResponse is a WebSocket endpoint
    handlers = {f.name: f for f in index.by_kind.get(Function, ()) if isinstance(f, Function) and f.websocket_response}
    for endpoint in list(endpoints):
        if endpoint.method == "GET" and endpoint.handler in handlers:
            endpoints.append(Endpoint("WS", endpoint.path, endpoint.handler, endpoint.fact, endpoint.through))
    endpoints.sort(key=lambda e: (e.path, e.method, e.fact.file, e.fact.line))
    return endpoints


def join_paths(prefix: str, path: str) -> str:
    """`/api` + `/items` → `/api/items`; Django's `api/` + `items/` → `api/items/`."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def _normal(path: str) -> str:
    path = path.strip()
    if not path.startswith("/"):
        path = "/" + path
    return path if path == "/" else path.rstrip("/")


_PARAM = re.compile(r"\{[^}]*\}|<[^>]*>")


def _param_shape(path: str) -> str:
    return _PARAM.sub("{}", path)


def _matches(template: str, wanted: str) -> bool:
    if template == wanted or _param_shape(template) == _param_shape(wanted):
        return True
    return _template_regex(template).fullmatch(wanted) is not None


_regex_cache: dict[str, re.Pattern] = {}


def _template_regex(template: str) -> re.Pattern:
    """`/items/{id}` and `/files/<path:name>` as regexes: one segment per parameter, `path` any."""
    pattern = _regex_cache.get(template)
    if pattern is None:
        parts = []
        position = 0
        for match in _PARAM.finditer(template):
            parts.append(re.escape(template[position:match.start()]))
            inner = match.group(0)[1:-1]
            is_path = inner.startswith("path:") or inner.endswith(":path") or inner.endswith(":.*") or inner.endswith(":.+")
            parts.append(".+" if is_path else "[^/]+")
            position = match.end()
        parts.append(re.escape(template[position:]))
        pattern = _regex_cache[template] = re.compile("".join(parts))
    return pattern
