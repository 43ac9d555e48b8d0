"""Which code is health-check code: routes that are health routes, and what a probe calls.

A function is health code when it is an HTTP route whose path or name is a health route, or when
a probe or healthcheck of the deployment configuration calls its route (asked of the project; see
`cross_module`). A function's name alone never makes it health code: `probe_provider` (an admin
endpoint that probes an upstream), `ffprobe_duration`, `_startup_telegram` or `_ensure_ready` are
not what a platform probe calls.

Health routes, by their path (`/health/ready`, `/api/healthz`) or their name (`name="health"`; a
FastAPI/Flask route is named after its handler, so `def health_check()` under `@app.get("/")`
counts):

- a word of any path segment or of the name matches `health-name-pattern` (health, healthz,
  readiness, liveness…; words split on `_`, `-`, case changes and `/`, so `delivery_date` is
  not `live`);
- or the path's last segment is one of the short words platforms probe (`/ready`, `/live`,
  `/ping`, `/status`, `/heartbeat`, `/alive`, `/startup`, `/up`) — or the route is named exactly
  so — with no path parameter and only prefix segments before it (`/api/v1/status` yes,
  `/orders/{id}/status` and `/orders/status` no).

Check registrations (`health.register_check(…, timeout_seconds=30, retry_count=4)`) are health
code when made on a registry named so, inside health code, or at module level of a module named so.
"""

from __future__ import annotations

import ast
import re
from functools import cached_property

from ...analysis.checks import ATTEMPT_KEYWORDS
from ...analysis.names import dotted_name
from ...analysis.redis_clients import name_tokens
from ...source import SourceFile

_REGISTRATION_WORDS = {"check", "checks", "register", "probe", "add"}
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route", "api_view"}
#: short words a platform probes, only as the last segment of a parameter-free path (or a route's whole name)
SHORT_HEALTH_WORDS = frozenset({"ready", "live", "alive", "ping", "status", "heartbeat", "startup", "up"})
#: path segments that only prefix an API (`/api/v1/…`, `/internal/…`)
_PREFIX_SEGMENT = re.compile(r"api|v\d+(?:\.\d+)*|internal|_internal|system|sys|ops|monitoring|monitor|meta|_", re.IGNORECASE)
_PARAMETER = re.compile(r"[{<:(\[*]")


def _is_parameter(segment: str) -> bool:
    return bool(_PARAMETER.search(segment))


class HealthWords:
    """The health tests of one `health-name-pattern` (memoised: asked per name and per path)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self._names: dict[str, bool] = {}
        self._paths: dict[str, bool] = {}

    def says_health(self, name: str | None) -> bool:
        """A word of `name` matches the pattern (names of registries, modules, route names)."""
        if not name:
            return False
        known = self._names.get(name)
        if known is None:
            known = self._names[name] = any(self.pattern.fullmatch(token) for token in name_tokens(name))
        return known

    def path_is_health(self, path: str | None) -> bool:
        if not path:
            return False
        known = self._paths.get(path)
        if known is None:
            known = self._paths[path] = self._path_is_health(path)
        return known

    def _path_is_health(self, path: str) -> bool:
        segments = [s for s in path.split("/") if s]
        if any(not _is_parameter(s) and self.says_health(s) for s in segments):
            return True
        if not segments or any(_is_parameter(s) for s in segments):
            return False
        return segments[-1].lower() in SHORT_HEALTH_WORDS and all(_PREFIX_SEGMENT.fullmatch(s) for s in segments[:-1])

    def route_is_health(self, path: str | None, name: str | None) -> bool:
        """A route (its full path when known, else the path its decorator shows) is a health route."""
        if self.path_is_health(path):
            return True
        if not name or (path and any(_is_parameter(s) for s in path.split("/"))):
            return False
        return self.says_health(name) or "_".join(name_tokens(name)) in SHORT_HEALTH_WORDS


def route_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str, str] | None:
    """(method, path, route name) of an HTTP route decorator such as `@app.get("/health/ready")`:
    the path as written (relative to the router's prefix, possibly ""), the name its `name=`/
    `endpoint=` gives, else the handler's own name (FastAPI and Flask name routes after it)."""
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
            continue
        attr = decorator.func.attr
        if attr not in _ROUTE_METHODS and not (attr.endswith("_route") and "websocket" not in attr):
            continue  # `custom_route`, `add_route`-style decorators count; WebSocket routes are no probes' targets
        path = decorator.args[0] if decorator.args else next((k.value for k in decorator.keywords if k.arg in ("path", "rule")), None)
        if path is not None and not (isinstance(path, ast.Constant) and isinstance(path.value, str)):
            if decorator.func.attr != "api_view":
                continue
            path = None
        named = next((k.value for k in decorator.keywords if k.arg in ("name", "endpoint")), None)
        name = named.value if isinstance(named, ast.Constant) and isinstance(named.value, str) else function.name
        return decorator.func.attr.upper(), path.value if path is not None else "", name
    return None


class HealthCode:
    """The health functions of one file under one name pattern."""

    def __init__(self, source: SourceFile, pattern: str) -> None:
        self.source = source
        self.words = HealthWords(pattern)
        #: health functions and candidate calls, filled during the engine's single traversal
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.calls: list[ast.Call] = []

    def says_health(self, name: str | None) -> bool:
        return self.words.says_health(name)

    @staticmethod
    def route_path(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str] | None:
        """(method, path) of a route decorator such as `@app.get("/health/ready")`."""
        route = route_of(function)
        return (route[0], route[1]) if route is not None and route[1].startswith("/") else None

    def describe(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        route = self.route_path(function)
        return f"`{function.name}` ({route[0]} {route[1]})" if route else f"`{function.name}`"

    def is_health_function(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        route = route_of(function)
        return route is not None and self.words.route_is_health(route[1], route[2])

    def note_function(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Called for every function during the shared traversal; keeps the health ones."""
        if self.is_health_function(function):
            self.functions.append(function)

    @cached_property
    def module_is_health(self) -> bool:
        return self.says_health(self.source.pure_path.stem)

    def enclosing_health_function(self, node: ast.AST):
        """The innermost health function whose lines contain the node (no parent links needed)."""
        line = getattr(node, "lineno", None)
        if line is None:
            return None
        containing = [f for f in self.functions if f.lineno <= line <= (f.end_lineno or f.lineno)]
        return max(containing, key=lambda f: f.lineno) if containing else None

    def registration_is_health(self, call: ast.Call) -> bool:
        """A check registration that a probe runs: in health code, on a health registry, or named so."""
        if self.says_health(dotted_name(call.func)):
            return True
        if self.enclosing_health_function(call) is not None:
            return True
        # at module level of a health module: only what looks like a registration, not a client
        words = set(name_tokens(dotted_name(call.func) or ""))
        retried = any(k.arg in ATTEMPT_KEYWORDS for k in call.keywords)
        return self.module_is_health and (retried or bool(words & _REGISTRATION_WORDS))
