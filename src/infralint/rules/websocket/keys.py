"""Sockets stored under a key, and removals by that key (INF504).

The most common connection manager stores the socket under a key its caller chooses and removes it
by the same key, never seeing the socket again:

    async def register(self, key, websocket):       async def unregister(self, key):
        async with self.lock:                            async with self.lock:
            self.active[key] = websocket                     self.active.pop(key, None)

A method's *keyed access* says which structure it touches (`active`) and which of its parameters
is the key (position and name). At a call site the key is the argument in that place, so
`manager.register(key, websocket)` … `manager.unregister(key)` is a registration and its removal,
while `manager.unregister(user_id)` removes some other entry. Methods of other modules travel as
`websocket-key-method` facts (extracted with the `socket-use` facts, `callees.py`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ...project import Fact, fact_kind
from ...source import walk_types

_KEYED_NODES = frozenset({ast.Assign, ast.Delete, ast.Call, ast.ExceptHandler})
_GROUP_ADDS = frozenset({"add", "append", "appendleft"})
_SETDEFAULT = "setdefault"


@dataclass(frozen=True)
class KeyedAccess:
    """A method stores its socket in (or removes from) `registry` under its parameter `param`."""

    registry: str  # `active` for `self.active[key]` (or a module-level `active[key]`)
    index: int  # the key's position among the call's arguments (`self` not counted)
    param: str  # the key's name, for a call that passes it by keyword

    def to_list(self) -> list:
        return [self.registry, self.index, self.param]

    @staticmethod
    def from_list(item: list) -> "KeyedAccess":
        return KeyedAccess(str(item[0]), int(item[1]), str(item[2]))

    def argument(self, call: ast.Call) -> ast.expr | None:
        """The expression a call passes for the key."""
        for keyword in call.keywords:
            if keyword.arg == self.param:
                return keyword.value
        if 0 <= self.index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: self.index + 1]):
            return call.args[self.index]
        return None


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    return params


def _registry(node: ast.expr) -> str | None:
    """`self.active` → `active`; a module-level `active` → `active`."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _keyed_slot(node: ast.expr, params: list[str]) -> KeyedAccess | None:
    """`self.active[key]` (or `self.active[key][...]`) with `key` a parameter."""
    while isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript):
        node = node.value
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Name) or node.slice.id not in params:
        return None
    registry = _registry(node.value)
    if registry is None:
        return None
    return KeyedAccess(registry, params.index(node.slice.id), node.slice.id)


def _keyed_group(receiver: ast.expr, params: list[str]) -> KeyedAccess | None:
    """The group a socket is added to: `self.rooms[key]` or `self.rooms.setdefault(key, set())`."""
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and receiver.func.attr == _SETDEFAULT:
        first = receiver.args[0] if receiver.args else None
        registry = _registry(receiver.func.value)
        if isinstance(first, ast.Name) and first.id in params and registry is not None:
            return KeyedAccess(registry, params.index(first.id), first.id)
        return None
    return _keyed_slot(receiver, params)


def _is_socket(node: ast.expr, socket: str) -> bool:
    return isinstance(node, ast.Name) and node.id == socket


def keyed_stores(function: ast.FunctionDef | ast.AsyncFunctionDef, socket: str) -> list[KeyedAccess]:
    """Where the function stores its `socket` parameter under a key parameter."""
    return _keyed(function, socket)[0]


def keyed_removals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[KeyedAccess]:
    """Where the function removes an entry by a key parameter on its normal path (`self.active.pop(key,
    None)`, `del self.active[key]`); a removal only inside an `except` handler does not count."""
    return _keyed(function, None)[1]


def _keyed(function: ast.FunctionDef | ast.AsyncFunctionDef, socket: str | None) -> tuple[list[KeyedAccess], list[KeyedAccess]]:
    """(keyed stores of `socket`, keyed removals), from one walk of the function's own nodes."""
    all_params = _parameters(function)
    params = [p if p != socket else "" for p in all_params]  # positions kept; the socket is no key
    stores: list[KeyedAccess] = []
    removes: list[KeyedAccess] = []
    if not all_params:
        return stores, removes
    in_handler: set[int] = set()
    # the shared fast walk (breadth first: a handler comes before its nodes); a nested function's
    # stores count as the method's, which only a manager that defines one inside a method sees
    for node in walk_types(function, _KEYED_NODES):
        kind = type(node)
        if kind is ast.ExceptHandler:
            in_handler.update(id(n) for n in ast.walk(node))
        elif kind is ast.Assign and socket is not None and _is_socket(node.value, socket):
            _add(stores, *(_keyed_slot(t, params) for t in node.targets))
        elif kind is ast.Delete and id(node) not in in_handler:
            _add(removes, *(_keyed_slot(t, all_params) for t in node.targets))
        elif kind is ast.Call and isinstance(node.func, ast.Attribute) and node.args:
            method = node.func.attr
            if method in _GROUP_ADDS and socket is not None and _is_socket(node.args[0], socket):
                _add(stores, _keyed_group(node.func.value, params))
            elif method == "pop" and id(node) not in in_handler:
                first, registry = node.args[0], _registry(node.func.value)
                if isinstance(first, ast.Name) and first.id in all_params and registry is not None:
                    _add(removes, KeyedAccess(registry, all_params.index(first.id), first.id))
    return stores, removes


def _add(found: list[KeyedAccess], *accesses: KeyedAccess | None) -> None:
    for access in accesses:
        if access is not None and access not in found:
            found.append(access)


# -- methods of other modules -----------------------------------------------------------------------


@fact_kind("websocket-key-method")
@dataclass
class SocketKeyMethod(Fact):
    """A function or method (`pkg.mod.Class.method`) that stores a socket under a key parameter or
    removes an entry by one: `[registry, position, parameter]` per access."""

    name: str = ""
    stores: list | None = None
    removes: list | None = None

    def stored(self) -> list[KeyedAccess]:
        return [KeyedAccess.from_list(item) for item in self.stores or ()]

    def removed(self) -> list[KeyedAccess]:
        return [KeyedAccess.from_list(item) for item in self.removes or ()]


#: what a keyed store or removal looks like in the text (the extractor's pre-filter): the calls
#: and `del` by substring, a subscript store (`...] = websocket`) by this pattern
_KEYED_WORDS = ("del ", ".pop(", ".add(", ".append")
_SUBSCRIPT_STORE = re.compile(r"\]\s*=[^=]")


def keyed_method(function: ast.FunctionDef | ast.AsyncFunctionDef, socket: str | None) -> tuple[list[KeyedAccess], list[KeyedAccess]]:
    """(keyed stores of `socket`, keyed removals) of one function."""
    return _keyed(function, socket)


def may_be_keyed(function: ast.AST, lines: list[str]) -> bool:
    """Cheap pre-filter on the function's lines before its nodes are walked."""
    end = getattr(function, "end_lineno", None) or function.lineno
    return may_hold_keyed("\n".join(lines[function.lineno - 1 : end]))


def may_hold_keyed(text: str) -> bool:
    """The same test on any text: on a whole module, False says no function of it may be keyed
    (a function's lines are a part of it), without splitting it into lines."""
    return any(word in text for word in _KEYED_WORDS) or ("]" in text and _SUBSCRIPT_STORE.search(text) is not None)


def key_of(expr: ast.expr) -> str:
    """How two call sites' key expressions are compared: their structure, not their spacing."""
    return ast.dump(expr, annotate_fields=False)
