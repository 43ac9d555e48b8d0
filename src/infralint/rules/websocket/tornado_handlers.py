"""Tornado `WebSocketHandler` classes and the `select_subprotocol` Tornado calls on them.

Tornado answers the handshake itself: it calls `select_subprotocol(subprotocols)` on the handler
(its own method or one it inherits, mixins included) and sends no `Sec-WebSocket-Protocol` when that
returns None — or when the handler has none. A `select_subprotocol` written on another class (the
connection object the handler hands itself to) is never called.

Facts (`websocket-tornado-class`), one per class of a file that names Tornado or `select_subprotocol`:
its bases (qualified), whether it subclasses Tornado's handler directly, its `select_subprotocol`
(line, the literals it can choose, the lines where it answers None, whether it defers to `super()`),
the attributes through which it uses a handler it holds (`self.websocket_handler.write_message`),
and the keywords under which it hands itself to other objects (`websocket_handler=self`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from ...project import Fact, PythonFile, fact_kind, python_extractor
from .offers import module_string_constants
from .sockets import own_nodes

if TYPE_CHECKING:
    from ...project import Project

#: what only a WebSocket handler has: using it on `self.X` means X is the handler, held by another object
HANDLER_API = frozenset({"write_message", "selected_subprotocol", "close_code", "close_reason", "ws_connection", "get_compression_options", "set_nodelay"})


@fact_kind("websocket-tornado-class")
@dataclass
class TornadoClass(Fact):
    name: str = ""
    bases: list = field(default_factory=list)
    #: a base is `tornado.websocket.WebSocketHandler`
    direct: bool = False
    select_line: int = 0
    #: literals the method can answer with (module constants resolved)
    select_literals: list = field(default_factory=list)
    #: lines where it answers None (`return None`, `... else None`, falling off the end)
    none_lines: list = field(default_factory=list)
    #: it defers to `super().select_subprotocol(...)`
    delegates: bool = False
    holds: list = field(default_factory=list)
    hands_self: list = field(default_factory=list)

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def mentions_tornado(text: str) -> bool:
    return "tornado" in text or "select_subprotocol" in text


def _select_facts(function: ast.FunctionDef | ast.AsyncFunctionDef, constants: dict[str, str]) -> tuple[list[str], list[int], bool]:
    literals: list[str] = []
    nones: list[int] = []
    delegates = False
    for node in own_nodes(function):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in literals:
            literals.append(node.value)
        elif isinstance(node, ast.Name) and node.id in constants and constants[node.id] not in literals:
            literals.append(constants[node.id])
        elif isinstance(node, ast.Return) and (node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)):
            nones.append(node.lineno)
        elif isinstance(node, ast.IfExp):
            for arm in (node.body, node.orelse):
                if isinstance(arm, ast.Constant) and arm.value is None:
                    nones.append(arm.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "select_subprotocol":
            if isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "super":
                delegates = True
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if body and not isinstance(body[-1], (ast.Return, ast.Raise)) and not isinstance(body[-1], (ast.If, ast.Try)):
        nones.append(function.end_lineno or function.lineno)
    docstring = ast.get_docstring(function)
    literals = [text for text in literals if text != docstring]
    return literals, sorted(set(nones)), delegates


def _class_fact(file: PythonFile, cls: ast.ClassDef, constants: dict[str, str]) -> TornadoClass:
    bases = [file.names.library_name(b) for b in cls.bases]
    direct = any(b.startswith("tornado.") and b.endswith("WebSocketHandler") for b in bases)
    fact = TornadoClass(file.path, cls.lineno, f"{file.module}.{cls.name}", bases, direct)
    holds: set[str] = set()
    hands: set[str] = set()
    for item in cls.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if item.name == "select_subprotocol":
            fact.select_line = item.lineno
            fact.select_literals, fact.none_lines, fact.delegates = _select_facts(item, constants)
        for node in own_nodes(item):
            if isinstance(node, ast.Attribute) and node.attr in HANDLER_API and isinstance(node.value, ast.Attribute):
                inner = node.value
                if isinstance(inner.value, ast.Name) and inner.value.id == "self":
                    holds.add(inner.attr)
            elif isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg and isinstance(keyword.value, ast.Name) and keyword.value.id == "self":
                        hands.add(keyword.arg)
    fact.holds, fact.hands_self = sorted(holds), sorted(hands)
    return fact


@python_extractor
def tornado_class_facts(file: PythonFile) -> Iterable[Fact]:
    if not mentions_tornado(file.source.text):
        return []
    constants = module_string_constants(file.source.tree)
    return [_class_fact(file, node, constants) for node in file.source.tree.body if isinstance(node, ast.ClassDef)]


# -- the class hierarchy over the project ----------------------------------------------------------


def class_key(cls: TornadoClass) -> str:
    """A class's key in the hierarchy: its file and name (two checkouts in one run may share names)."""
    return f"{cls.file}::{cls.name}"


