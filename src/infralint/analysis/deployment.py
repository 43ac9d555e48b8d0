"""Whether a condition tests the deployment: which branch of `3.0 if is_gcp else 10.0` runs in production.

A conditional whose test names the deployment (`is_gcp`, `IS_PRODUCTION`, `settings.DEBUG`,
`ENVIRONMENT == "production"`, `os.getenv("ENV") != "local"`) chooses between the deployed value
and the local-development one; probes only ever call the deployed one. Names and string values are
matched word by word (`is_gcp` is the words `is` and `gcp`) against two patterns: one for words
that mean deployed, one for words that mean development (`debug`, `local`, `testing`). `not`
flips the answer; `==`/`!=` against a string take the string's meaning. Anything else (`and`/`or`,
a test mixing both kinds of words) is not a deployment test.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from .names import dotted_name

DEFAULT_DEPLOYED = r"gcp|gke|cloud_?run|aws|ecs|eks|k8s|kubernetes|prod|production|deployed|staging|heroku"
DEFAULT_DEVELOPMENT = r"debug|dev|development|local|localhost|testing|test|tests"

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


@dataclass(frozen=True)
class DeploymentConditions:
    """The two word patterns (anchored, case-insensitive); see the module docstring."""

    deployed: str = DEFAULT_DEPLOYED
    development: str = DEFAULT_DEVELOPMENT

    def deployed_when_true(self, test: ast.expr) -> bool | None:
        """True if the test holds in production, False if it holds in development, None if unrelated."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.deployed_when_true(test.operand)
            return None if inner is None else not inner
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
            strings = [n.value for n in (test.left, *test.comparators) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            if len(strings) != 1:
                return None
            meaning = self._meaning(strings[0])
            if meaning is None:
                return None
            return meaning if isinstance(test.ops[0], ast.Eq) else not meaning
        if isinstance(test, ast.Call) and not test.args and not test.keywords:
            test = test.func  # `is_production()`
        name = dotted_name(test) if isinstance(test, (ast.Name, ast.Attribute)) else None
        return self._meaning(name.rsplit(".", 1)[-1]) if name else None

    def _meaning(self, text: str) -> bool | None:
        deployed, development = _compiled(self.deployed), _compiled(self.development)
        words = [w.lower() for w in _WORD.findall(text)][:8]
        # every run of consecutive words, so `cloud_run` matches inside `is_cloud_run`
        runs = ["_".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]
        says_deployed = any(deployed.fullmatch(r) for r in runs)
        says_development = any(development.fullmatch(r) for r in runs)
        if says_deployed == says_development:
            return None
        return says_deployed


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(f"(?:{pattern})", re.IGNORECASE)


DEFAULT_CONDITIONS = DeploymentConditions()
