"""INF102 possibly-unbound: on at least one path the name is unbound where it is read; the message
names that path (`wording.describe_path`)."""

from __future__ import annotations

from .binder import ScopeAnalysis
from .problems import Problem, ReadFailure
from .scope_rule import ScopeRule
from .wording import describe_path, in_function, line_of


class PossiblyUnbound(ScopeRule):
    """INF102: on at least one path the name is unbound where it is read."""

    code = "INF102"
    failures = frozenset({ReadFailure.MAYBE_UNBOUND})

    def message(self, problem: Problem, analysis: ScopeAnalysis) -> str:
        error = "UnboundLocalError" if in_function(problem.scope) else "NameError"
        path = describe_path(problem.why, problem.name, line_of(problem.node))
        return f"`{problem.name}` may be unbound here: it is not bound {path}, and then this read raises {error}"
