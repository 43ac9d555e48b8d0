"""What a function does with a socket handed to it: accept, send before accepting, close and return,
store or remove it, swallow the disconnect. INF503 and INF504 ask it about the callees of a handler
(`manager.connect(websocket)`, `Depends(get_token)`, `create_channel(websocket)`), in this module
or — through the `socket-use` facts — in another one.

A callee is resolved by what is visible: a function or class of this module, a module-level
instance of one, a local annotated with a class, or an import. Imported names are joined with the
project's facts by qualified name and, when packages have no `__init__.py` or the code runs from a
sub-folder (`from server.manager import M` in `backend/server/app.py`), by the longest dotted tail
they share, the candidate nearest in the tree winning.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from ...analysis.handlers import caught_names
from ...project import Fact, PythonFile, fact_kind, python_extractor
from .accept_flow import closed_exits
from .keys import KeyedAccess, SocketKeyMethod, keyed_method, may_be_keyed, may_hold_keyed
from .module import mentions_websockets
from .sharing import REGISTERS, REMOVES, method_touches
from .sockets import own_nodes

SENDS = frozenset({"send", "send_text", "send_bytes", "send_json"})
RECEIVES = frozenset({"receive", "receive_text", "receive_bytes", "receive_json", "iter_text", "iter_bytes", "iter_json", "recv"})
CLOSES = frozenset({"close", "send_denial_response"})
SOCKET_NAMES = frozenset({"websocket", "ws", "socket", "websock", "sock", "client_ws", "conn_ws"})
DISCONNECTS = frozenset({"WebSocketDisconnect", "ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError", "Exception", "BaseException"})
_TRIVIAL = (ast.Pass, ast.Expr, ast.Raise)


def socket_param(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> tuple[int, str] | None:
    """(position among the call's arguments, name) of the parameter that holds a WebSocket."""
    params = [*function.args.posonlyargs, *function.args.args]
    if method and params and params[0].arg in ("self", "cls"):
        params = params[1:]
    for index, param in enumerate([*params, *function.args.kwonlyargs]):
        annotation = _annotation_text(param.annotation).lower()
        if "websocket" in annotation.replace("_", "") or param.arg in SOCKET_NAMES or "websocket" in param.arg.lower():
            return (index if index < len(params) else -1), param.arg
    return None


def _annotation_text(annotation: ast.expr | None) -> str:
    """The annotation as written; a plain name or dotted name without `ast.unparse` (most are)."""
    if annotation is None:
        return ""
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Attribute) and isinstance(annotation.value, ast.Name):
        return f"{annotation.value.id}.{annotation.attr}"
    return ast.unparse(annotation)


@dataclass
class SocketUse:
    """A function's behaviour towards its socket parameter."""

    accepts: int | None = None  # line of an accept (of the socket, or of a wrapper built from it)
    sends_first: int | None = None  # line of a send that comes before any accept
    closes: int | None = None  # line of a close
    returns_after_close: int | None = None  # a close after which the function returns None instead of raising
    stores: bool = False
    removes: bool = False
    swallows: int | None = None  # line of a handler that catches the disconnect and does not raise again
    receives: bool = False
    abstract: bool = False


def summarize(function: ast.FunctionDef | ast.AsyncFunctionDef, socket: str) -> SocketUse:
    use = SocketUse()
    use.abstract = _is_abstract(function)
    aliases = {socket}
    accepted = False
    for node in own_nodes(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _passes(node.value, aliases):
            aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call) and _passes(node.context_expr, aliases):
            if isinstance(node.optional_vars, ast.Name):
                aliases.add(node.optional_vars.id)
        elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Name) and node.iter.id == socket:
            use.receives = True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            receiver, method = node.func.value.id, node.func.attr
            if receiver not in aliases:
                continue
            if method == "accept":
                use.accepts = use.accepts or node.lineno
                accepted = True
            elif method in SENDS and not accepted and use.sends_first is None and receiver == socket:
                use.sends_first = node.lineno
            elif method in CLOSES:
                use.closes = use.closes or node.lineno
            elif method in RECEIVES and receiver == socket:
                use.receives = True
    use.stores = method_touches(function, socket, REGISTERS)
    use.removes = method_touches(function, socket, REMOVES)
    if use.closes is not None:
        use.returns_after_close = _returns_after_close(function, socket)
    use.swallows = _swallows(function, socket) if use.receives else None
    return use


