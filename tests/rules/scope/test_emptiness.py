"""Emptiness reasoning of the scope analysis, judged on every path (`possibly-unbound = "all"`):
a loop over a namespace runs when the namespace cannot be empty."""

from __future__ import annotations

import pytest

from infralint.rules.scope.binder import AllPathsScopeAnalysis
from infralint.rules.scope.problems import ReadFailure
from infralint.source import SourceFile


def _maybe_unbound(text: str) -> list[tuple[str, int]]:
    analysis = AllPathsScopeAnalysis(SourceFile("example.py", text))
    return [(p.name, p.node.lineno) for p in analysis.problems if p.kind is ReadFailure.MAYBE_UNBOUND]


LOOP = "    for key in {namespace}():\n        last = key\n    return last\n"


@pytest.mark.parametrize("namespace", ["locals", "vars"])
def test_a_functions_namespace_without_parameters_may_be_empty(namespace):
    assert _maybe_unbound("def first():\n" + LOOP.format(namespace=namespace)) == [("last", 4)]


@pytest.mark.parametrize("namespace", ["locals", "vars"])
def test_a_functions_namespace_holds_its_parameters(namespace):
    assert _maybe_unbound("def first(argument):\n" + LOOP.format(namespace=namespace)) == []


def test_a_loop_over_a_range_of_a_constant_runs():
    text = "COUNT = 3\n\ndef last_index():\n    for index in range(COUNT):\n        last = index\n    return last\n"
    assert _maybe_unbound(text) == []
    assert _maybe_unbound(text.replace("COUNT = 3", "COUNT = 0")) == [("last", 6)]
