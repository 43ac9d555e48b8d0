"""Shapes of code far larger than people write by hand (generated parsers, dispatch tables): the
scope analysis walks them without recursing once per `elif`, and their real findings still come out.
Speed on such input is measured by the benchmark, not here."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import pytest

from infralint.api import lint_source
from infralint.rules.scope.binder import AllPathsScopeAnalysis
from infralint.rules.scope import rule_code
from infralint.source import SourceFile

from ...conftest import config_for

CODES = ["INF101", "INF102", "INF103"]


def _elif_chain(branches: int, *, exhaustive: bool = False) -> str:
    lines = ["def dispatch(x):", "    if x == 0:", "        y = 0"]
    for i in range(1, branches):
        lines += [f"    elif x == {i}:", f"        y = {i}"]
    if exhaustive:
        lines += ["    else:", "        y = -1"]
    lines += ["    return y + undefined_helper(x)", ""]
    return "\n".join(lines)


@contextmanager
def _recursion_limit(limit: int):
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def _problems(text: str) -> list[tuple[str, str, int]]:
    """Run the scope analysis at the default recursion limit on a tree parsed with a higher one (Python
    3.11's `ast.parse` itself stops at about 3,000 levels; 3.12+ and CPython's compiler go further)."""
    source = SourceFile("generated.py", text)
    with _recursion_limit(50_000):
        source.tree  # noqa: B018 - parsed and kept by the source
    with _recursion_limit(1_000):
        analysis = AllPathsScopeAnalysis(source)
    return sorted((rule_code(p.kind), p.name, p.node.lineno) for p in analysis.problems)


@pytest.mark.parametrize("branches", [1_000, 5_000])
def test_long_elif_chain_keeps_its_findings(branches):
    last = 2 * branches + 2
    assert _problems(_elif_chain(branches)) == [("INF101", "undefined_helper", last), ("INF102", "y", last)]
    assert _problems(_elif_chain(branches, exhaustive=True)) == [("INF101", "undefined_helper", last + 2)]


def test_thousand_elifs_through_the_command_api():
    findings = lint_source(_elif_chain(1_000), "generated.py", config_for(CODES, {"scope.possibly-unbound": "all"}))
    assert [(f.code, f.line) for f in findings] == [("INF102", 2002), ("INF101", 2002)]
    assert findings[0].message == (
        "`y` may be unbound here: it is not bound when none of the conditions of the `if`/`elif` chain at line 2 holds "
        "(the `if` at line 2, the `elif` at line 4, the `elif` at line 6, the `elif` at line 8 and 996 more branches "
        "bind it; there is no `else`), and then this read raises UnboundLocalError"
    )


def test_long_conditional_expression_chain():
    values = " else ".join(f"{i} if x == {i}" for i in range(1_000))
    text = f"def pick(x):\n    return {values} else missing_default\n"
    assert _problems(text) == [("INF101", "missing_default", 2)]


def test_long_not_chain_and_attribute_chain_in_tests():
    nots = "not " * 1_000
    attributes = ".".join(["config"] * 1_000)
    text = (
        "from typing import TYPE_CHECKING\n"
        "def f(config):\n"
        f"    if {nots}TYPE_CHECKING:\n"  # an even number of `not`s: the block never runs
        "        value = 1\n"
        f"    if {attributes}:\n"
        "        other = 2\n"
        "    return other\n"
    )
    assert _problems(text) == [("INF102", "other", 7)]


def test_deeply_nested_blocks():
    depth = 95  # Python's tokenizer allows 100 levels of indentation
    lines = ["def f(flags):"]
    for level in range(depth):
        lines.append("    " * (level + 1) + f"if flags[{level}]:")
    lines.append("    " * (depth + 1) + "found = True")
    lines.append("    return found")
    text = "\n".join(lines) + "\n"
    assert _problems(text) == [("INF102", "found", depth + 3)]
    functions = ["def outer_0():"] + [
        "    " * (level + 1) + f"def outer_{level + 1}():" for level in range(depth)
    ] + ["    " * (depth + 1) + "return absent_name"]
    assert _problems("\n".join(functions) + "\n") == [("INF101", "absent_name", depth + 2)]