def _passes(call: ast.Call, names: set[str]) -> bool:
    return any(isinstance(a, ast.Name) and a.id in names for a in [*call.args, *(k.value for k in call.keywords)])


def _is_abstract(function: ast.AST) -> bool:
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str))]
    return all(isinstance(s, _TRIVIAL) for s in body) and not any(isinstance(s, ast.Expr) and not isinstance(s.value, ast.Constant) for s in body)


def _returns_after_close(function: ast.AST, socket: str) -> int | None:
    return closed_exits(function, socket)


def _swallows(function: ast.AST, socket: str) -> int | None:
    """A `try` around a receive whose handler for the disconnect neither raises nor re-raises."""
    for node in own_nodes(function):
        if not isinstance(node, ast.Try):
            continue
        receives = any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in RECEIVES
            and isinstance(n.func.value, ast.Name) and n.func.value.id == socket
            for stmt in node.body for n in ast.walk(stmt)
        ) or any(isinstance(n, ast.AsyncFor) and isinstance(n.iter, ast.Name) and n.iter.id == socket for stmt in node.body for n in ast.walk(stmt))
        if not receives:
            continue
        for handler in node.handlers:
            names = set(caught_names(handler))
            if (handler.type is None or names & DISCONNECTS) and not any(isinstance(n, ast.Raise) for s in handler.body for n in ast.walk(s)):
                return handler.lineno
    return None


# -- the facts ------------------------------------------------------------------------------------


@fact_kind("socket-use")
@dataclass
class SocketUseFact(Fact):
    """A function or method with a socket parameter (`pkg.mod.func`, `pkg.mod.Class.method`) and
    what it does with it; `bases` are the spellings of its class's bases."""

    name: str = ""
    param: str = ""
    index: int = 0
    accepts: int | None = None
    sends_first: int | None = None
    closes: int | None = None
    returns_after_close: int | None = None
    stores: bool = False
    removes: bool = False
    swallows: int | None = None
    receives: bool = False
    abstract: bool = False
    bases: list = field(default_factory=list)

    def use(self) -> SocketUse:
        return SocketUse(self.accepts, self.sends_first, self.closes, self.returns_after_close, self.stores, self.removes, self.swallows, self.receives, self.abstract)


