"""INF1xx scope rules: names that raise NameError or UnboundLocalError at run time.

`binder` is the single-pass binding machine (with `flow`, `path_facts`, `stored_names`,
`syntax_facts`); `known_names` and `name_hints` explain where an undefined name really lives;
`rules` turns the binder's problems into findings.
"""

from .rules import PossiblyUnbound, UnboundLocal, UndefinedName

__all__ = ["PossiblyUnbound", "UnboundLocal", "UndefinedName"]
