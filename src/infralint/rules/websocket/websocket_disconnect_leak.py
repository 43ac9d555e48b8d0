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

from ...project import module_name
from .callees import Callees, callees
from .leak_flow import Leak
from .module import WebSocketRule, websocket_module
from .sharing import passes
from .sockets import SocketHandler, own_nodes
from .registrations import (
    disconnect_hooks,
    lifetime_functions,
    LIFETIME_RECEIVES,
    ManagerClasses,
    Mismatch,
    mismatched_removals,
    registering_name,
    Registration,
    RegistrationLeaks,
    removing_name,
    shared_spelling,
    spelling_of,
)


class WebsocketDisconnectLeak(WebSocketRule):
    """INF504: a socket registered in a shared structure that a disconnect does not remove again."""

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
            if lifetime and (registering_name(handler.function.name) or removing_name(handler.function.name)):
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
                f"{head} under `{stored}`, but the removal `{spelling_of(call, 50)}` (line {call.lineno}) takes out the entry "
                f"under `{removed}`, so the function ends without removing it: {consequence}"
            )
        if leak.kind == "escape":
            value = leak.node.value if isinstance(leak.node, ast.Await) else None
            receives = isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in LIFETIME_RECEIVES
            if leak.exception == "disconnect":
                what = "a disconnect" if receives else "an exception (a closed or broken socket)"
            else:
                what = "any exception other than a disconnect"
            spelled = spelling_of(leak.node.value if isinstance(leak.node, ast.Await) else leak.node, 50)
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
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and removing_name(node.func.attr):
                if shared_spelling(node.func.value) == shared:
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
