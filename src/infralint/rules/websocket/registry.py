"""INF504: a socket registered in a shared structure that a disconnect does not remove again.

A registration is a call that hands the socket to a shared object under a registering name
(`manager.connect(websocket)`, `clients.add(ws)`, `rooms[room].append(ws)`) or a store
(`sockets[user] = websocket`). It is safe when the receive loop that follows sits in a `try` whose
`finally:` — or whose handler for the disconnect — removes it (`manager.disconnect(websocket)`,
`clients.discard(ws)`, `del sockets[user]`), when an `async for` over `iter_*()` (which ends
quietly on disconnect) is followed by the removal, or, for class-based consumers, when the
disconnect hook (`on_disconnect`, `disconnect`) removes it. A manager whose class is visible (here,
or through the project) is followed: its `connect` must really store the socket, its `disconnect`
really remove it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Iterable

from ...analysis.handlers import caught_names
from ...analysis.names import dotted_name
from ...project import module_name
from ...project.names import QualifiedNames
from .accept_flow import STARLETTE_USES
from .module import WebSocketRule, websocket_module
from .facts import SocketManagerMethod
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
    text: str  # how the registration reads (`manager.connect(websocket)`)


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


def _fresh_locals(function: ast.AST) -> set[str]:
    """Locals bound to a new, empty container in the function: nobody else sees them."""
    fresh = set()
    for node in own_nodes(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
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

    def __init__(self, tree: ast.Module, project=None, module: str = "", is_package: bool = False) -> None:
        self.project = project
        self.names = QualifiedNames(tree, module, is_package=is_package) if project is not None else None
        self.classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        self.instances: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
                if node.value.func.id in self.classes:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.instances[target.id] = node.value.func.id

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
        if self.project is None or self.names is None:
            return None
        qualified = self.names.qualified(receiver)
        if qualified is None:
            return None
        fact = self.project.first(SocketManagerMethod, f"{qualified}.{method}")
        if fact is None:
            return None
        return fact.stores if wanted is REGISTERS else fact.removes


class RegistrationLeaks:
    """The registrations of one handler that no disconnect path removes."""

    def __init__(self, handler: SocketHandler, managers: ManagerClasses, hooks: dict[str, list[ast.AST]] | None = None) -> None:
        self.handler = handler
        self.socket = handler.socket
        self.managers = managers
        self.hooks = hooks or {}

    def registrations(self) -> list[Registration]:
        fresh = _fresh_locals(self.handler.function)
        found = []
        for node in own_nodes(self.handler.function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in REGISTERS and passes(node, self.socket):
                receiver = node.func.value
                root = root_of(receiver)
                if isinstance(root, ast.Name) and (root.id in fresh or root.id == self.socket):
                    continue
                if self.managers.judge(receiver, node.func.attr, REGISTERS) is False:
                    continue  # a `connect` that only accepts
                found.append(Registration(node, _shared_spelling(receiver), _spelling(node)))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == self.socket:
                for target in node.targets:
                    root = root_of(target)
                    if isinstance(target, ast.Subscript) and isinstance(root, ast.Name) and root.id not in fresh:
                        spelling = _shared_spelling(target)
                        found.append(Registration(node, spelling, f"{spelling}[...] = {self.socket}"))
        return found

    def _is_removal(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in REMOVES:
            if self.managers.judge(node.func.value, node.func.attr, REMOVES) is False:
                return False
            return passes(node, self.socket) or node.func.attr == "pop" or not node.args
        return isinstance(node, ast.Delete) and any(isinstance(t, ast.Subscript) for t in node.targets)

    def _removes(self, statements: Iterable[ast.AST]) -> bool:
        return any(self._is_removal(n) for stmt in statements for n in ast.walk(stmt))

    def leaks(self) -> Iterable[tuple[Registration, ast.Call | None]]:
        """(registration, the receive that a disconnect escapes from) for every unprotected one."""
        registrations = self.registrations()
        if not registrations:
            return
        if self.handler.class_name is not None:
            if not self._removes(self.hooks.get(self.handler.class_name, [])):
                for registration in registrations:
                    yield registration, None
            return
        receive = self._unprotected_receive(registrations[0].node)
        if receive is not None:
            for registration in registrations:
                yield registration, receive

    def _unprotected_receive(self, after: ast.AST) -> ast.Call | None:
        parents = _parents(self.handler.function)
        for node in own_nodes(self.handler.function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RECEIVES):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == self.socket):
                continue
            if (node.lineno, node.col_offset) <= (after.lineno, after.col_offset):
                continue
            if not self._protected(node, parents):
                return node
        return None

    def _protected(self, receive: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
        child: ast.AST = receive
        node = parents.get(receive)
        while node is not None:
            if isinstance(node, ast.Try) and any(child is s for s in node.body):
                if self._removes(node.finalbody):
                    return True
                for handler in node.handlers:
                    if DISCONNECT_ERRORS & set(caught_names(handler)) and self._removes(handler.body):
                        return True
            if isinstance(node, ast.AsyncFor) and child is node.iter and receive.func.attr.startswith("iter"):
                if self._removes(_following(node, parents)):
                    return True  # `iter_*()` ends the loop quietly on disconnect
            child, node = node, parents.get(node)
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
        managers = ManagerClasses(ctx.tree, ctx.project, module_name(ctx.display_path), ctx.source.is_package_init)
        hooks = disconnect_hooks(module.sockets.class_nodes)
        for handler in module.handlers:
            if handler.framework not in ("starlette", "channels"):
                continue
            for registration, receive in RegistrationLeaks(handler, managers, hooks).leaks():
                yield self.report(ctx, registration.node, self.message(handler, registration, receive))

    @staticmethod
    def message(handler: SocketHandler, registration: Registration, receive: ast.Call | None) -> str:
        consequence = f"every disconnect leaves a dead socket in `{registration.shared}` that later broadcasts raise on"
        if receive is None:
            hook = "on_disconnect" if handler.framework == "starlette" else "disconnect"
            return f"`{registration.text}` registers the socket, but no `{hook}` method removes it: {consequence}"
        return (
            f"`{registration.text}` registers the socket, but the receive at line {receive.lineno} has no "
            f"`except WebSocketDisconnect`/`finally` that removes it: {consequence}"
        )