class TornadoHierarchy:
    """Every Tornado class of the project, their resolved bases, handlers and leaves (built once per join).
    Classes are keyed by `class_key`; a base resolves to the class of that name in the same repository."""

    def __init__(self, project: "Project") -> None:
        self.project = project
        self.classes: dict[str, TornadoClass] = {class_key(c): c for c in project.facts(TornadoClass)}
        self.repository = {key: project.repository_of(c.file) for key, c in self.classes.items()}
        #: qualified name → keys; and `pkg.mod.Class` spelled from the file path, so a base imported by
        #: its dotted name resolves when folders have no `__init__.py` (module names are then file stems)
        self._by_name: dict[str, list[str]] = {}
        for key, cls in self.classes.items():
            stem = cls.file[:-3] if cls.file.endswith(".py") else cls.file
            if stem.endswith("/__init__"):
                stem = stem[: -len("/__init__")]
            spelled = stem.replace("\\", "/").strip("./").replace("/", ".") + "." + cls.short
            for name in {cls.name, spelled}:
                self._by_name.setdefault(name, []).append(key)
        self.bases: dict[str, list[str]] = {
            key: [b for b in (self._resolve(base, key) for base in cls.bases) if b is not None]
            for key, cls in self.classes.items()
        }
        self._handler: dict[str, bool] = {}
        used_as_base = {b for bases in self.bases.values() for b in bases}
        self.leaves = [key for key in self.classes if self.is_handler(key) and key not in used_as_base]

    def _resolve(self, base: str, owner: str) -> str | None:
        names = [self.project.resolve(base), base]
        candidates = [k for name in names for k in self._by_name.get(name, ())]
        if not candidates:
            candidates = [k for spelled, keys in self._by_name.items() if spelled.endswith("." + base) for k in keys]
        same = [k for k in candidates if self.repository[k] == self.repository[owner] and k != owner]
        return same[0] if same else None

    def is_handler(self, key: str, depth: int = 0) -> bool:
        if key in self._handler:
            return self._handler[key]
        self._handler[key] = False  # cycle guard
        cls = self.classes.get(key)
        found = cls is not None and (cls.direct or (depth < 12 and any(self.is_handler(b, depth + 1) for b in self.bases.get(key, ()))))
        self._handler[key] = found
        return found

    def mro(self, key: str) -> list[TornadoClass]:
        """The class and its project ancestors, depth first from the left (Python's order for the
        usual mixin shapes)."""
        order: list[TornadoClass] = []
        seen: set[str] = set()

        def visit(current: str, depth: int) -> None:
            if current in seen or depth > 12 or current not in self.classes:
                return
            seen.add(current)
            order.append(self.classes[current])
            for base in self.bases.get(current, ()):
                visit(base, depth + 1)

        visit(key, 0)
        return order

    def selector(self, key: str) -> TornadoClass | None:
        return next((c for c in self.mro(key) if c.select_line), None)

    def dead_selectors(self) -> list[TornadoClass]:
        """Classes with a `select_subprotocol` Tornado never calls: not a handler, not inherited by one,
        and using a handler they hold."""
        inherited = {class_key(c) for leaf in self.leaves for c in self.mro(leaf)}
        return [
            c for key, c in self.classes.items()
            if c.select_line and c.holds and key not in inherited and not self.is_handler(key)
        ]


def hierarchy(project: "Project") -> TornadoHierarchy:
    memo = project.memo
    found = memo.get("websocket-tornado-hierarchy")
    if found is None:
        found = memo["websocket-tornado-hierarchy"] = TornadoHierarchy(project)
    return found


def token_markers(prefixes: list[str]) -> list[str]:
    """`v1.token.x.` → `v1.token.x`: the plain protocol name a token-carrying entry extends."""
    return [p.rstrip(".:-_~/") for p in prefixes if p.rstrip(".:-_~/")]


