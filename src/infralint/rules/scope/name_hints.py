"""Where an undefined name does live, so a message can say what the developer most likely meant.

Only asked for names that are already known to be undefined, so the cost is paid per finding —
and every answer that does not depend on the read itself is computed once per file: where each
name is bound, which names are module attributes, and the near-miss spelling among the module's
and the builtins' names (a module with thousands of reads of one missing name searches once).
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from .known_names import BUILTINS, STDLIB_MODULES
from .scopes import Binding, Scope

if TYPE_CHECKING:
    from .binder import ScopeAnalysis

_CUTOFF = 0.8  # how alike two spellings must be to suggest one for the other


class HintKind(Enum):
    """Where the undefined name does live."""

    SIBLING_LOCAL = "sibling-local"  # a local or parameter of another function
    CLASS_ATTRIBUTE = "class-attribute"  # an attribute of the enclosing class (read without `self.`)
    COMPREHENSION = "comprehension"  # a comprehension's own variable
    EXCEPT_VAR = "except-var"  # an `except … as name` deleted when its handler ended
    GLOBAL_DECL = "global-decl"  # declared `global` somewhere, assigned nowhere
    STDLIB_MODULE = "stdlib-module"  # a standard-library module never imported
    NEAR_MISS = "near-miss"  # a visible name spelled almost the same


@dataclass(frozen=True)
class Hint:
    """One explanation of an undefined name: `kind` says which, the rest are its facts."""

    kind: HintKind
    scope: Scope | None = None
    binding: Binding | None = None
    other: str | None = None  # the near-miss spelling, or the module to import


class NameHints:
    """The per-file indexes behind `hint_for`, built on first use and kept with the analysis."""

    def __init__(self, analysis: ScopeAnalysis) -> None:
        # held weakly: the analysis keeps these hints, and a cycle between them would keep the
        # file's whole tree alive until the cyclic collector came by
        self._analysis = weakref.ref(analysis)
        self._elsewhere: dict[str, list[tuple[Scope, Binding]]] | None = None
        self._module_values: set[int] | None = None  # ids of names read as `name.attribute`
        self._shared_names: list[str] | None = None
        self._shared_best: dict[str, tuple[float, str] | None] = {}
        self._best: dict[tuple[str, int], str | None] = {}

    @property
    def analysis(self) -> ScopeAnalysis:
        return self._analysis()  # type: ignore[return-value]  # alive: it holds these hints

    def elsewhere(self, name: str) -> list[tuple[Scope, Binding]]:
        """Every binding of `name` in any scope of the module, in source order of the scopes."""
        if self._elsewhere is None:
            index: dict[str, list[tuple[Scope, Binding]]] = {}
            for scope in self.analysis.scopes:
                for bound, bindings in scope.bindings.items():
                    entries = index.setdefault(bound, [])
                    entries.extend((scope, binding) for binding in bindings)
            self._elsewhere = index
        return self._elsewhere.get(name, [])

    def used_as_module(self, node: ast.AST) -> bool:
        """`node` is the `time` of `time.time()`."""
        if self._module_values is None:
            self._module_values = {
                id(n.value) for n in ast.walk(self.analysis.source.tree) if n.__class__ is ast.Attribute and n.value.__class__ is ast.Name
            }
        return id(node) in self._module_values

    def near_miss(self, name: str, origin: Scope) -> str | None:
        """The visible name spelled most like `name` (as `difflib.get_close_matches` ranks them)."""
        key = (name, id(origin))
        if key in self._best:
            return self._best[key]
        if name not in self._shared_best:
            if self._shared_names is None:
                module = self.analysis.module
                self._shared_names = sorted(BUILTINS | _runtime_names(module))
            self._shared_best[name] = _best_match(name, self._shared_names)
        candidates = [self._shared_best[name]]
        local: set[str] = set()
        current, first = origin, True
        while current is not None and current.kind != "module":
            if first or current.kind != "class":
                local |= _runtime_names(current)
            first = False
            current = current.lookup_parent
        if local:
            candidates.append(_best_match(name, sorted(local)))
        found = max((c for c in candidates if c is not None), default=None)
        best = self._best[key] = found[1] if found is not None else None
        return best


def _runtime_names(scope: Scope) -> set[str]:
    return {name for name, bindings in scope.bindings.items() if any(b.runtime for b in bindings)}


def _best_match(word: str, candidates: list[str]) -> tuple[float, str] | None:
    """The highest (similarity, candidate) at or above the cutoff; ties go to the later spelling."""
    from difflib import SequenceMatcher  # only once a name is undefined

    matcher = SequenceMatcher()
    matcher.set_seq2(word)
    best = None
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
            score = matcher.ratio()
            if score >= _CUTOFF and (best is None or (score, candidate) > best):
                best = (score, candidate)
    return best


def hints_of(analysis: ScopeAnalysis) -> NameHints:
    if analysis.hints is None:
        analysis.hints = NameHints(analysis)
    return analysis.hints


def hint_for(analysis: ScopeAnalysis, name: str, node: ast.AST, origin: Scope) -> Hint | None:
    """The most useful explanation of why `name` is undefined at `node`, or None."""
    hints = hints_of(analysis)
    elsewhere = hints.elsewhere(name)
    owner = origin.enclosing_class() if origin.kind != "class" else None
    if owner is not None:
        for scope, binding in elsewhere:
            if scope is owner and binding.runtime:
                return Hint(HintKind.CLASS_ATTRIBUTE, scope, binding)
    for scope, binding in elsewhere:
        if scope.kind == "function" and binding.runtime:
            return Hint(HintKind.SIBLING_LOCAL, scope, binding)
    for scope, binding in elsewhere:
        if scope.kind == "comprehension":
            return Hint(HintKind.COMPREHENSION, scope, binding)
    for scope, binding in elsewhere:
        if binding.kind == "except":
            return Hint(HintKind.EXCEPT_VAR, scope, binding)
    if name in analysis.global_decls:
        scope, statement = analysis.global_decls[name]
        return Hint(HintKind.GLOBAL_DECL, scope, Binding(name, "global", statement))
    if not elsewhere and name in STDLIB_MODULES and hints.used_as_module(node):
        return Hint(HintKind.STDLIB_MODULE, other=name)
    close = hints.near_miss(name, origin)
    if close is not None:
        return Hint(HintKind.NEAR_MISS, other=close)
    return None


def stdlib_import_fixable(analysis: ScopeAnalysis, name: str, node: ast.AST, origin: Scope) -> bool:
    """`time.time()` with no binding of `time` anywhere: adding `import time` cannot change meaning."""
    hints = hints_of(analysis)
    return name in STDLIB_MODULES and not analysis.has_star_import and not hints.elsewhere(name) and hints.used_as_module(node)
