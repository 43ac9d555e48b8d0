"""The fix loop reaches the fixed point in a number of passes that does not grow with the number
of findings, and applying a rule's fixes together gives what applying them one at a time does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from infralint.api import fix_source, lint_source
from infralint.catalog import load_catalog
from infralint.engine import Linter
from infralint.finding import Edit, FixSafety
from infralint.rules import Rule, rule_classes
from infralint.rules.cleanup.hoist_fix import hoist_import, hoist_imports

from ..conftest import config_for
from .rule_for_tests import CODE, ENTRY, ReplaceFinding

CLEANUP_FIXTURES = Path(__file__).parent.parent / "rules" / "cleanup" / "fixtures"
MODULES = ["json", "logging", "os", "re", "shutil", "socket", "struct", "time", "traceback", "uuid", "zlib", "base64"]


def many_hoists(count: int) -> str:
    """`count` cleanup functions, each importing a module in its `finally` (some third party:
    unsafe hoists; aliases so that every import is distinct)."""
    parts = ['"""Worker shutdown."""\n\nimport sys\n']
    for i in range(count):
        module = MODULES[i % len(MODULES)] if i % 5 else "redis"
        comment = "        # flush the log\n" if i % 7 == 0 else ""
        parts.append(
            f"\n\ndef close_{i}(conn):\n    try:\n        conn.close()\n    finally:\n"
            f"{comment}        import {module} as {module}_{i}\n        {module}_{i}.__name__\n"
        )
    return "".join(parts)


def hoistable(text: str, code: str = "INF201"):
    return [f for f in lint_source(text, "app/worker.py", config_for([code])) if f.fix]


@pytest.mark.parametrize("count", [30, 100, 300])
def test_many_fixable_findings_converge_in_constant_passes(count):
    text = many_hoists(count)
    assert len(hoistable(text)) == count
    config = config_for(["INF201"])
    first = fix_source(text, "app/worker.py", config, unsafe=True)
    assert not first.errors
    assert len(first.applied) == count
    assert first.passes == 1
    assert not [f for f in first.remaining if f.fix and f.fix.safety in (FixSafety.SAFE, FixSafety.UNSAFE)]
    second = fix_source(first.text, "app/worker.py", config, unsafe=True)
    assert second.text == first.text and second.passes == 0
    top = first.text.split("\n\n\ndef ", 1)[0]
    assert top.count("\nimport ") == count + 1  # every import moved up, `sys` kept


def sequential(text: str, code: str) -> str:
    """What one fix per pass gives: the first hoist, re-lint, the next…"""
    while True:
        findings = hoistable(text, code)
        if not findings:
            return text
        data = findings[0].fix.data
        new_text = hoist_import(text, data.line, data.col)
        if new_text == text:
            return text
        text = new_text


CASES = [(p.name, code) for p in sorted(CLEANUP_FIXTURES.glob("*.py")) for code in ("INF201", "INF202")]


def fixture_hoists(name: str, code: str):
    """The fixture's text and its findings of `code` with a hoist fix (the test is skipped without one)."""
    text = (CLEANUP_FIXTURES / name).read_text()
    findings = hoistable(text, code)
    if not findings:
        pytest.skip(f"no {code} fix in {name}")
    return text, findings


@pytest.mark.parametrize("name, code", CASES)
def test_hoisting_together_equals_hoisting_one_at_a_time(name, code):
    text, findings = fixture_hoists(name, code)
    together = hoist_imports(text, [(f.fix.data.line, f.fix.data.col) for f in findings])
    assert together == sequential(text, code)


@pytest.mark.parametrize("name, code", CASES)
def test_hoisting_one_from_one_parse_equals_the_step_by_step_hoist(name, code):
    text, findings = fixture_hoists(name, code)
    for finding in findings:
        data = finding.fix.data
        assert hoist_imports(text, [(data.line, data.col)]) == hoist_import(text, data.line, data.col), (name, data.line)


def test_hoisting_together_with_comments_blank_lines_and_shared_lines():
    text = (
        "import os\n\n\ndef close(conn):\n    try:\n        pass\n    finally:\n        import gc\n\n"
        "        # report\n        import logging\n\n        import json; json.dumps(1)\n        gc.collect()\n\n\n"
        "def stop():\n    try:\n        pass\n    finally:\n        # only this\n        import time\n"
    )
    findings = hoistable(text)
    assert len(findings) == 4
    assert hoist_imports(text, [(f.fix.data.line, f.fix.data.col) for f in findings]) == sequential(text, "INF201")


# -- what a fix run counts: the findings whose fix was applied ------------------------------------


def test_findings_that_share_one_edit_are_all_counted_as_fixed():
    text = "def spans(start):\n    return time.time() - start, time.monotonic()\n"
    outcome = fix_source(text, "app/timing.py", config_for(["INF101"]))
    assert outcome.text.count("import time") == 1 and outcome.remaining == []
    # two findings, one import: both fixes are in the text
    assert sorted((f.code, f.col) for f in outcome.applied) == [("INF101", 11), ("INF101", 32)]


class ArgumentRewrite(Rule):
    """`f(a, k=1)`: a safe fix turns `a` into `**a`, another `k=1` into `*b`. Each alone parses;
    together they give `f(**a, *b)`, which does not."""

    code = CODE
    node_types = (ast.Call,)

    def visit(self, node, ctx):
        for arg in node.args:
            if isinstance(arg, ast.Name) and arg.id == "a":
                yield self.report(ctx, arg, "spread `a`", fix=self.make_fix("spread", ReplaceFinding("**a")))
        for keyword in node.keywords:
            if keyword.arg == "k":
                yield self.report(ctx, keyword, "unpack `b`", fix=self.make_fix("unpack", ReplaceFinding("*b")))

    def resolve_fix(self, finding, ctx):
        return [Edit(finding.line, finding.col, finding.end_line, finding.end_col, finding.fix.data.content)]


@pytest.fixture
def argument_rewrite():
    load_catalog()[CODE] = ENTRY
    rule_classes()[CODE] = ArgumentRewrite
    try:
        yield CODE
    finally:
        load_catalog().pop(CODE, None)
        rule_classes().pop(CODE, None)


def test_fixes_that_break_the_file_together_count_only_the_one_applied(argument_rewrite):
    outcome = Linter(config_for([argument_rewrite])).fix_text("f(a, k=1)\n", "m.py")
    assert outcome.text == "f(**a, k=1)\n"  # the first alone; the second would no longer parse
    assert [f.message for f in outcome.applied] == ["spread `a`"]
    assert [f.message for f in outcome.remaining] == ["unpack `b`"]
