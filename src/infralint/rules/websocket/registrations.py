"""What a WebSocket handler registers in shared structures and where it is removed again, for
INF504 (`websocket_disconnect_leak`): registrations, manager classes, the lifetime functions walked
by `leak_flow`, and classes that remove something else than they stored."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

from ...analysis.names import dotted_name
from ...project.names import QualifiedNames
from .accept_flow import STARLETTE_USES
from .callees import Callee, Callees, module_names, socket_param
from .leak_flow import Leak, LeakFlow
from .facts import SocketManagerMethod
from .keys import key_of
from .sharing import REGISTERS, REMOVES, method_touches, passes, root_of
from .sockets import SocketHandler, own_nodes

DISCONNECT_HOOKS = frozenset({"on_disconnect", "disconnect", "websocket_disconnect"})
DISCONNECT_ERRORS = frozenset({
    "WebSocketDisconnect", "ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError", "ClientDisconnected",
    "Exception", "BaseException", "CancelledError", "StopConsumer",
})
RECEIVES = frozenset(m for m in STARLETTE_USES if m.startswith(("receive", "iter")))
_FRESH_CONTAINERS = frozenset({"list", "dict", "set", "defaultdict", "deque", "WeakSet", "OrderedDict"})

#: `(receiver spelling, method)` → True if it stores the socket, False if it does not, None if unknown
MethodJudge = Callable[[ast.expr, str, str], "bool | None"]


@dataclass(frozen=True)
class Registration:
    node: ast.AST
    shared: str  # the spelling of the structure or manager (`manager`, `self.rooms`)
    socket: str

    @property
    def text(self) -> str:
        """How the registration reads (`manager.connect(websocket)`): spelled only for a message."""
        if isinstance(self.node, ast.Assign):
            return f"{self.shared}[...] = {self.socket}"
        return spelling_of(self.node)


def shared_spelling(node: ast.AST) -> str:
    """`rooms[room].append` → `rooms`; `self.clients.add` → `self.clients`."""
    while isinstance(node, (ast.Subscript, ast.Call)) or (isinstance(node, ast.Attribute) and dotted_name(node) is None):
        if isinstance(node, ast.Call):
            node = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        else:
            node = node.value
    return dotted_name(node) or "the structure"


def spelling_of(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fresh_locals(assigns: Iterable[ast.Assign]) -> set[str]:
    """Locals bound to a new, empty container in the function: nobody else sees them."""
    fresh = set()
    for node in assigns:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            new = isinstance(value, (ast.List, ast.Dict, ast.Set)) or (
                isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _FRESH_CONTAINERS
            )
            if new:
                fresh.add(node.targets[0].id)
    return fresh


class ManagerClasses:
    """Classes that manage sockets: those of this module (and their module-level instances), and
    through the project the methods of managers defined in other modules."""

    def __init__(self, tree: ast.Module, project=None, module: str = "", is_package: bool = False, source=None) -> None:
        self.project = project
        self._names_of = (tree, module, is_package, source)
        self.classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        self.instances: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
                if node.value.func.id in self.classes:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.instances[target.id] = node.value.func.id

    @cached_property
    def names(self) -> QualifiedNames:
        tree, module, is_package, source = self._names_of
        return module_names(source, module, is_package) if source is not None else QualifiedNames(tree, module, is_package=is_package)

    def judge(self, receiver: ast.expr, method: str, wanted: frozenset[str]) -> bool | None:
        """Whether `receiver.method(socket)` stores (wanted=REGISTERS) or removes (REMOVES) the socket."""
        if not isinstance(receiver, ast.Name) or receiver.id not in self.instances:
            return self._judge_in_project(receiver, method, wanted)
        cls = self.classes[self.instances[receiver.id]]
        for node in cls.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == method:
                params = [a.arg for a in node.args.args[1:]]
                return bool(params) and method_touches(node, params[0], wanted)
        return None

    def _judge_in_project(self, receiver: ast.expr, method: str, wanted: frozenset[str]) -> bool | None:
        if self.project is None:
            return None
        qualified = self.names.qualified(receiver)
        if qualified is None:
            return None
        fact = self.project.first(SocketManagerMethod, f"{qualified}.{method}")
        if fact is None:
            return None
        return fact.stores if wanted is REGISTERS else fact.removes


_REGISTERING_WORDS = ("connect", "register", "subscribe")
_REMOVING_WORDS = ("disconnect", "remove", "unregister", "unsubscribe", "discard", "leave", "detach", "drop")
LIFETIME_RECEIVES = RECEIVES | {"recv"}


def removing_name(name: str) -> bool:
    lowered = name.lower()
    return name in REMOVES or any(word in lowered for word in _REMOVING_WORDS)


def registering_name(name: str) -> bool:
    lowered = name.lower()
    return name in REGISTERS or (any(word in lowered for word in _REGISTERING_WORDS) and not removing_name(name))


def _is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


#: the receiver of a module function's keyed access: the module's own globals
_MODULE = ""


def _stored_in_place(target: ast.Subscript) -> dict[tuple[str, str, str], str]:
    """`manager.active[key] = websocket` (or a global `active[key] = websocket`): stored in
    `manager`'s `active` (the module's) under `key`, as a keyed registration whose removal may be
    `manager.unregister(key)` (a function of this module that removes by its key)."""
    slot = target
    while isinstance(slot.value, ast.Subscript):
        slot = slot.value
    if isinstance(slot.value, ast.Attribute):
        receiver, registry = key_of(slot.value.value), slot.value.attr
    elif isinstance(slot.value, ast.Name):
        receiver, registry = _MODULE, slot.value.id
    else:
        return {}
    return {(receiver, registry, key_of(slot.slice)): spelling_of(slot.slice, 30)}


class RegistrationLeaks:
    """The registrations of one function that some way out of it leaves in place."""

    def __init__(
        self, handler: SocketHandler, managers: ManagerClasses, hooks: dict[str, list[ast.AST]] | None = None,
        resolver: Callees | None = None,
    ) -> None:
        self.handler = handler
        self.socket = handler.socket
        self.managers = managers
        self.hooks = hooks or {}
        self.resolver = resolver
        self._callee_memo: dict[int, Callee | None] = {}
        #: (receiver, registry, key) → the key as written, for every registration under a key
        self._stored_keys: dict[tuple[str, str, str], str] = {}
        self._removal_memo: dict[int, bool] = {}

    def _callee(self, call: ast.Call) -> Callee | None:
        key = id(call)
        if key not in self._callee_memo:
            self._callee_memo[key] = self.resolver.of_call(call, self.socket, self.handler.function) if self.resolver else None
        return self._callee_memo[key]

    def registrations(self) -> list[Registration]:
        assigns: list[ast.Assign] = []
        candidates: list[ast.AST] = []  # what may register the socket, in source order (one walk)
        for node in own_nodes(self.handler.function):
            kind = type(node)
            if kind is ast.Assign:
                assigns.append(node)
                candidates.append(node)
            elif kind is ast.Call and isinstance(node.func, ast.Attribute) and passes(node, self.socket):
                candidates.append(node)
        fresh = _fresh_locals(assigns)
        found = []
        for node in candidates:
            if isinstance(node, ast.Call):
                receiver = node.func.value
                root = root_of(receiver)
                if isinstance(root, ast.Name) and (root.id in fresh or root.id == self.socket):
                    continue
                if _is_super_call(receiver):
                    continue  # `super().on_connect(ws)` hands the socket to the framework's own hook
                method = node.func.attr
                callee = self._callee(node)
                if callee is not None and not callee.use.abstract:
                    if not callee.use.stores:
                        continue  # a `connect` that only accepts
                elif not registering_name(method) or self.managers.judge(receiver, method, REGISTERS) is False:
                    continue
                found.append(Registration(node, shared_spelling(receiver), self.socket))
                self._stored_keys.update(self._keys(node, stored=True))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == self.socket:
                for target in node.targets:
                    root = root_of(target)
                    if isinstance(target, ast.Subscript) and isinstance(root, ast.Name) and root.id not in fresh:
                        spelling = shared_spelling(target)
                        found.append(Registration(node, spelling, self.socket))
                        self._stored_keys.update(_stored_in_place(target))
        return found

    def _keys(self, call: ast.Call, stored: bool) -> dict[tuple[str, str, str], str]:
        """(receiver, registry, key) → the key as written, for each place the called method stores the
        socket under a key (`stored`) or removes an entry by one, with the key this call passes."""
        if self.resolver is None:
            return {}
        if isinstance(call.func, ast.Name):
            if call.func.id not in self.resolver.functions:
                return {}  # an imported function's globals are another module's
            receiver = _MODULE
        elif isinstance(call.func, ast.Attribute):
            receiver = key_of(call.func.value)
        else:
            return {}
        stores, removes = self.resolver.keyed(call, self.handler.function)
        if not (stores if stored else removes):
            return {}
        found = {}
        for access in stores if stored else removes:
            argument = access.argument(call)
            if argument is not None:
                found[(receiver, access.registry, key_of(argument))] = spelling_of(argument, 30)
        return found

    def other_key_removal(self) -> tuple[ast.Call, str, str] | None:
        """A removal from the same manager and structure under another key than the one the socket
        was stored under: (the call, the key it removes, the key stored)."""
        stored = {(receiver, registry): text for (receiver, registry, _), text in self._stored_keys.items()}
        if not stored:
            return None
        for node in own_nodes(self.handler.function):
            if isinstance(node, ast.Call):
                for (receiver, registry, key), text in self._keys(node, stored=False).items():
                    if (receiver, registry) in stored and (receiver, registry, key) not in self._stored_keys:
                        return node, text, stored[(receiver, registry)]
        return None

    def _is_removal(self, node: ast.AST) -> bool:
        """Memoised: the flow asks about every call of a loop body on each of its passes."""
        key = id(node)
        found = self._removal_memo.get(key)
        if found is None:
            found = self._removal_memo[key] = self._judge_removal(node)
        return found

    def _judge_removal(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and self._stored_keys and not self._stored_keys.keys().isdisjoint(self._keys(node, stored=False)):
            return True  # `manager.unregister(key)` after `manager.register(key, websocket)`
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if passes(node, self.socket):
                callee = self._callee(node)
                if callee is not None and not callee.use.abstract:
                    return callee.use.removes
            if not removing_name(method):
                return False
            if self.managers.judge(node.func.value, method, REMOVES) is False:
                return False
            return passes(node, self.socket) or method == "pop" or not node.args
        return isinstance(node, ast.Delete) and any(isinstance(t, ast.Subscript) for t in node.targets)

    def _removes(self, statements: Iterable[ast.AST]) -> bool:
        return any(self._is_removal(n) for stmt in statements for n in ast.walk(stmt))

    def leaks(self, lifetime: bool = False) -> Iterable[tuple[Registration, Leak | None, str]]:
        """(registration, the way out that keeps it, why) for every unprotected one."""
        registrations = self.registrations()
        if not registrations:
            return
        if self.handler.class_name is not None and not lifetime:
            if not self._removes(self.hooks.get(self.handler.class_name, [])):
                for registration in registrations:
                    yield registration, None, "hook"
            return
        first = registrations[0].node
        if not self._observes(first, registrations, lifetime):
            if not lifetime:
                for registration in registrations:
                    yield registration, None, "never-receives"
            return
        nodes = {id(r.node) for r in registrations}
        flow = LeakFlow(self.handler.function, self.socket, lambda n: id(n) in nodes, self._is_removal)
        found = sorted(flow.run(), key=lambda leak: (leak.node.lineno, leak.node.col_offset))
        if found:
            for registration in registrations:
                yield registration, found[0], "flow"

    def _observes(self, after: ast.AST, registrations: list[Registration], lifetime: bool) -> bool:
        """Whether, after registering, the function sees the connection end: a receive (or, for a
        handler, a send) on the socket, an `async for` over it, or a call it is handed to."""
        registered = {id(r.node) for r in registrations}
        position = (after.lineno, after.col_offset)
        for node in own_nodes(self.handler.function):
            if not hasattr(node, "lineno") or (node.lineno, node.col_offset) <= position:
                continue
            if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Name) and node.iter.id == self.socket:
                return True
            if not isinstance(node, ast.Call) or id(node) in registered:
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == self.socket:
                if func.attr in LIFETIME_RECEIVES or (not lifetime and func.attr not in ("close", "accept")):
                    return True
            elif passes(node, self.socket) and not self._is_removal(node):
                return True
        return False


def lifetime_functions(tree: ast.Module, handled: set[int]) -> Iterable[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None, str]]:
    """Functions and methods (not handlers) with a socket parameter: (function, class name, socket)."""
    for node in tree.body:
        members = [(node, None)] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else (
            [(m, node.name) for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))] if isinstance(node, ast.ClassDef) else []
        )
        for function, cls in members:
            if id(function) in handled or registering_name(function.name) or removing_name(function.name):
                continue
            param = socket_param(function, cls is not None)
            if param is not None:
                yield function, cls, param[1]


# -- a class that removes something else than it registered ---------------------------------------


@dataclass(frozen=True)
class Mismatch:
    store: ast.AST
    registry: str
    stored: str
    removed: str
    where: ast.AST  # the removal's test or call


def _selfish(node: ast.AST) -> str | None:
    """`self` or `self.attr`, spelled."""
    if isinstance(node, ast.Name) and node.id == "self":
        return "self"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    return None


def _registry_of(node: ast.AST) -> str | None:
    """`self._open[key]` / `self._open` / `Cls._open` → `_open`."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr
    return None


