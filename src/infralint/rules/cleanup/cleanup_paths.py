"""Which code of a module runs while something is being torn down.

A cleanup path is code that runs when a resource is released or the process is going away:

- `finally:` blocks inside functions;
- the special methods `__del__`, `__exit__`, `__aexit__`;
- functions whose name says teardown (`shutdown_pool`, `on_hard_shutdown`, `RedisClient.close`;
  configurable, see `cleanup_names`); a function with an ambiguous name (`cleanup`, `purge`,
  `stop`) only when one of these paths or an `except` handler calls it;
- callables registered as cleanup: `atexit.register`, `signal.signal`, `weakref.finalize`,
  `loop.add_signal_handler`, FastAPI/Starlette shutdown handlers (`on_event("shutdown")`,
  `add_event_handler("shutdown", f)`, `on_shutdown=[...]`), aiohttp `on_shutdown`/`on_cleanup`
  signals, Flask teardown callbacks, pytest `addfinalizer` and unittest `addCleanup`;
- the code of a `@contextmanager`/`@asynccontextmanager` or a pytest `yield` fixture that can only
  run after the `yield`;
- functions of the same module called from any of those, two calls deep (`__aexit__` →
  `self.close()` → `self._release()`), with the route kept for the message.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ...analysis.names import dotted_name
from ...source import SourceFile
from .cleanup_names import AMBIGUOUS, TEARDOWN, CleanupNames
from .function_bodies import FunctionBodies, FunctionInfo, Site, matching_lines
from .yield_flow import statements_after_yield

SPECIAL_METHODS = ("__del__", "__exit__", "__aexit__")
#: methods CPython also calls while it finalizes the interpreter, after `sys.meta_path` is None and
#: `sys.modules` is emptied: there every import fails, even of a module loaded long ago
FINALIZERS = ("__del__",)
MAX_CALL_DEPTH = 2

# path kinds, as reported in messages and counted in corpus runs
FINALLY = "finally"
SPECIAL_METHOD = "special-method"
CLEANUP_NAME = "cleanup-name"
REGISTERED = "registered"
AFTER_YIELD = "teardown"
HANDLER = "handler"  # an `except` handler calling an ambiguously named function

#: which root describes a function reached from several (lower is stronger)
_STRENGTH = {SPECIAL_METHOD: 0, REGISTERED: 1, AFTER_YIELD: 2, FINALLY: 3, CLEANUP_NAME: 4, HANDLER: 5}

_CONTEXT_MANAGER_DECORATORS = {"contextlib.contextmanager", "contextlib.asynccontextmanager", "contextmanager", "asynccontextmanager"}
_FIXTURE_DECORATORS = {"pytest.fixture", "pytest_asyncio.fixture", "fixture"}
# registration call → index of the registered callable among the positional arguments
_REGISTRATION_CALLS = {"atexit.register": 0, "signal.signal": 1, "weakref.finalize": 1}
_REGISTRATION_METHODS = {
    "add_signal_handler": 1,
    "addfinalizer": 0,
    "addCleanup": 0,
    "addAsyncCleanup": 0,
    "addClassCleanup": 0,
}
#: registrations whose callbacks run at exit, from `atexit` (before CPython clears `sys.meta_path`)
_AT_EXIT_REGISTRATIONS = {"`atexit.register`", "`weakref.finalize`"}
_SIGNAL_LIST_METHODS = {"on_shutdown", "on_cleanup"}  # aiohttp: app.on_shutdown.append(f)
_TEARDOWN_DECORATORS = {"teardown_request", "teardown_appcontext"}  # Flask
_SHUTDOWN_EVENTS = {"shutdown"}
# a file that registers cleanup callables mentions one of these (checked before walking every call)
_REGISTRATION_TEXT = re.compile(
    r"atexit|signal\(|add_signal_handler|finalize\(|add_event_handler|on_shutdown|on_cleanup"
    r"|addfinalizer|add(?:Async|Class)?Cleanup"
)
REGISTRATION_WORDS = ("atexit", "signal(", "add_signal_handler", "finalize(", "add_event_handler", "on_shutdown", "on_cleanup", "addfinalizer", "Cleanup")
_DECORATOR_NAMES = {"register", "contextmanager", "asynccontextmanager", "fixture", "on_event", *_TEARDOWN_DECORATORS}


@dataclass(frozen=True)
class CleanupRoot:
    """Why some code is a cleanup path: its kind and a phrase that says where it is."""

    kind: str
    where: str  # e.g. "the `finally` block of `handle` (line 12)", "`Pool.__aexit__`"
    #: the code also runs during interpreter finalization (`__del__`), where no import succeeds
    at_finalization: bool = False
    #: an `atexit` (or `weakref.finalize`) callback: it runs at exit, before the import system goes
    at_exit: bool = False


@dataclass(frozen=True)
class Route:
    """How a site is reached: directly in `root`, or through same-module calls `via` (callee names)."""

    root: CleanupRoot
    via: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "reached" if self.via else self.root.kind


class CleanupPaths:
    """Answers "does this import or call run on a cleanup path, and how is it reached?"."""

    def __init__(self, source: SourceFile, names: CleanupNames) -> None:
        self.source = source
        self.bodies = FunctionBodies(source)
        self.names = names
        self._registered: dict[FunctionInfo, CleanupRoot] = {}
        self._after_yield: dict[FunctionInfo, tuple[str, set[ast.stmt]]] = {}
        self._property_reads_of: dict[FunctionInfo, list[ast.Attribute]] = {}
        self._find_decorated()
        registration_lines = matching_lines(_REGISTRATION_TEXT, source.text, REGISTRATION_WORDS)
        if registration_lines:
            self._find_registration_calls(registration_lines)
        self._reached_routes: dict[FunctionInfo, Route] | None = None

    def qualified(self, expr: ast.expr, wanted: set[str]) -> str | None:
        """What a name or attribute chain refers to through the module's imports (`at_exit` after
        `from atexit import register as at_exit` is `atexit.register`); other names as spelled."""
        spelled = dotted_name(expr)
        if spelled is None or spelled in wanted:
            return spelled
        first, _, rest = spelled.partition(".")
        bindings = self.bodies.module.statement_bindings.get(first)
        binding = bindings[-1] if bindings else None
        if isinstance(binding, ast.Import):
            alias = next(a for a in binding.names if (a.asname or a.name.split(".")[0]) == first)
            base = alias.name if alias.asname else first
        elif isinstance(binding, ast.ImportFrom) and binding.level == 0 and binding.module:
            alias = next(a for a in binding.names if (a.asname or a.name) == first)
            base = f"{binding.module}.{alias.name}"
        else:
            return spelled
        return f"{base}.{rest}" if rest else base

    @property
    def _reached(self) -> dict[FunctionInfo, Route]:
        if self._reached_routes is None:
            self._reached_routes = {}
            self._follow_calls()
        return self._reached_routes

    # -- answers ----------------------------------------------------------------------------------

    def route(self, site: Site, function: FunctionInfo) -> Route | None:
        """The cleanup route of a site in `function`, or None if it is not on one.

        A function that is cleanup by its name only, but is also called from a stronger root
        (`__aexit__`, a registered hook, a `finally`), is described by that call route.
        """
        root = self.direct_root(site, function)
        reached = self._reached.get(function)
        if root is not None and (root.kind != CLEANUP_NAME or reached is None):
            return Route(root)
        return reached

    def direct_root(self, site: Site, function: FunctionInfo) -> CleanupRoot | None:
        if function.is_module:
            return None  # module-level code runs at import time, not at teardown
        root = self.function_root(function)
        if root is not None:
            return root
        teardown = self._after_yield.get(function)
        if teardown is not None and site.statement in teardown[1]:
            return CleanupRoot(AFTER_YIELD, f"the teardown of {teardown[0]} `{function.display_name}` (after its `yield`)")
        for role, node in reversed(site.frames):
            if role == "finally":
                return CleanupRoot(FINALLY, f"the `finally` block of `{function.display_name}` (line {node.lineno})")
        return None

    def function_root(self, function: FunctionInfo) -> CleanupRoot | None:
        """Roots that make a whole function body cleanup code."""
        if function.is_module or isinstance(function.node, ast.Lambda) and function not in self._registered:
            return None
        if function.name in SPECIAL_METHODS:
            return CleanupRoot(SPECIAL_METHOD, f"`{function.display_name}`", at_finalization=function.name in FINALIZERS)
        if function in self._registered:
            return self._registered[function]
        if self.name_kind(function) == TEARDOWN:
            kind = "method" if function.owner_class is not None else "function"
            return CleanupRoot(CLEANUP_NAME, f"cleanup {kind} `{function.display_name}`")
        return None

    def name_kind(self, function: FunctionInfo) -> str | None:
        if function.is_module or isinstance(function.node, ast.Lambda):
            return None
        owner = function.owner_class.name if function.owner_class is not None else None
        return self.names.kind(function.name, owner)

    # -- registered callables -----------------------------------------------------------------------

    def _find_decorated(self) -> None:
        for function in self.bodies.functions:
            decorators = [d for d in getattr(function.node, "decorator_list", ()) if self._decorator_name(d) in _DECORATOR_NAMES]
            for decorator in decorators:
                how = self._registering_decorator(decorator)
                if how:
                    self._register(function, how, decorator.lineno)
            if decorators and isinstance(function.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kind = self._teardown_kind(function.node)
                if kind and self.bodies.is_generator(function):
                    self._after_yield[function] = (kind, statements_after_yield(function.node))

    def _find_registration_calls(self, lines: set[int]) -> None:
        for function, site in self.bodies.calls_on_lines(lines):
            for target, how in self._registered_by_call(site.node):
                callee = self.resolve(target, function)
                if callee is not None:
                    self._register(callee, how, site.node.lineno)

    def _decorator_name(self, decorator: ast.expr) -> str | None:
        """The last part of what a decorator refers to (`register` for `@at_exit`, `fixture`)."""
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = self.qualified(target, set())
        return name.rsplit(".", 1)[-1] if name else None

    def _register(self, function: FunctionInfo, how: str, line: int) -> None:
        if function not in self._registered:
            where = f"`{function.display_name}`, registered with {how} (line {line})"
            self._registered[function] = CleanupRoot(REGISTERED, where, at_exit=how in _AT_EXIT_REGISTRATIONS)

    def _registering_decorator(self, decorator: ast.expr) -> str | None:
        if self.qualified(decorator, {"atexit.register"}) == "atexit.register":
            return "`atexit.register`"
        if isinstance(decorator, ast.Attribute) and decorator.attr in _TEARDOWN_DECORATORS:
            return f"`{decorator.attr}`"
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
            if decorator.func.attr == "on_event" and _first_string(decorator) in _SHUTDOWN_EVENTS:
                return '`on_event("shutdown")`'
        return None

    def _registered_by_call(self, call: ast.Call) -> list[tuple[ast.expr, str]]:
        found: list[tuple[ast.expr, str]] = []
        func = call.func
        name = self.qualified(func, set(_REGISTRATION_CALLS))
        if name in _REGISTRATION_CALLS:
            target = _argument(call, _REGISTRATION_CALLS[name], "handler" if name == "signal.signal" else "func")
            if target is not None:
                found.append((target, f"`{name}`"))
        elif isinstance(func, ast.Attribute):
            if func.attr in _REGISTRATION_METHODS:
                target = _argument(call, _REGISTRATION_METHODS[func.attr], None)
                if target is not None:
                    found.append((target, f"`{func.attr}`"))
            elif func.attr == "add_event_handler" and _first_string(call) in _SHUTDOWN_EVENTS:
                target = _argument(call, 1, "func")
                if target is not None:
                    found.append((target, '`add_event_handler("shutdown", …)`'))
            elif func.attr in ("append", "insert") and isinstance(func.value, ast.Attribute) and func.value.attr in _SIGNAL_LIST_METHODS:
                target = _argument(call, 0 if func.attr == "append" else 1, None)
                if target is not None:
                    found.append((target, f"`{func.value.attr}`"))
        for keyword in call.keywords:
            if keyword.arg == "on_shutdown" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                found.extend((element, "`on_shutdown=[…]`") for element in keyword.value.elts)
        return found

    # -- context managers and fixtures --------------------------------------------------------------

    def _teardown_kind(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = self.qualified(target, _CONTEXT_MANAGER_DECORATORS | _FIXTURE_DECORATORS)
            if name in _CONTEXT_MANAGER_DECORATORS:
                return "context manager"
            if name in _FIXTURE_DECORATORS:
                return "fixture"
        return None

    # -- same-module calls ------------------------------------------------------------------------------

    def _follow_calls(self) -> None:
        """Breadth-first from every cleanup call site, at most MAX_CALL_DEPTH calls deep.

        Seeds are taken strongest first, so a function reached from both `__aexit__` and a
        cleanup-named caller is described by the route from `__aexit__`. Calls made in `except`
        handlers are the weakest seeds: they only make ambiguously named functions cleanup paths.
        """
        seeds: list[tuple[int, int, Site, FunctionInfo, CleanupRoot]] = []
        for order, function in enumerate(self.bodies.functions):
            if not (function.has_finally or function.has_handler or function in self._after_yield or self.function_root(function)):
                continue
            for site in self.bodies.calls(function):
                root = self.direct_root(site, function) or _handler_root(site, function)
                if root is not None:
                    seeds.append((_STRENGTH[root.kind], not root.at_finalization, order, site, function, root))
        seeds.sort(key=lambda seed: seed[:3])  # `__del__` first: its route decides how loaded modules are judged
        for strength in sorted({seed[0] for seed in seeds}):
            frontier: list[tuple[FunctionInfo, Route]] = []
            for _, _, _, site, function, root in (seed for seed in seeds if seed[0] == strength):
                self._reach(site.node.func, function, Route(root), frontier)
                if root == self.function_root(function):  # the whole body is cleanup: its property reads too
                    for read in self._property_reads(function):
                        self._reach(read, function, Route(root), frontier)
            for _depth in range(1, MAX_CALL_DEPTH):
                next_frontier: list[tuple[FunctionInfo, Route]] = []
                for function, route in frontier:
                    for target in [*(site.node.func for site in self.bodies.calls(function)), *self._property_reads(function)]:
                        self._reach(target, function, route, next_frontier)
                frontier = next_frontier

    def _property_reads(self, function: FunctionInfo) -> list[ast.Attribute]:
        """`self.sandbox` where `sandbox` is a property of the class: reading it runs the getter
        (`__del__` → `erase()` → `self.sandbox.abspath`, whose getter imports). Asked for every
        cleanup call site of a function: its body is walked once."""
        found = self._property_reads_of.get(function)
        if found is None:
            found = self._property_reads_of[function] = self._find_property_reads(function)
        return found

    def _find_property_reads(self, function: FunctionInfo) -> list[ast.Attribute]:
        method = function.enclosing_method()
        if method is None:
            return []
        reads = []
        for node in ast.walk(function.node):
            if type(node) is ast.Attribute and type(node.ctx) is ast.Load and type(node.value) is ast.Name and node.value.id == "self":
                getter = self._method(method.owner_class, node.attr)
                if getter is not None and _is_property(getter.node):
                    reads.append(node)
        return reads

    def _reach(self, target: ast.expr, caller: FunctionInfo, route: Route, frontier: list) -> None:
        callee = self.resolve(target, caller)
        if callee is None or callee is caller or callee in self._reached_routes:
            return
        if route.root.kind == HANDLER and not route.via and self.name_kind(callee) != AMBIGUOUS:
            return  # an error handler calling an ordinary function is INF202's business, not cleanup
        root = self.function_root(callee)
        if root is not None and root.kind != CLEANUP_NAME:
            return  # a cleanup function in its own right is described as such
        if root is not None and _STRENGTH[route.root.kind] >= _STRENGTH[CLEANUP_NAME]:
            return  # one cleanup name calling another: its own name says enough
        reached = Route(route.root, (*route.via, callee.name))
        self._reached_routes[callee] = reached
        frontier.append((callee, reached))

    def resolve(self, target: ast.expr, caller: FunctionInfo) -> FunctionInfo | None:
        """The same-module function a name or `self.method` / `cls.method` / `Class.method` refers to."""
        if isinstance(target, ast.Lambda):
            return self.bodies.by_node.get(target)
        if isinstance(target, ast.Name):
            scope: FunctionInfo | None = caller
            while scope is not None:
                if target.id in scope.nested:
                    return scope.nested[target.id]
                scope = scope.parent
            return self.bodies.module.nested.get(target.id)
        if not isinstance(target, ast.Attribute):
            return None
        owner = target.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            method = caller.enclosing_method()
            if method is not None:
                return self._method(method.owner_class, target.attr)
        elif isinstance(owner, ast.Name) and owner.id in self.bodies.classes:
            return self._method(self.bodies.classes[owner.id], target.attr)
        elif isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
            method = caller.enclosing_method()
            if method is not None:
                return self._method(method.owner_class, target.attr, skip_own=True)
        return None

    def _method(self, cls: ast.ClassDef, name: str, skip_own: bool = False, depth: int = 0) -> FunctionInfo | None:
        """A method by name in `cls` or its same-module base classes (looked up in order)."""
        if not skip_own and name in self.bodies.methods.get(cls, {}):
            return self.bodies.methods[cls][name]
        if depth >= 5:
            return None
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.bodies.classes and self.bodies.classes[base.id] is not cls:
                found = self._method(self.bodies.classes[base.id], name, depth=depth + 1)
                if found is not None:
                    return found
        return None


_PROPERTY_DECORATORS = {"property", "cached_property", "functools.cached_property"}


def _is_property(node: ast.AST) -> bool:
    return any(dotted_name(d) in _PROPERTY_DECORATORS for d in getattr(node, "decorator_list", ()))


def _handler_root(site: Site, function: FunctionInfo) -> CleanupRoot | None:
    """A call in an `except` handler of a function (module-level handlers run at import time)."""
    if function.is_module:
        return None
    for role, node in reversed(site.frames):
        if role == "handler":
            return CleanupRoot(HANDLER, f"the `except` handler of `{function.display_name}` (line {node.lineno})")
    return None


def _argument(call: ast.Call, index: int, keyword: str | None) -> ast.expr | None:
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(positional) == len(call.args) and index < len(call.args):
        return call.args[index]
    if keyword:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
    return None


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    for kw in call.keywords:
        if kw.arg in ("event_type", "event") and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            return kw.value.value
    return None
