"""Condition keys (`path_facts.structure_text`) tell tests apart exactly as `ast.dump` does, and
leave no cyclic garbage behind (the collector would have to find it)."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest

from infralint.rules.scope.path_facts import structure_text

FIXTURES = Path(__file__).parent / "fixtures"
LOOK_ALIKES = [
    ("1", "True"), ("1", "1.0"), ("0.0", "-0.0"), ("'a'", "b'a'"), ("x", "'x'"), ("(a, b)", "[a, b]"),
    ("f(a)", "f(a,)"), ("f(*a)", "f(a)"), ("a.b", "a .b"), ("not a", "a"), ("a is None", "a == None"),
    ("x if y else z", "x if z else y"), ("{'k': v}", "{'k', v}"), ("a[1:2]", "a[1:2:]"),
]


def _tests() -> list[ast.expr]:
    found = []
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:  # fixtures of syntax this Python does not have
            continue
        found += [node.test for node in ast.walk(tree) if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert))]
    return found


def test_the_fixtures_conditions_fall_into_the_same_classes_as_with_ast_dump():
    tests = _tests()
    assert len(tests) > 100
    by_dump, by_text = {}, {}
    for index, test in enumerate(tests):
        by_dump.setdefault(ast.dump(test), set()).add(index)
        by_text.setdefault(structure_text(test), set()).add(index)
    assert sorted(map(sorted, by_dump.values())) == sorted(map(sorted, by_text.values()))


@pytest.mark.parametrize("one, other", LOOK_ALIKES)
def test_look_alikes_are_told_apart_or_matched_as_ast_dump_does(one, other):
    first, second = ast.parse(one, mode="eval").body, ast.parse(other, mode="eval").body
    assert (structure_text(first) == structure_text(second)) == (ast.dump(first) == ast.dump(second))


def test_no_cycle_is_left_behind():
    tests = _tests()
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        for test in tests:
            structure_text(test)
        assert gc.get_count()[0] - before < 10  # `ast.dump` leaves six objects per call
    finally:
        if enabled:
            gc.enable()
