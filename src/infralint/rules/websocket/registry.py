"""INF504: a socket registered in a shared structure that a disconnect does not remove again.

A registration is a call that hands the socket to a shared object under a registering name
(`manager.connect(websocket)`, `clients.add(ws)`, `rooms[room].append(ws)`), a method the project
knows stores it (`accept_connection(websocket)`), or a store (`sockets[user] = websocket`).

Function handlers, and functions that register the socket they are handed and then serve it
(`serve(self, websocket)`: a receive loop, `async for message in websocket`, a call that takes it),
are walked by `leak_flow`: every way out — an exception of any kind, a `return`, the end after a
helper that swallowed the disconnect — must pass a removal (`finally:`, or a handler for every
exception whose removal comes before anything that can raise). A handler that never receives
never sees the disconnect. For class-based consumers the disconnect hook (`on_disconnect`,
`disconnect`) must remove it, and what a class removes must be what it stored (`self.sessions[key]
= self.handler` is never popped by `if self.sessions.get(key) is self`). A manager whose class is
visible (here, or through the project) is followed: its `connect` must really store the socket, its
`disconnect` really remove it. A manager that stores the socket under a key (`register(key, ws)`)
is emptied by a call that removes by the same key (`unregister(key)`, `keys.py`); another key
removes another entry.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

from ...analysis.names import dotted_name
from ...project import module_name
from ...project.names import QualifiedNames
from .accept_flow import STARLETTE_USES
from .callees import Callee, Callees, callees, module_names, socket_param
from .leak_flow import Leak, LeakFlow
from .module import WebSocketRule, websocket_module
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
        return _spelling(self.node)


def _shared_spelling(node: ast.AST) -> str:
    """`rooms[room].append` → `rooms`; `self.clients.add` → `self.clients`."""
    while isinstance(node, (ast.Subscript, ast.Call)) or (isinstance(node, ast.Attribute) and dotted_name(node) is None):
        if isinstance(node, ast.Call):
            node = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        else:
            node = node.value
    return dotted_name(node) or "the structure"


def _spelling(node: ast.AST, limit: int = 60) -> str:
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
_LIFETIME_RECEIVES = RECEIVES | {"recv"}


def _removing_name(name: str) -> bool:
    lowered = name.lower()
    return name in REMOVES or any(word in lowered for word in _REMOVING_WORDS)


def _registering_name(name: str) -> bool:
    lowered = name.lower()
    return name in REGISTERS or (any(word in lowered for word in _REGISTERING_WORDS) and not _removing_name(name))


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
    return {(receiver, registry, key_of(slot.slice)): _spelling(slot.slice, 30)}


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
                elif not _registering_name(method) or self.managers.judge(receiver, method, REGISTERS) is False:
                    continue
                found.append(Registration(node, _shared_spelling(receiver), self.socket))
                self._stored_keys.update(self._keys(node, stored=True))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == self.socket:
                for target in node.targets:
                    root = root_of(target)
                    if isinstance(target, ast.Subscript) and isinstance(root, ast.Name) and root.id not in fresh:
                        spelling = _shared_spelling(target)
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
                found[(receiver, access.registry, key_of(argument))] = _spelling(argument, 30)
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
            if not _removing_name(method):
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
                if func.attr in _LIFETIME_RECEIVES or (not lifetime and func.attr not in ("close", "accept")):
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
            if id(function) in handled or _registering_name(function.name) or _removing_name(function.name):
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


class DisconnectLeak(WebSocketRule):
    code = "INF504"
    uses_project = True

    def finish(self, ctx):
        module = websocket_module(ctx)
        managers = ManagerClasses(ctx.tree, ctx.project, module_name(ctx.display_path), ctx.source.is_package_init, ctx.source)
        hooks = disconnect_hooks(module.sockets.class_nodes)
        resolver = callees(ctx)
        reported: set[int] = set()
        handled: set[int] = set()
        for handler in module.handlers:
            handled.add(id(handler.function))
            if handler.framework not in ("starlette", "channels"):
                continue
            lifetime = not handler.entry and handler.class_name is None  # a function handed an accepted socket
            if lifetime and (_registering_name(handler.function.name) or _removing_name(handler.function.name)):
                continue  # a manager's `connect`/`disconnect`: its caller owns the lifetime
            leaks = RegistrationLeaks(handler, managers, hooks, resolver)
            for registration, leak, why in leaks.leaks(lifetime=lifetime):
                if id(registration.node) not in reported:
                    reported.add(id(registration.node))
                    yield self.report(ctx, registration.node, self.message(handler, registration, leak, why, resolver, leaks))
        classes = {c.name: c for c in ctx.tree.body if isinstance(c, ast.ClassDef)}
        for function, cls, socket in lifetime_functions(ctx.tree, handled):
            served = SocketHandler(function, "starlette", socket, False, class_name=cls)
            leaks = RegistrationLeaks(served, managers, hooks, resolver)
            for registration, leak, why in leaks.leaks(lifetime=True):
                if cls is not None and _removed_elsewhere(classes.get(cls), function, registration.shared):
                    continue  # another method takes it out again (a `quit(websocket)` the reader calls)
                if id(registration.node) not in reported:
                    reported.add(id(registration.node))
                    yield self.report(ctx, registration.node, self.message(served, registration, leak, why, resolver, leaks))
        for mismatch in mismatched_removals(module.sockets.class_nodes, ctx.source.text):
            if id(mismatch.store) not in reported:
                reported.add(id(mismatch.store))
                yield self.report(ctx, mismatch.store, self.mismatch_message(mismatch))

    @staticmethod
    def mismatch_message(mismatch: Mismatch) -> str:
        return (
            f"`{mismatch.stored}` is registered in `{mismatch.registry}`, but the removal (line {mismatch.where.lineno}) only "
            f"removes the entry when it is `{mismatch.removed}`, a different object: the test never holds, so every "
            f"closed connection stays registered and a reconnect finds a dead entry"
        )

    @staticmethod
    def message(
        handler: SocketHandler, registration: Registration, leak: Leak | None, why: str, resolver: Callees | None = None,
        leaks: RegistrationLeaks | None = None,
    ) -> str:
        consequence = f"the dead socket stays in `{registration.shared}` and later broadcasts raise on it"
        head = f"`{registration.text}` registers the socket"
        if why == "hook":
            hook = "on_disconnect" if handler.framework == "starlette" else "disconnect"
            return f"{head}, but no `{hook}` method removes it: {consequence}"
        if why == "never-receives":
            return (
                f"{head}, but the handler never receives from it (nor hands it to code that does): the disconnect is "
                f"never seen, so the removal never runs and {consequence}"
            )
        assert leak is not None
        line = leak.node.lineno
        other_key = leaks.other_key_removal() if leaks is not None else None
        if other_key is not None:
            call, removed, stored = other_key
            return (
                f"{head} under `{stored}`, but the removal `{_spelling(call, 50)}` (line {call.lineno}) takes out the entry "
                f"under `{removed}`, so the function ends without removing it: {consequence}"
            )
        if leak.kind == "escape":
            value = leak.node.value if isinstance(leak.node, ast.Await) else None
            receives = isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _LIFETIME_RECEIVES
            if leak.exception == "disconnect":
                what = "a disconnect" if receives else "an exception (a closed or broken socket)"
            else:
                what = "any exception other than a disconnect"
            spelled = _spelling(leak.node.value if isinstance(leak.node, ast.Await) else leak.node, 50)
            return (
                f"{head}, but {what} raised by `{spelled}` (line {line}) leaves the function without removing it "
                f"(no `finally:` removal, and no handler that removes it before anything else can raise): {consequence}"
            )
        swallowed = _swallowing_helper(handler, registration, resolver)
        if swallowed:
            return (
                f"{head}, but {swallowed}, so the call returns normally and the function ends (line {line}) without the "
                f"removal, which only runs in `except` handlers: {consequence}"
            )
        if leak.kind == "return":
            return f"{head}, but the function returns at line {line} on a path that does not remove it: {consequence}"
        return f"{head}, but the function can end (line {line}) on a path that does not remove it: {consequence}"


def _removed_elsewhere(cls: ast.ClassDef | None, function: ast.AST, shared: str) -> bool:
    """Another method of the class removes an element (not a key) from the same structure."""
    if cls is None:
        return False
    for method in cls.body:
        if method is function or not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(method):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and _removing_name(node.func.attr):
                if _shared_spelling(node.func.value) == shared:
                    return True
    return False


def _swallowing_helper(handler: SocketHandler, registration: Registration, resolver: Callees | None) -> str | None:
    if resolver is None:
        return None
    for node in own_nodes(handler.function):
        if isinstance(node, ast.Call) and node is not registration.node and passes(node, handler.socket):
            callee = resolver.of_call(node, handler.socket, handler.function)
            if callee is not None and callee.use.swallows:
                path = callee.where.rsplit(":", 1)[0]
                return f"`{callee.name}` catches the disconnect without raising it again ({path}:{callee.use.swallows})"
    return None