def _definitions(tree: ast.Module) -> Iterable[tuple[str, ast.ClassDef | None, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, None, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", node, item


@python_extractor
def socket_uses(file: PythonFile) -> Iterable[Fact]:
    """Functions with a socket parameter and what they do with it; functions that store a socket
    under a key or remove by one (`websocket-key-method`)."""
    if not mentions_websockets(file.source.text):
        return []
    found: list[Fact] = []
    # split into lines only when some function may store a socket under a key
    lines = file.source.lines if may_hold_keyed(file.source.text) else None
    for name, cls, function in _definitions(file.source.tree):
        param = socket_param(function, cls is not None)
        if lines is not None and may_be_keyed(function, lines):
            stores, removes = keyed_method(function, param[1] if param else None)
            if stores or removes:
                found.append(SocketKeyMethod(
                    file.path, function.lineno, f"{file.module}.{name}", [a.to_list() for a in stores] or None, [a.to_list() for a in removes] or None,
                ))
        if param is None:
            continue
        use = summarize(function, param[1])
        if not (use.accepts or use.sends_first or use.closes or use.stores or use.removes or use.receives or use.abstract):
            continue
        bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in cls.bases] if cls is not None else []
        found.append(SocketUseFact(
            file.path, function.lineno, f"{file.module}.{name}", param[1], param[0], use.accepts, use.sends_first, use.closes,
            use.returns_after_close, use.stores, use.removes, use.swallows, use.receives, use.abstract, bases,
        ))
    return found


# -- resolving a handler's callees ------------------------------------------------------------------


@dataclass(frozen=True)
class Callee:
    use: SocketUse
    name: str  # how the message names it (`ConnectionManager.connect`)
    where: str  # `path:line` of its definition


class Callees:
    """The callees of one module's handlers, resolved locally or through the project."""

    def __init__(self, tree: ast.Module, path: str, project=None, module: str = "", is_package: bool = False, source=None) -> None:
        self.path = path
        self.project = project
        self._names_of = (tree, module, is_package, source)
        self.functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        self.instances: dict[str, ast.expr] = {}  # module-level `manager = ConnectionManager()`
        self.imports: dict[str, str] = {}  # local name -> dotted spelling (relative ones without their dots)
        self.qualified: dict[tuple, str] = {}  # target -> its qualified name, when the import resolves
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.instances[target.id] = node.value.func
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        self.imports[alias.asname or alias.name] = ".".join(p for p in (node.module or "", alias.name) if p)
        self._memo: dict = {}

    @cached_property
    def names(self):
        """Qualified names of the module (built only when an import has to be joined)."""
        tree, module, is_package, source = self._names_of
        if source is not None:
            return module_names(source, module, is_package)
        from ...project.names import QualifiedNames

        return QualifiedNames(tree, module, is_package=is_package)

    # -- entry points ---

    def of_call(self, call: ast.Call, socket: str, function: ast.AST | None = None) -> Callee | None:
        """What the function called here does with `socket`, passed as one of its arguments."""
        position = next((i for i, a in enumerate(call.args) if isinstance(a, ast.Name) and a.id == socket), None)
        keyword = next((k.arg for k in call.keywords if isinstance(k.value, ast.Name) and k.value.id == socket), None)
        if position is None and keyword is None:
            return None
        target = self._target(call.func, function)
        if target is None:
            return None
        found = self._lookup(target)
        if found is None:
            return None
        callee, param, index = found
        if keyword is not None and keyword != param:
            return None
        if position is not None and index >= 0 and position != index:
            return None
        return callee

    def of_reference(self, expr: ast.expr) -> Callee | None:
        """What a function named by `expr` (a dependency) does with its socket parameter."""
        target = self._target(expr, None)
        found = self._lookup(target) if target is not None else None
        return found[0] if found else None

    # -- resolution ---

    def _target(self, func: ast.expr, function: ast.AST | None) -> tuple | None:
        """("local", ClassDef|None, name) or ("tail", dotted)."""
        if isinstance(func, ast.Name):
            if func.id in self.functions:
                return ("local", None, func.id)
            if func.id in self.imports:
                return self._tail(self.imports[func.id], func.id, "")
            return None
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        owner, method = func.value.id, func.attr
        cls_expr = self.instances.get(owner) or self._annotations(function).get(owner)
        if cls_expr is not None:
            cls_name = cls_expr.id if isinstance(cls_expr, ast.Name) else None
            if cls_name in self.classes:
                return ("local", self.classes[cls_name], method)
            if cls_name in self.imports:
                return self._tail(f"{self.imports[cls_name]}.{method}", cls_name, method)
            return None
        if owner in self.imports:
            return self._tail(f"{self.imports[owner]}.{method}", owner, method)
        return None

    def _annotations(self, function: ast.AST | None) -> dict[str, ast.expr]:
        """The function's annotated locals (`manager: ConnectionManager = ...`), found once."""
        if function is None:
            return {}
        key = ("annotations", id(function))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = {
                node.target.id: node.annotation for node in own_nodes(function) if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
            }
        return found

    def _tail(self, spelled: str, local: str, method: str) -> tuple:
        target = ("tail", spelled)
        qualified = self.names.imports.get(local)
        if qualified:
            self.qualified[target] = f"{qualified}.{method}" if method else qualified
        return target

    def _lookup(self, target: tuple) -> tuple[Callee, str, int] | None:
        key = target
        if key in self._memo:
            return self._memo[key]
        result = self._local(target[1], target[2]) if target[0] == "local" else self._in_project(target[1], self.qualified.get(target))
        self._memo[key] = result
        return result

    def _definition(self, cls: ast.ClassDef | None, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if cls is None:
            return self.functions.get(name)
        return next((n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)

    def _local(self, cls: ast.ClassDef | None, name: str) -> tuple[Callee, str, int] | None:
        function = self._definition(cls, name)
        if function is None:
            return None
        param = socket_param(function, cls is not None)
        if param is None:
            return None
        spelled = f"{cls.name}.{name}" if cls is not None else name
        return Callee(summarize(function, param[1]), spelled, f"{self.path}:{function.lineno}"), param[1], param[0]

    def _in_project(self, tail: str, qualified: str | None) -> tuple[Callee, str, int] | None:
        if self.project is None:
            return None
        fact = self._project_fact(tail, qualified)
        if fact is None:
            return None
        if fact.abstract:  # an abstract method: the one implementation the project has
            cls, _, method = fact.name.rpartition(".")
            base = cls.rsplit(".", 1)[-1]
            implementations = [f for f in self._by_method().get(method, ()) if base in f.bases and not f.abstract]
            if len(implementations) != 1:
                return None
            fact = implementations[0]
        self.project.note(fact)
        parts = fact.name.split(".")
        return Callee(fact.use(), ".".join(parts[-2:]), f"{fact.file}:{fact.line}"), fact.param, fact.index

    def _by_method(self, kind: type = SocketUseFact) -> dict[str, list]:
        memo = self.project.memo
        key = f"{kind.kind}-by-method"
        found = memo.get(key)
        if found is None:
            found = memo[key] = {}
            for fact in self.project.facts(kind):
                found.setdefault(fact.name.rsplit(".", 1)[-1], []).append(fact)
        return found

    def _project_fact(self, tail: str, qualified: str | None, kind: type = SocketUseFact):
        direct = self.project.first(kind, qualified) if qualified else None
        if direct is not None:
            return direct
        last = tail.rsplit(".", 1)[-1]
        candidates = []
        for fact in self._by_method(kind).get(last, ()):
            shared = _shared_tail(fact.name, tail)
            if shared >= 2:
                candidates.append((shared, _nearness(fact.file, self.path), fact))
        if not candidates:
            return None
        candidates.sort(key=lambda c: (-c[0], -c[1]))
        best = candidates[0]
        if len(candidates) > 1 and candidates[1][:2] == best[:2] and _answer(candidates[1][2]) != _answer(best[2]):
            return None  # two equally good answers that disagree
        return best[2]

    # -- keyed stores and removals ---

    def keyed(self, call: ast.Call, function: ast.AST | None = None) -> tuple[list[KeyedAccess], list[KeyedAccess]]:
        """(keyed stores, keyed removals) of the function a call reaches, whatever it is passed."""
        target = self._target(call.func, function)
        if target is None:
            return [], []
        key = ("keyed", target)
        if key not in self._memo:
            self._memo[key] = self._keyed_local(target[1], target[2]) if target[0] == "local" else self._keyed_in_project(target)
        return self._memo[key]

    def _keyed_local(self, cls: ast.ClassDef | None, name: str) -> tuple[list[KeyedAccess], list[KeyedAccess]]:
        function = self._definition(cls, name)
        if function is None:
            return [], []
        param = socket_param(function, cls is not None)
        return keyed_method(function, param[1] if param else None)

    def _keyed_in_project(self, target: tuple) -> tuple[list[KeyedAccess], list[KeyedAccess]]:
        if self.project is None:
            return [], []
        fact = self._project_fact(target[1], self.qualified.get(target), SocketKeyMethod)
        if fact is None:
            return [], []
        self.project.note(fact)
        return fact.stored(), fact.removed()


def _answer(fact) -> object:
    """What a fact says about its function, for telling two candidates apart."""
    return fact.use() if isinstance(fact, SocketUseFact) else (fact.stores, fact.removes)


def _shared_tail(a: str, b: str) -> int:
    left, right = a.split("."), b.split(".")
    count = 0
    while count < min(len(left), len(right)) and left[-1 - count] == right[-1 - count]:
        count += 1
    return count


def _nearness(a: str, b: str) -> int:
    """How many leading folders two paths share."""
    count = 0
    for left, right in zip(a.replace(os.sep, "/").split("/")[:-1], b.replace(os.sep, "/").split("/")[:-1]):
        if left != right:
            break
        count += 1
    return count


def callees(ctx) -> Callees:
    """One resolver per file (shared by INF503 and INF504)."""
    source = ctx.source
    found = source.__dict__.get("_websocket_callees")
    if found is None or found.project is not ctx.project:
        from ...project import module_name

        found = Callees(source.tree, ctx.display_path, ctx.project, module_name(ctx.display_path), source.is_package_init, source)
        source.__dict__["_websocket_callees"] = found
    return found


_IMPORTS = frozenset({ast.Import, ast.ImportFrom})


def module_names(source, module: str, is_package: bool):
    """The file's qualified names, built once per parsed file from its import statements (found by
    the engine's shared traversal when it listed them) and shared by the family's analyses."""
    found = source.__dict__.get("_websocket_names")
    if found is None or found.module != module:
        from ...project.names import QualifiedNames

        found = QualifiedNames(source.tree, module, is_package=is_package, imports=source.nodes_of(_IMPORTS))
        source.__dict__["_websocket_names"] = found
    return found
