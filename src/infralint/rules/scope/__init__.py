"""INF1xx scope rules: names that raise NameError or UnboundLocalError at run time.

`binder` is the single-pass walker over `scopes` (with `analysis.flow`, `path_facts`,
`stored_names`, `syntax_facts`); beside it `emptiness`, `environment`, `noreturn` (with
`noreturn_defs`, `module_facts`) and `resolution` reason on its state. It reports `problems`: how a
read fails (`ReadFailure`) and on which path (`PathKind`), never a rule code. `known_names` and
`name_hints` explain where an undefined name really lives; `rules` maps each failure to its rule
and turns the problems into findings.
"""

from .rules import PossiblyUnbound, UnboundLocal, UndefinedName

__all__ = ["PossiblyUnbound", "UnboundLocal", "UndefinedName"]
