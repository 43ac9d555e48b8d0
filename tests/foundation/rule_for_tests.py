"""A rule defined only for the tests: it exercises safe, unsafe and broken fixes in the engine."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest

from infralint.catalog import RuleEntry, load_catalog
from infralint.finding import Edit
from infralint.fix_data import FixData
from infralint.rules import Rule, rule_classes

CODE = "INF099"


@dataclass(frozen=True)
class ReplaceFinding(FixData):
    """The test rules' fix: the finding's own range becomes `content`."""

    content: str


class CallRenameRule(Rule):
    """`shout(...)` → `say(...)` (safe); `boom(...)` → `quiet(...)` (unsafe); `broken(...)` gets a fix that does not parse."""

    code = CODE
    node_types = (ast.Call,)
    renames = {"shout": ("say", False), "boom": ("quiet", True), "broken": ("broken(", False)}

    def visit(self, node, ctx):
        if isinstance(node.func, ast.Name) and node.func.id in self.renames:
            new, unsafe = self.renames[node.func.id]
            fix = self.make_fix(f"rename to {new}", ReplaceFinding(new), unsafe=unsafe)
            yield self.report(ctx, node.func, f"`{node.func.id}` is deprecated", fix=fix)

    def resolve_fix(self, finding, ctx):
        return [Edit(finding.line, finding.col, finding.end_line, finding.end_col, finding.fix.data.content)]


ENTRY = RuleEntry(
    code=CODE, name="call-rename", family="meta", summary="test rule", what="w", why="y",
    bad_example="shout()\n", good_example="say()\n", example_path="x.py", example_select=(CODE,),
    fix_safety="safe", fix_description="rename", default_enabled=True, severity="error",
)


@pytest.fixture
def test_rule():
    """Register the test rule in the catalog and the registry for the duration of one test."""
    load_catalog()[CODE] = ENTRY
    rule_classes()[CODE] = CallRenameRule
    try:
        yield CODE
    finally:
        load_catalog().pop(CODE, None)
        rule_classes().pop(CODE, None)
