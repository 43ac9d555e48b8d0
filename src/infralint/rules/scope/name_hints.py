"""Where an undefined name does live, so a message can say what the developer most likely meant.

Only asked for names that are already known to be undefined, so the cost is paid per finding.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

from .binder import Binding, Scope, ScopeAnalysis
from .known_names import STDLIB_MODULES
from .syntax_facts import parent_within


@dataclass(frozen=True)
class Hint:
    """One explanation of an undefined name: `kind` says which, the rest are its facts."""

    kind: str  # sibling-local, class-attribute, comprehension, except-var, global-decl, stdlib-module, near-miss
    scope: Scope | None = None
    binding: Binding | None = None
    other: str | None = None  # the near-miss spelling, or the module to import


def hint_for(analysis: ScopeAnalysis, name: str, node: ast.AST, origin: Scope) -> Hint | None:
    """The most useful explanation of why `name` is undefined at `node`, or None."""
    elsewhere = analysis.bindings_elsewhere(name)
    owner = origin.enclosing_class() if origin.kind != "class" else None
    if owner is not None:
        for scope, binding in elsewhere:
            if scope is owner and binding.runtime:
                return Hint("class-attribute", scope, binding)
    for scope, binding in elsewhere:
        if scope.kind == "function" and binding.runtime:
            return Hint("sibling-local", scope, binding)
    for scope, binding in elsewhere:
        if scope.kind == "comprehension":
            return Hint("comprehension", scope, binding)
    for scope, binding in elsewhere:
        if binding.kind == "except":
            return Hint("except-var", scope, binding)
    if name in analysis.global_decls:
        scope, statement = analysis.global_decls[name]
        return Hint("global-decl", scope, Binding(name, "global", statement))
    if not elsewhere and name in STDLIB_MODULES and _used_as_module(analysis, node, origin):
        return Hint("stdlib-module", other=name)
    close = difflib.get_close_matches(name, sorted(analysis.visible_names(origin)), n=1, cutoff=0.8)
    if close:
        return Hint("near-miss", other=close[0])
    return None


def _used_as_module(analysis: ScopeAnalysis, node: ast.AST, origin: Scope) -> bool:
    parent = parent_within(origin.node, node)
    return isinstance(parent, ast.Attribute) and parent.value is node


def stdlib_import_fixable(analysis: ScopeAnalysis, name: str, node: ast.AST, origin: Scope) -> bool:
    """`time.time()` with no binding of `time` anywhere: adding `import time` cannot change meaning."""
    return (
        name in STDLIB_MODULES
        and not analysis.has_star_import
        and not analysis.bindings_elsewhere(name)
        and _used_as_module(analysis, node, origin)
    )