# -- what INF501 reports on Tornado handlers --------------------------------------------------------

CONSEQUENCE = (
    "Tornado then sends no `Sec-WebSocket-Protocol`, and a browser that offered subprotocols aborts the "
    "handshake (close code 1006)"
)


@dataclass(frozen=True)
class TornadoMiss:
    line: int
    message: str
    used: tuple[Fact, ...]


def _same_repository(project: "Project", a: Fact, b: Fact) -> bool:
    return project.repository_of(a.file) == project.repository_of(b.file)


def _readers_for(project: "Project", tree: TornadoHierarchy, handler: TornadoClass) -> list:
    from .offer_readers import OfferReader

    ancestry = {c.name for c in tree.mro(class_key(handler))}
    found = []
    for reader in project.facts(OfferReader):
        if not reader.tornado:
            continue
        owner = reader.name.rpartition(".")[0]
        if reader.params == ["self"]:
            if owner in ancestry and _same_repository(project, reader, handler):
                found.append(reader)
        elif _same_repository(project, reader, handler):
            found.append(reader)
    return found


def _short_path(fact: Fact) -> str:
    return f"{fact.file.rsplit('/', 1)[-1]}:{fact.line}"


def tornado_misses(project: "Project", path: str) -> list[TornadoMiss]:
    """The Tornado handlers of one file that select nothing for a known offer."""
    tree = hierarchy(project)
    misses: list[TornadoMiss] = []
    for key in tree.leaves:
        handler = tree.classes[key]
        if handler.file != path:
            continue
        readers = _readers_for(project, tree, handler)
        selector = tree.selector(key)
        if selector is None:
            misses.extend(_no_selector(project, tree, handler, readers))
        elif selector is handler and readers and not handler.delegates and handler.none_lines:
            misses.extend(_selector_misses_token(handler, readers))
    return misses


def _no_selector(project: "Project", tree: TornadoHierarchy, handler: TornadoClass, readers: list) -> list[TornadoMiss]:
    leaves_here = [k for k in tree.leaves if tree.repository[k] == tree.repository[class_key(handler)]]
    for dead in tree.dead_selectors():
        if not _same_repository(project, dead, handler):
            continue
        handed = sorted(set(dead.holds) & set(handler.hands_self))
        if handed:
            how = f"the object it hands itself to as `{handed[0]}=self`"
        elif leaves_here == [class_key(handler)] and _same_repository(project, dead, handler):
            how = "joined as the only Tornado WebSocket handler of the repository"
        else:
            continue
        project.note(dead)
        return [TornadoMiss(handler.line, (
            f"Tornado WebSocket handler `{handler.short}` defines and inherits no `select_subprotocol`: the one on "
            f"`{dead.short}` ({dead.file.rsplit('/', 1)[-1]}:{dead.select_line}; {how}) is never called, because Tornado calls "
            f"`select_subprotocol` only on the handler; {CONSEQUENCE} — move it onto the handler or a mixin it inherits"
        ), (dead,))]
    if readers:
        reader = readers[0]
        project.note(reader)
        return [TornadoMiss(handler.line, (
            f"Tornado WebSocket handler `{handler.short}` defines and inherits no `select_subprotocol`, but "
            f"`{reader.name.rsplit('.', 1)[-1]}` reads the offer of the handlers it is given (`{reader.read}`, "
            f"{_short_path(reader)}): a client that authenticates through the offer gets no protocol back; {CONSEQUENCE}"
        ), (reader,))]
    return []


def _selector_misses_token(handler: TornadoClass, readers: list) -> list[TornadoMiss]:
    for reader in readers:
        markers = token_markers(reader.prefixes)
        if not markers:
            continue
        if any(lit == m or lit.startswith(m) for lit in handler.select_literals for m in markers):
            continue
        chosen = ", ".join(f"`{lit}`" for lit in handler.select_literals if lit) or "another name"
        return [TornadoMiss(handler.none_lines[0], (
            f"`select_subprotocol` answers None here unless the client offers {chosen}, but "
            f"`{reader.name.rsplit('.', 1)[-1]}` ({_short_path(reader)}) reads a token from offered entries starting "
            f"`{reader.prefixes[0]}`: a client that offers only `{markers[0]}` and its token entry gets no protocol "
            f"back; {CONSEQUENCE} — fall back to `{markers[0]}` (never the token-carrying entry)"
        ), (reader,))]
    return []
