"""Rule registry: every family package (or module) here defines rules; they are found, not listed.

A family is a package `rules/<family>/` that exports its rule classes from `__init__.py`, with the
analyses only it uses beside them. Adding a family means adding one package here and its catalog
entries in `lint_rules/`.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from .base import Rule


@lru_cache(maxsize=1)
def rule_classes() -> dict[str, type[Rule]]:
    """Every implemented rule class by code."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
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


__all__ = ["Rule", "rule_classes"]
