"""Which code is health-check code: functions, methods and routes named or routed like probes.

A function is health code when a word of its name (`readiness_check`, `HealthView.get`'s class is not
enough — the function's own name or its route path counts) or a segment of the path in its route
decorator (`@router.get("/health/ready")`) matches the configured pattern. Words are split on `_`,
case changes and path separators, so `delivery_date` does not match `live`.
"""

from __future__ import annotations

import ast
import re
from functools import cached_property

from ...analysis.names import dotted_name
from ...source import SourceFile
from .checks import ATTEMPT_KEYWORDS
from .redis_clients import name_tokens

_REGISTRATION_WORDS = {"check", "checks", "register", "probe", "add"}
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route", "websocket", "api_view"}


class HealthCode:
    """The health functions of one file under one name pattern (a regex matched against whole words)."""

    def __init__(self, source: SourceFile, pattern: str) -> None:
        self.source = source
        self.pattern = re.compile(pattern, re.IGNORECASE)
        #: health functions and candidate calls, filled during the engine's single traversal
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.calls: list[ast.Call] = []

    def says_health(self, name: str | None) -> bool:
        return bool(name) and any(self.pattern.fullmatch(token) for token in name_tokens(name))  # type: ignore[arg-type]

    @staticmethod
    def route_path(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str] | None:
        """(method, path) of a route decorator such as `@app.get("/health/ready")`."""
        for decorator in function.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            if decorator.func.attr not in _ROUTE_METHODS:
                continue
            path = decorator.args[0] if decorator.args else next((k.value for k in decorator.keywords if k.arg == "path"), None)
            if isinstance(path, ast.Constant) and isinstance(path.value, str) and path.value.startswith("/"):
                return decorator.func.attr.upper(), path.value
        return None

    def describe(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        route = self.route_path(function)
        return f"`{function.name}` ({route[0]} {route[1]})" if route else f"`{function.name}`"

    def is_health_function(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        if self.says_health(function.name):
            return True
        route = self.route_path(function)
        return route is not None and self.says_health(route[1])

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
