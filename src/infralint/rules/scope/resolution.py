"""After the walk: the reads that could not be judged where they were met, judged against the
module's final bindings.

A function body runs after the module (its globals may be bound below it), a nested function's
`nonlocal` can bind its parent's locals at any time, and a star import may provide any global — so
the walker records such reads as pending (what the read found: `UNBOUND`, `MAYBE`, `DEAD` in a
function; `DEFERRED`, `IMPORT_TIME`, `GLOBAL_UNASSIGNED` at module level) and this module turns
them into problems.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .known_names import BUILTINS, MODULE_DUNDERS, PACKAGE_DUNDERS
from .module_facts import star_import_names
from .problems import PathKind, Problem, ReadFailure
from .scopes import Binding, Scope, executing
from .syntax_facts import starts_within

if TYPE_CHECKING:
    import ast

    from ...analysis.flow import Why
    from .binder import ScopeAnalysis

# what a pending read found when it was met: in a function …
UNBOUND, MAYBE, DEAD = 0, 1, 2
# … and at module level: read in a function (judged against the final bindings), read while the
# module runs, or a `global` name read before the function's own first assignment
DEFERRED, IMPORT_TIME, GLOBAL_UNASSIGNED = 3, 4, 5


def resolve(analysis: ScopeAnalysis, functions: list[Scope]) -> None:
    """Judge the reads left pending once the whole module has been walked: function bodies' reads of
    their locals, of enclosing functions and of module globals, then the module's own and the names
    of postponed annotations."""
    runtime_globals = _RuntimeGlobals(analysis.module.bindings)
    for scope in functions:
        if scope.pending:
            _resolve_function(analysis, scope, runtime_globals)
    _resolve_module_pending(analysis)
    _resolve_lazy_names(analysis)
    if analysis.has_star_import:
        _drop_guesses_after_star_import(analysis)
    if analysis.is_stub:  # a stub never runs: only names that exist nowhere matter
        analysis.problems = [p for p in analysis.problems if p.kind in (ReadFailure.UNDEFINED, ReadFailure.LAZY_ANNOTATION)]


class _RuntimeGlobals(dict):
    """Whether the module gives a name a value at runtime, worked out once per name a function reads."""

    def __init__(self, bindings: dict[str, list[Binding]]) -> None:
        super().__init__()
        self.bindings = bindings

    def __missing__(self, name: str) -> bool:
        found = self[name] = any(b.runtime for b in self.bindings.get(name, ()))
        return found


def _resolve_function(analysis: ScopeAnalysis, scope: Scope, runtime_globals: _RuntimeGlobals) -> None:
    unbound_locals: set[str] = set()  # one UnboundLocalError per name: later reads share its cause
    reported_paths: set[tuple] = set()  # one finding per name and failing path
    enclosing: set[str] | None = None  # the names the enclosing functions bind, once a read asks
    for name, node, status, why, class_why, in_annotation, origin in scope.pending:
        local = scope.bindings.get(name)
        if local:
            if name in unbound_locals or name in scope.assigned_inside:
                continue
            if status == MAYBE:
                key = (name, why[0], id(why[1]) if len(why) > 1 else None)
                if key not in reported_paths:
                    reported_paths.add(key)
                    analysis.problems.append(Problem(ReadFailure.MAYBE_UNBOUND, name, node, origin, why, in_annotation=in_annotation))
            elif status == UNBOUND:
                _unbound_local(analysis, scope, name, node, why, local, origin)
                unbound_locals.add(name)
            continue
        if enclosing is None:
            enclosing = _enclosing_function_names(scope)
        if name in enclosing or (name == "__class__" and scope.enclosing_class() is not None):
            handler = _handler_only_binding(scope, name)
            if handler is not None:
                analysis.problems.append(Problem(ReadFailure.EXCEPT_CLOSURE, name, node, origin, (PathKind.EXCEPT_END, handler.node), handler))
            continue
        if runtime_globals[name]:
            # even a name the module deletes at its end may be read by a helper called during import
            continue
        if name in BUILTINS or name in MODULE_DUNDERS or (analysis.is_package and name in PACKAGE_DUNDERS):
            continue
        analysis.module_pending.append((name, node, DEFERRED if status != DEAD else DEAD, None, class_why, in_annotation, origin))
    scope.pending = []


def _handler_only_binding(scope: Scope, name: str) -> Binding | None:
    """The `except … as name` binding a nested function reads, when the enclosing function binds
    `name` only there and the nested function is defined outside that handler: Python deletes the
    name when the handler ends, so a later call raises NameError."""
    outer = scope.lookup_parent
    while outer is not None and outer.kind != "module":
        if outer.kind != "class" and name in outer.bindings:
            bindings = outer.bindings[name]
            if not all(b.kind == "except" for b in bindings) or outer.assigned_inside & {name}:
                return None
            if any(starts_within(scope.node, b.node) for b in bindings):
                return None
            return bindings[0]
        outer = outer.lookup_parent
    return None


def _enclosing_function_names(scope: Scope) -> set[str]:
    names: set[str] = set()
    outer = scope.lookup_parent
    while outer is not None and outer.kind != "module":
        if outer.kind != "class":
            names.update(outer.bindings)
        outer = outer.lookup_parent
    return names


def _unbound_local(analysis: ScopeAnalysis, scope: Scope, name: str, node: ast.AST, why: Why | None, local: list[Binding], origin: Scope) -> None:
    if why is not None and why[0] is PathKind.EXCEPT_END and all(b.kind == "except" for b in local):
        analysis.problems.append(Problem(ReadFailure.EXCEPT_VAR, name, node, origin, why, local[0]))
        return
    if why is not None and why[0] is PathKind.DEL:
        analysis.problems.append(Problem(ReadFailure.DELETED_LOCAL, name, node, origin, why))
        return
    line = getattr(node, "lineno", 0)
    later = [b for b in local if b.kind != "del" and b.line >= line]
    binding = (later or [b for b in local if b.kind != "del"] or local)[0]
    analysis.problems.append(Problem(ReadFailure.UNBOUND_LOCAL, name, node, origin, why, binding))


def _drop_guesses_after_star_import(analysis: ScopeAnalysis) -> None:
    """A star import may bind any name, so a module-level name is never known to be unbound."""
    analysis.problems = [p for p in analysis.problems if not (p.kind is ReadFailure.MAYBE_UNBOUND and executing(p.scope).kind == "module")]


def _resolve_module_pending(analysis: ScopeAnalysis) -> None:
    bindings_of = analysis.module.bindings
    for name, node, mode, why, class_why, in_annotation, origin in analysis.module_pending:
        if analysis.is_stub:
            mode = DEFERRED  # order does not matter in a stub
        bindings = bindings_of.get(name, ())
        runtime = [b for b in bindings if b.runtime]
        if mode == GLOBAL_UNASSIGNED:
            # `global x` read before the function's own first assignment, and nothing else binds `x`
            if runtime and all(b.kind == "global" for b in runtime) and analysis.global_assigners.get(name) == {id(executing(origin))}:
                analysis.problems.append(Problem(ReadFailure.GLOBAL_UNASSIGNED, name, node, origin, None, runtime[0], in_annotation))
                continue
            mode = DEFERRED
        if runtime:
            if mode != IMPORT_TIME or any(b.kind == "global" for b in runtime):
                continue
            if why is not None:
                failure = ReadFailure.EXCEPT_VAR if why[0] is PathKind.EXCEPT_END else ReadFailure.DELETED
                analysis.problems.append(Problem(failure, name, node, origin, why, runtime[0], in_annotation))
            elif class_why is not None:
                analysis.problems.append(Problem(ReadFailure.MAYBE_UNBOUND, name, node, origin, class_why, in_annotation=in_annotation))
            else:
                line = getattr(node, "lineno", 0)
                later = [b for b in runtime if b.line >= line]
                # `from .settings import *` then `INSTALLED_APPS += [...]`: the star import may provide it
                if later and not may_exist_unseen(analysis, name):
                    analysis.problems.append(Problem(ReadFailure.BEFORE_DEFINITION, name, node, origin, None, later[0], in_annotation))
            continue
        if name in BUILTINS or name in MODULE_DUNDERS or (analysis.is_package and name in PACKAGE_DUNDERS):
            continue
        if class_why is not None:
            analysis.problems.append(Problem(ReadFailure.MAYBE_UNBOUND, name, node, origin, class_why, in_annotation=in_annotation))
            continue
        if may_exist_unseen(analysis, name):
            continue
        typing_only = [b for b in bindings if b.typing_only]
        if typing_only:
            analysis.problems.append(Problem(ReadFailure.TYPING_ONLY, name, node, origin, None, typing_only[0], in_annotation))
        else:
            analysis.problems.append(Problem(ReadFailure.UNDEFINED, name, node, origin, None, None, in_annotation))


def may_exist_unseen(analysis: ScopeAnalysis, name: str) -> bool:
    """Whether a global nothing visible binds may still exist: the module creates globals
    invisibly, or a star import may provide it (a project module's star import provides only
    the names that module has; anything else's, any name)."""
    if analysis.unknowable:
        return True
    if not analysis.star_imports:
        return False
    if analysis.star_names is None:
        provided: set[str] = set()
        for node in analysis.star_imports:
            names = star_import_names(analysis.source.path, node.level, node.module or "")
            if names is None:
                analysis.unknowable = True
                return True
            provided |= names
        analysis.star_names = frozenset(provided)
    return name in analysis.star_names


def _resolve_lazy_names(analysis: ScopeAnalysis) -> None:
    if not analysis.lazy_names:
        return
    known: set[str] = set()
    for scope in analysis.scopes:
        known.update(scope.bindings)
    for name, node, scope in analysis.lazy_names:
        if name in known or name in BUILTINS or name in MODULE_DUNDERS or may_exist_unseen(analysis, name):
            continue
        analysis.problems.append(Problem(ReadFailure.LAZY_ANNOTATION, name, node, scope, in_annotation=True))
