"""Calls that end their path, as the scope analysis meets them: `sys.exit()`, `self.fail()` of a
method (or a same-module base class's) that always raises, `parser.error()` of an `ArgumentParser`,
a function of this module or of a project module it imports that never returns.

A call to one ends its path like `raise` does: `except …: reraise(*exc_info)` followed by
`return result` does not reach the `return` with `result` unbound.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .known_names import NORETURN_CALLS, NORETURN_METHODS_OF_SELF, STDLIB_MODULES, attribute_tails
from .module_facts import imported_noreturn
from .noreturn_defs import PARSER_EXITS, is_parser_construction
from .scopes import Binding, Scope

if TYPE_CHECKING:
    from .binder import ScopeAnalysis

_NORETURN_TAILS = attribute_tails(NORETURN_CALLS)
_MAX_BASE_DEPTH = 8  # base classes followed for a method that never returns


def never_returns(analysis: ScopeAnalysis, call: ast.Call, consult_imports: bool = True) -> bool:
    """Whether the call ends its path. Other modules are read only for a call that ends an
    `except` handler (`except …: reraise(…)`), where a helper that raises is the idiom."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        receiver = func.value.id
        if receiver in ("self", "cls"):
            if func.attr in NORETURN_METHODS_OF_SELF:
                return True
            return _own_method_never_returns(analysis, func.attr)
        if func.attr in PARSER_EXITS and _is_parser(analysis, receiver):
            return True
    if isinstance(func, ast.Name):
        scope: Scope | None = analysis.scope
        while scope is not None:
            if func.id in scope.noreturn:
                return True
            bindings = scope.bindings.get(func.id)
            if bindings:
                imported = consult_imports and _imported_noreturn(analysis, bindings[-1])
                return imported or analysis.qualified_name(func) in NORETURN_CALLS
            scope = scope.lookup_parent
        return func.id in NORETURN_CALLS  # bound nowhere: its qualified name is the name itself
    if not consult_imports and func.__class__ is ast.Attribute and func.attr not in _NORETURN_TAILS:
        return False  # only a listed call could end the path: no need to resolve this one
    qualified = analysis.qualified_name(func)
    if qualified in NORETURN_CALLS:
        return True
    if qualified is not None and isinstance(func, ast.Attribute) and "." in qualified:
        module, name = qualified.rsplit(".", 1)
        if not consult_imports or module.startswith(".") or module.split(".")[0] in STDLIB_MODULES:
            return False  # the standard library's never-returning calls are listed
        return imported_noreturn(analysis.source.path, 0, module, name)
    return False


def _own_method_never_returns(analysis: ScopeAnalysis, method: str) -> bool:
    """`self.method()` in the code being walked. Function bodies run after the class bodies that hold
    them, whose methods are then all known: there the answer per class and method is kept."""
    owner = analysis.scope.enclosing_class()
    if owner is None:
        return False
    if analysis.scope.kind != "function":
        return _method_never_returns(analysis, owner, method)
    key = (id(owner), method)
    found = analysis.self_noreturn.get(key)
    if found is None:
        found = analysis.self_noreturn[key] = _method_never_returns(analysis, owner, method)
    return found


def _method_never_returns(analysis: ScopeAnalysis, owner: Scope, method: str, depth: int = 0) -> bool:
    """`self.method()` never returns: the class defines it so, or does not define it and a base
    class of this module does (`self._fail(...)` of a shared base class)."""
    if method in owner.noreturn:
        return True
    if method in owner.bindings or depth >= _MAX_BASE_DEPTH or not isinstance(owner.node, ast.ClassDef):
        return False
    for base in owner.node.bases:
        base_scope = _module_class(analysis, base.id) if base.__class__ is ast.Name else None
        if base_scope is not None and base_scope is not owner and _method_never_returns(analysis, base_scope, method, depth + 1):
            return True
    return False


def _module_class(analysis: ScopeAnalysis, name: str) -> Scope | None:
    """The last class of this name defined at module level so far (scopes are only appended, so
    each is looked at once)."""
    if analysis.module_classes_seen != len(analysis.scopes):
        for scope in analysis.scopes[analysis.module_classes_seen :]:
            if scope.kind == "class" and scope.parent is analysis.module:
                analysis.module_classes[scope.name] = scope
        analysis.module_classes_seen = len(analysis.scopes)
    return analysis.module_classes.get(name)


def _imported_noreturn(analysis: ScopeAnalysis, binding: Binding) -> bool:
    """`reraise` bound by `from .compat import reraise`, where `compat` defines it never returning."""
    node = binding.node
    if binding.kind != "import" or not isinstance(node, ast.ImportFrom) or node.module == "__future__":
        return False
    if not node.level and (node.module or "").split(".")[0] in STDLIB_MODULES:
        return False
    alias = next((a for a in node.names if (a.asname or a.name) == binding.name), None)
    return alias is not None and imported_noreturn(analysis.source.path, node.level, node.module or "", alias.name)


def _is_parser(analysis: ScopeAnalysis, name: str) -> bool:
    """`name` only ever holds an `ArgumentParser` (bound once, to its construction)."""
    scope: Scope | None = analysis.scope
    while scope is not None:
        bindings = scope.bindings.get(name)
        if bindings:
            value = bindings[0].assigned_value if len(bindings) == 1 else None
            return value is not None and is_parser_construction(value)
        scope = scope.lookup_parent
    return False


def leaving_call(analysis: ScopeAnalysis, func: ast.expr) -> bool:
    """`sys.exit`, or `self.exit` in a class whose `exit` method (defined above) never returns."""
    if func.__class__ is ast.Attribute and func.value.__class__ is ast.Name and func.value.id == "self":
        return analysis.scope.kind == "class" and func.attr in analysis.scope.noreturn
    if func.__class__ is ast.Attribute and func.attr not in _NORETURN_TAILS:
        return False  # no listed call ends so: no need to resolve it
    return analysis.qualified_name(func) in NORETURN_CALLS
