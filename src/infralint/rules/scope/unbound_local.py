"""INF103 unbound-local: a function-local name read before any binding on every path
(UnboundLocalError), often because an assignment further down makes a module-level name local."""

from __future__ import annotations

from .binder import ScopeAnalysis
from .known_names import BUILTINS
from .problems import Problem, ReadFailure
from .scope_rule import ScopeRule
from .wording import describe_binding, function_name, line_of


class UnboundLocal(ScopeRule):
    """INF103: a function-local name read before any binding on every path (UnboundLocalError)."""

    code = "INF103"
    failures = frozenset({ReadFailure.UNBOUND_LOCAL, ReadFailure.DELETED_LOCAL})

    def message(self, problem: Problem, analysis: ScopeAnalysis) -> str:
        name = problem.name
        function = function_name(problem.scope)
        line = line_of(problem.node)
        if problem.kind is ReadFailure.DELETED_LOCAL:
            return (
                f"`{name}` was deleted by the `del` at line {line_of(problem.why[1])} and is not bound again before this read, "
                f"so it raises UnboundLocalError"
            )
        binding = problem.binding
        what = describe_binding(binding, analysis)
        outer = analysis.module.bindings.get(name)
        if (outer and any(b.runtime for b in outer)) or name in BUILTINS:
            shadowed = "module-level" if outer else "builtin"
            return (
                f"the {what} at line {binding.line} makes `{name}` local to `{function}`, so the {shadowed} `{name}` is not "
                f"used; the read at line {line} runs before any assignment and raises UnboundLocalError"
            )
        return (
            f"`{name}` is read at line {line} before it is bound on every path: the {what} at line {binding.line} makes it "
            f"local to `{function}`, so this raises UnboundLocalError"
        )
