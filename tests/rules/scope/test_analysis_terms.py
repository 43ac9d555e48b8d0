"""The scope analysis speaks of failed reads and paths, never of rule codes: the rule modules map
each `ReadFailure` to exactly one rule, and word every `PathKind`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from infralint.rules import scope
from infralint.rules.scope import PossiblyUnbound, UnboundLocal, UndefinedName, rule_code
from infralint.rules.scope.problems import PathKind, ReadFailure
from infralint.rules.scope.wording import describe_path

SCOPE = Path(scope.__file__).parent
#: the modules of the rules themselves, which map failures to their codes
RULE_MODULES = {"__init__.py", "undefined_name.py", "possibly_unbound.py", "unbound_local.py"}


def test_every_failed_read_belongs_to_exactly_one_rule():
    owners = {failure: [rule.code for rule in (UndefinedName, PossiblyUnbound, UnboundLocal) if failure in rule.failures] for failure in ReadFailure}
    assert all(len(codes) == 1 for codes in owners.values()), owners
    assert rule_code(ReadFailure.MAYBE_UNBOUND) == "INF102"


@pytest.mark.parametrize("module", sorted(p.name for p in SCOPE.glob("*.py") if p.name not in RULE_MODULES))
def test_the_analysis_names_no_rule_code(module):
    tree = ast.parse((SCOPE / module).read_text(encoding="utf-8"))
    codes = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"\bINF\d{3}\b", node.value)]
    assert not codes, f"{module} names rule codes: {codes}"


@pytest.mark.parametrize("kind", [PathKind.IF_BRANCH, PathKind.LOOP_ZERO, PathKind.DEL, PathKind.BREAK, PathKind.CASE_NONE])
def test_path_kinds_are_worded_by_the_rules(kind):
    node = ast.parse("for item in items:\n    pass\n").body[0]
    node.test = ast.Name("ready")  # what an `if`/`while` link would carry
    node.pattern = node  # what a `case` would carry
    why = (kind, node)
    assert "on some path through line" not in describe_path(why, "name", 2)