#: what a store of `self` or `self.attr` into a registry looks like in the text (the pre-filter)
_STORES_SELF = re.compile(r"\]\s*=\s*self\b|\.(?:add|append)\(\s*self\b")


def mismatched_removals(classes: list[ast.ClassDef], text: str) -> Iterable[Mismatch]:
    """Stores of `self`-things into a registry of the class whose every removal tests or removes
    another `self`-thing (`... = self.handler` vs `if reg.get(key) is self: reg.pop(key)`)."""
    if not _STORES_SELF.search(text):
        return
    for cls in classes:
        stores: dict[str, list[tuple[ast.AST, str]]] = {}
        removals: dict[str, list[tuple[ast.AST, str | None]]] = {}
        for node in ast.walk(cls):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
                stored = _selfish(node.value)
                registry = _registry_of(node.targets[0])
                if stored and registry:
                    stores.setdefault(registry, []).append((node, stored))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                registry = _registry_of(node.func.value)
                if registry is None or not node.args:
                    continue
                value = _selfish(node.args[0])
                if node.func.attr in ("add", "append") and value:
                    stores.setdefault(registry, []).append((node, value))
                elif node.func.attr in ("remove", "discard"):
                    removals.setdefault(registry, []).append((node, value))
            elif isinstance(node, ast.If):
                compared = _identity_test(node.test)
                if compared is not None:
                    registry, value = compared
                    if any(_removes_from(n, registry) for s in node.body for n in ast.walk(s)):
                        removals.setdefault(registry, []).append((node.test, value))
            elif isinstance(node, ast.Delete):
                for target in node.targets:
                    registry = _registry_of(target)
                    if registry:
                        removals.setdefault(registry, []).append((node, None))
        for registry, stored_list in stores.items():
            removed = removals.get(registry, [])
            if not removed or any(value is None for _, value in removed):
                continue  # no removal here (another rule's business) or one that removes by key
            for store, stored in stored_list:
                if all(value != stored for _, value in removed):
                    where, value = removed[0]
                    yield Mismatch(store, registry, stored, value or "", where)


