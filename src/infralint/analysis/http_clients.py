"""How long an HTTP call in a health check may take: its own `timeout=`, its client's, or the library default.

requests has no default timeout (unbounded), httpx defaults to 5 s, aiohttp to a 300 s total. Clients
are found where the health function or the module binds them (`async with httpx.AsyncClient() as
client`, `session = requests.Session()`); names are resolved through imports, never by spelling.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from .constants import ValueResolver
from .names import ImportMap, dotted_name

_VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
# factory → (library, default seconds; inf = waits forever)
_CLIENT_FACTORIES = {
    "requests.Session": ("requests", math.inf),
    "requests.session": ("requests", math.inf),
    "requests.sessions.Session": ("requests", math.inf),
    "httpx.Client": ("httpx", 5.0),
    "httpx.AsyncClient": ("httpx", 5.0),
    "aiohttp.ClientSession": ("aiohttp", 300.0),
}
_MODULE_CALLS = {"requests": math.inf, "httpx": 5.0}
_CLIENT_TIMEOUTS = {"aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout", "httpx.Timeout"}


@dataclass(frozen=True)
class HttpWait:
    """The longest one HTTP call may wait, and why (for the message)."""

    seconds: float
    reason: str


class HttpCalls:
    """Judges HTTP calls of one file (clients bound in the module or the calling function)."""

    def __init__(self, imports: ImportMap, resolver: ValueResolver, tree: ast.Module) -> None:
        self.imports = imports
        self.resolver = resolver
        self.module_clients = _bound_clients(tree.body, imports)
        self._function_clients: dict[ast.AST, dict[str, ast.Call]] = {}

    def wait(self, call: ast.Call, function: ast.AST | None) -> HttpWait | None:
        """None when the call is not an HTTP request we know, or sets a resolvable `timeout=` itself."""
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in _VERBS:
            return None
        own = next((k for k in call.keywords if k.arg == "timeout"), None)
        if own is not None and not _is_none(own.value):
            return None  # a resolvable number is judged as a check call; anything else is unknown
        shown = dotted_name(call.func) or call.func.attr
        name = self.imports.qualified_name(call.func.value) or ""
        if name in _MODULE_CALLS:  # `requests.get(url)`, `httpx.get(url, timeout=None)`
            seconds = math.inf if own is not None else _MODULE_CALLS[name]
            return self._wait(seconds, f"`{shown}` (line {call.lineno})", name, own is not None)
        receiver = dotted_name(call.func.value)
        factory = self._client(receiver, function) if receiver else None
        if factory is None:
            return None
        library, default = _CLIENT_FACTORIES[self.imports.call_name(factory) or ""]
        if own is not None:
            return self._wait(math.inf, f"`{shown}` (line {call.lineno})", library, True)
        configured = next((k.value for k in factory.keywords if k.arg == "timeout"), None)
        if configured is None:
            return self._wait(default, f"`{shown}` (line {call.lineno}) on the {library} client built at line {factory.lineno}", library, False)
        seconds = self._client_timeout(configured)
        if seconds is None:
            return None
        return self._wait(seconds, f"`{shown}` (line {call.lineno}) on the {library} client built at line {factory.lineno}", library, False, configured=True)

    @staticmethod
    def _wait(seconds: float, what: str, library: str, explicit_none: bool, configured: bool = False) -> HttpWait:
        if math.isinf(seconds):
            why = "`timeout=None`" if explicit_none or configured else f"no timeout, and {library} waits forever by default"
            return HttpWait(seconds, f"{what} has {why}" if not why.startswith("`") else f"{what} sets {why}, so it waits forever")
        source = "its timeout" if configured else f"{library}'s default timeout"
        return HttpWait(seconds, f"{what}: {source}")

    def _client_timeout(self, node: ast.expr) -> float | None:
        if _is_none(node):
            return math.inf
        if isinstance(node, ast.Call) and self.imports.call_name(node) in _CLIENT_TIMEOUTS:
            total = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in ("total", "timeout")), None)
            if total is None or _is_none(total):
                return math.inf
            node = total
        value = self.resolver.resolve(node)
        return value.number if value is not None else None

    def _client(self, receiver: str, function: ast.AST | None) -> ast.Call | None:
        if function is not None:
            if function not in self._function_clients:
                self._function_clients[function] = _bound_clients(list(ast.walk(function)), self.imports)  # type: ignore[arg-type]
            found = self._function_clients[function].get(receiver)
            if found is not None:
                return found
        return self.module_clients.get(receiver)


def client_library(qualified: str | None) -> tuple[str, float] | None:
    """(library, default seconds) when the qualified name builds an HTTP client we know."""
    return _CLIENT_FACTORIES.get(qualified or "")


def _bound_clients(nodes: list[ast.AST], imports: ImportMap) -> dict[str, ast.Call]:
    bound: dict[str, ast.Call] = {}
    for node in nodes:
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None]
        for target, value in pairs:
            if isinstance(value, ast.Call) and imports.call_name(value) in _CLIENT_FACTORIES:
                name = dotted_name(target)
                if name:
                    bound.setdefault(name, value)
    return bound


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
