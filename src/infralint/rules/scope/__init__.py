"""INF1xx scope rules: names that raise NameError or UnboundLocalError at run time.

`binder` is the single-pass walker over `scopes` (with `analysis.flow`, `path_facts`,
`stored_names`, `syntax_facts`); beside it `emptiness`, `environment`, `noreturn` (with
`noreturn_defs`, `module_facts`) and `resolution` reason on its state. It reports `problems`: how a
read fails (`ReadFailure`) and on which path (`PathKind`), never a rule code. `known_names` and
`name_hints` explain where an undefined name really lives; one module per rule (`undefined_name`,
`possibly_unbound`, `unbound_local`, over `scope_rule`) maps each failure to its rule and words it
(`wording`).
"""

from .possibly_unbound import PossiblyUnbound
from .problems import ReadFailure
from .unbound_local import UnboundLocal
from .undefined_name import UndefinedName

__all__ = ["PossiblyUnbound", "UnboundLocal", "UndefinedName", "rule_code"]

_RULE_OF = {failure: rule.code for rule in (UndefinedName, PossiblyUnbound, UnboundLocal) for failure in rule.failures}


def rule_code(failure: ReadFailure) -> str:
    """The code of the rule that reports a failed read of this kind."""
    return _RULE_OF[failure]
