"""Fact records: small, serialisable statements one file makes about the service.

Every fact has a `kind` (its class's registered name), the `file` it came from and a `line`. Facts are plain dataclasses whose fields are JSON values (str, int, float, bool, None, lists
of those), so a file's facts are cached with its findings and travel back from worker processes.

A family adds a kind by decorating a dataclass with `@fact_kind("probe")` and subclassing `Fact`;
`FileFacts.from_dict` then reads it back from the cache by that name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import ClassVar, Iterable, NamedTuple, TypeVar

F = TypeVar("F", bound="Fact")

_KINDS: dict[str, type["Fact"]] = {}
#: the fields `Fact.from_dict` passes on, per kind (a cache or a partial reads back thousands of facts)
_FIELD_NAMES: dict[type, frozenset[str]] = {}


def fact_kind(name: str):
    """Register a `Fact` subclass under `name` (stable: it is written in the cache)."""

    def register(cls: type[F]) -> type[F]:
        existing = _KINDS.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise RuntimeError(f"two fact kinds claim {name!r}: {existing.__qualname__}, {cls.__qualname__}")
        cls.kind = name
        _KINDS[name] = cls
        return cls

    return register


@dataclass
class Fact:
    """Base of every fact: where it was stated. Subclasses add JSON-valued fields."""

    kind: ClassVar[str] = "fact"
    file: str  # the path of the file that states it, as shown in this run
    line: int

    def to_dict(self) -> dict:
        """Fields and kind; the file is stored once, in `FileFacts`."""
        data = dataclasses.asdict(self)
        del data["file"]
        data["kind"] = self.kind
        return data

    @staticmethod
    def from_dict(data: dict, path: str) -> "Fact | None":
        """The fact back from its dict; None for a kind this process does not know (an old cache)."""
        cls = _KINDS.get(data.get("kind", ""))
        if cls is None:
            return None
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = frozenset(f.name for f in dataclasses.fields(cls)) - {"file"}
        try:
            return cls(file=path, **{k: v for k, v in data.items() if k in names})
        except TypeError:
            return None


# -- the kinds every Python file may state --------------------------------------------------------


class CallSite(NamedTuple):
    """One call a function makes: `target` is qualified (`app.health.run_checks`) when `resolved`."""

    target: str
    line: int
    awaited: bool
    resolved: bool


@fact_kind("function")
@dataclass
class Function(Fact):
    """A function or method (`pkg.mod.func`, `pkg.mod.Class.method`) and the calls in its own body."""

    name: str = ""
    end_line: int = 0
    is_async: bool = False
    #: [target, line, awaited, resolved] per call, in source order (lists keep the cache compact)
    calls: list = field(default_factory=list)
    #: lines where the function accepts a WebSocket (`await websocket.accept()`, `await ws.prepare(request)`)
    accepts: list = field(default_factory=list)
    #: creates an aiohttp `WebSocketResponse` (so a plain route to it is a WebSocket endpoint)
    websocket_response: bool = False
    #: lines of import statements in its own body (imports that run when it is called)
    imports: list = field(default_factory=list)

    def call_sites(self) -> Iterable[CallSite]:
        for target, line, awaited, resolved in self.calls:
            yield CallSite(target, line, bool(awaited), bool(resolved))


@fact_kind("router")
@dataclass
class Router(Fact):
    """Something routes hang on: an app or router object (`app = FastAPI()`, `bp = Blueprint(..,
    url_prefix="/api")`), a Django `urlpatterns` list, a Starlette `routes` list. `prefix` is its own."""

    name: str = ""
    framework: str = ""
    prefix: str = ""


@fact_kind("include")
@dataclass
class Include(Fact):
    """`parent` serves `child`'s routes under `prefix` (`include_router`, `register_blueprint`,
    `Mount`, Django `include()`, aiohttp `add_subapp`/`add_routes`)."""

    parent: str = ""
    child: str = ""
    prefix: str = ""


@fact_kind("route")
@dataclass
class Route(Fact):
    """An HTTP route as written: `path` is relative to its `router`; the project composes the full path."""

    router: str = ""
    method: str = "GET"
    path: str = ""
    handler: str = ""
    framework: str = ""


@fact_kind("websocket")
@dataclass
class WebSocketEndpoint(Fact):
    """A WebSocket endpoint as written (`@app.websocket`, `WebSocketRoute`, Channels, `websockets.serve`)."""

    router: str = ""
    path: str = ""
    handler: str = ""
    framework: str = ""


@fact_kind("check")
@dataclass
class CheckRegistration(Fact):
    """A service check registered with a timeout (`registry.register_check(name="redis", check=…,
    timeout_seconds=30, retry_count=4, retry_delay=1.5)`) and the worst case it allows."""

    registry: str = ""  # qualified name of the object registered on
    check: str = ""  # qualified name of the check function ("" when not a name)
    label: str = ""  # the check's own name (`"redis"`)
    timeout: float = 0.0
    timeout_keyword: str = ""
    attempts: int = 1
    delay: float = 0.0
    worst_case: float = 0.0
    arithmetic: str = ""  # `30.0 s × 4 attempts + 1.5 s × 3 delays = 124.5 s`
    notes: str = ""  # where the values came from (environment defaults, other modules)
    function: str = ""  # the function the registration is made in ("" at module level)


@fact_kind("client")
@dataclass
class Client(Fact):
    """A client bound to a name (`redis_client = Redis(...)`, `self.engine = create_async_engine(...)`).

    `client_kind` is redis, database or http; `timeout` is how long one call can wait, in seconds
    (None: nothing bounds it — unless `opaque`, when `**kwargs` or an unresolvable value hide it);
    `timeout_keyword` is the setting that bounds it and `timeout_note` where its value came from."""

    name: str = ""
    client_kind: str = ""
    factory: str = ""
    timeout: float | None = None
    timeout_keyword: str = ""
    timeout_note: str = ""
    opaque: bool = False


@fact_kind("constant")
@dataclass
class Constant(Fact):
    """A module-level constant: its number when resolvable in its own file, else `ref`, the qualified
    name it was imported from (resolved by the project)."""

    name: str = ""
    value: float | None = None
    text: str = ""
    ref: str = ""


@fact_kind("binding")
@dataclass
class Binding(Fact):
    """A module-level name bound to another qualified name: an import (`from .x import y`) or an
    instance (`registry = HealthRegistry()`, `instance=True`). Lets the project follow re-exports and
    method calls on module-level objects."""

    name: str = ""
    target: str = ""
    instance: bool = False


# -- one file's facts --------------------------------------------------------------------------


@dataclass
class FileFacts:
    """Everything one file states: its module name (Python), content digest and facts."""

    path: str
    module: str = ""
    digest: str = ""
    facts: list[Fact] = field(default_factory=list)
    #: problems while extracting (an extractor crashed): reported like rule crashes
    errors: list[str] = field(default_factory=list)

    def of_kind(self, cls: type[F]) -> list[F]:
        return [f for f in self.facts if isinstance(f, cls)]

    def to_dict(self) -> dict:
        return {"path": self.path, "module": self.module, "digest": self.digest, "facts": [f.to_dict() for f in self.facts]}

    @classmethod
    def from_dict(cls, data: dict, path: str = "") -> "FileFacts":
        """Read back a cached entry; `path` (the path as shown in this run) replaces the stored one."""
        path = path or data.get("path", "")
        facts = [f for f in (Fact.from_dict(d, path) for d in data.get("facts", ())) if f is not None]
        return cls(path, data.get("module", ""), data.get("digest", ""), facts)

    def fingerprint(self) -> str:
        """Digest of the facts themselves (not the text): unchanged by comments and formatting."""
        payload = json.dumps([f.to_dict() for f in self.facts], sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()