def _identity_test(test: ast.expr) -> tuple[str, str] | None:
    """`self.reg.get(key) is self` → (`reg`, `self`)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq)):
        left, right = test.left, test.comparators[0]
        for probe, value in ((left, right), (right, left)):
            if isinstance(probe, ast.Call) and isinstance(probe.func, ast.Attribute) and probe.func.attr == "get":
                registry = _registry_of(probe.func.value)
                spelled = _selfish(value)
                if registry and spelled:
                    return registry, spelled
            if isinstance(probe, ast.Subscript):
                registry = _registry_of(probe)
                spelled = _selfish(value)
                if registry and spelled:
                    return registry, spelled
    return None


def _removes_from(node: ast.AST, registry: str) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("pop", "remove", "discard"):
        return _registry_of(node.func.value) == registry
    if isinstance(node, ast.Delete):
        return any(_registry_of(t) == registry for t in node.targets)
    return False


def _parents(function: ast.AST) -> dict[ast.AST, ast.AST]:
    parents = {}
    for node in ast.walk(function):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _following(stmt: ast.stmt, parents: dict[ast.AST, ast.AST]) -> list[ast.stmt]:
    """The statements after `stmt` in its block."""
    parent = parents.get(stmt)
    for field_name in ("body", "orelse", "finalbody"):
        block = getattr(parent, field_name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            index = next(i for i, s in enumerate(block) if s is stmt)
            return block[index + 1:]
    return []


def disconnect_hooks(classes: list[ast.ClassDef]) -> dict[str, list[ast.AST]]:
    """Class name → the bodies of its disconnect hooks."""
    return {
        cls.name: [m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name in DISCONNECT_HOOKS]
        for cls in classes
    }
