"""Rule registry: every rule lives in a module named after it; rules are found, not listed.

A family is a package `rules/<family>/` (its id in `lint_rules/families.toml`). Each of its rules
is one module named after the rule's catalog name, `rules/<family>/<name_with_underscores>.py`,
holding one class named after it too (`rule_module`, `rule_class_name`): INF302
`redis-timeout-missing` is `rules/timeouts/redis_timeout_missing.py`, class
`RedisTimeoutMissing`. Beside them sit the analyses only that family uses. Adding a rule means
adding its module and its catalog entry; adding a family, one package and its entry in
`families.toml`.
"""

from __future__ import annotations

import builtins
import importlib
import pkgutil
from functools import lru_cache

from ..catalog import RuleEntry, load_catalog
from .base import Rule

#: a class named after its rule may not hide a builtin (`syntax-error` would be `SyntaxError`):
#: such a class takes the suffix `Rule` (`SyntaxErrorRule`)
_BUILTIN_NAMES = frozenset(dir(builtins))


def rule_module(entry: RuleEntry) -> str:
    """The module that holds a rule: `infralint.rules.<family>.<name with underscores>`."""
    return f"{__name__}.{entry.family}.{entry.name.replace('-', '_')}"


def rule_class_name(name: str) -> str:
    """The class name of the rule with this catalog name: its PascalCase (`redis-timeout-missing`
    → `RedisTimeoutMissing`), with `Rule` after a name that a builtin already has."""
    pascal = "".join(part.capitalize() for part in name.split("-"))
    return pascal + "Rule" if pascal in _BUILTIN_NAMES else pascal


def _import_rule_modules() -> None:
    """Import every family package (which registers its fact extractors) and every rule module."""
    for module in pkgutil.iter_modules(__path__):
        if module.ispkg and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    for entry in load_catalog().values():
        name = rule_module(entry)
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise


@lru_cache(maxsize=1)
def rule_classes() -> dict[str, type[Rule]]:
    """Every implemented rule class by code."""
    _import_rule_modules()
    found: dict[str, type[Rule]] = {}
    stack = list(Rule.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        code = cls.__dict__.get("code")
        if code and cls.__module__.startswith(__name__ + "."):
            if code in found and found[code] is not cls:
                raise RuntimeError(f"two rule classes claim {code}: {found[code].__name__}, {cls.__name__}")
            found[code] = cls
    return found


__all__ = ["Rule", "rule_class_name", "rule_classes", "rule_module"]
