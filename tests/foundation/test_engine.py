"""The engine: traversal, suppressions, meta findings, the fix loop, the cache."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from infralint.cache import ResultCache
from infralint.engine import Linter, lint_files

from ..conftest import config_for
from .rule_for_tests import CallRenameRule, test_rule  # noqa: F401  (pytest fixture)


def lint(text, select, path="m.py", **kw):
    return Linter(config_for(select, **kw)).lint_text(text, path).findings


def test_findings_are_sorted_and_positioned(test_rule):
    findings = lint("boom()\nx = 1; shout()\n", [test_rule])
    assert [(f.line, f.col, f.end_col) for f in findings] == [(1, 0, 4), (2, 7, 12)]
    assert findings[0].name == "call-rename" and findings[0].path == "m.py"


def test_noqa_variants(test_rule):
    text = "shout()  # noqa\nshout()  # noqa: INF099\nshout()  # NOQA:INF0\nshout()  # noqa: E501\nshout()\n"
    assert [f.line for f in lint(text, [test_rule])] == [4, 5]


def test_unused_noqa_is_reported_only_for_judged_codes(test_rule):
    text = "x = 1  # noqa: INF099\nshout()  # noqa: INF099\ny = 2  # noqa: E501, INF777\n"
    findings = lint(text, [test_rule, "INF003"])
    assert [(f.line, f.code) for f in findings] == [(1, "INF003")]
    assert "INF099" in findings[0].message


def test_skip_file(test_rule):
    assert lint("# infralint: skip-file\nshout()\n", [test_rule]) == []


def test_per_file_ignores(test_rule):
    config = config_for([test_rule], per_file_ignores={"legacy/*.py": ["INF0"]})
    linter = Linter(config)
    assert linter.lint_text("shout()\n", "legacy/old.py").findings == []
    assert len(linter.lint_text("shout()\n", "app/new.py").findings) == 1


def test_syntax_error_and_undecodable_are_findings():
    linter = Linter(config_for(None))
    bad = linter.lint_text("def f(:\n", "bad.py").findings
    assert [(f.code, f.line, f.col) for f in bad] == [("INF001", 1, 6)]
    undecodable = linter.lint_bytes(b"x = '\xff'\n", "latin.py").findings
    assert [f.code for f in undecodable] == ["INF002"]
    declared = linter.lint_bytes(b"# -*- coding: latin-1 -*-\nx = '\xff'\n", "ok.py").findings
    assert declared == []


def test_a_crashing_rule_is_reported_and_the_others_run(test_rule, monkeypatch):
    def explode(self, node, ctx):
        raise RuntimeError("kaboom")
        yield

    monkeypatch.setattr(CallRenameRule, "visit", explode)
    result = Linter(config_for([test_rule, "INF001"])).lint_text("shout()\n", "m.py")
    assert result.findings == []
    assert result.errors and "internal error in INF099" in result.errors[0] and "kaboom" in result.errors[0]


class TestFixLoop:
    def test_safe_only_by_default(self, test_rule):
        outcome = Linter(config_for([test_rule])).fix_text("shout(1)\nboom(2)\n", "m.py")
        assert outcome.text == "say(1)\nboom(2)\n"
        assert [f.code for f in outcome.remaining] == [test_rule]

    def test_unsafe_when_asked(self, test_rule):
        outcome = Linter(config_for([test_rule])).fix_text("shout(1)\nboom(2)\n", "m.py", unsafe=True)
        assert outcome.text == "say(1)\nquiet(2)\n" and outcome.remaining == []

    def test_fix_that_does_not_parse_is_dropped_and_reported(self, test_rule):
        outcome = Linter(config_for([test_rule])).fix_text("broken(1)\nshout(2)\n", "m.py")
        assert outcome.text == "broken(1)\nsay(2)\n"
        ast.parse(outcome.text)
        assert any("dropped" in e and "would not parse" in e for e in outcome.errors)

    def test_second_run_changes_nothing(self, test_rule):
        linter = Linter(config_for([test_rule]))
        first = linter.fix_text("shout(shout(1))\n", "m.py")
        assert first.text == "say(say(1))\n"  # overlapping fixes land over two passes
        assert not linter.fix_text(first.text, "m.py").changed


def test_cache_serves_unchanged_files_and_misses_changed_ones(tmp_path, test_rule):
    file = tmp_path / "a.py"
    file.write_text("shout()\n")
    config = config_for([test_rule])
    cache = ResultCache(tmp_path, config.fingerprint(), False)
    assert [f.code for r in lint_files([file], config, cache=cache) for f in r.findings] == [test_rule]
    # poison the stored entry (through the cache, which signs what it writes): if the next run
    # reports the poisoned message, it came from the cache
    cache.entries["a.py"]["findings"][0]["message"] = "from cache"  # named relative to the cache root
    cache.save()
    warm = ResultCache(tmp_path, config.fingerprint(), False)
    assert [f.message for r in lint_files([file], config, cache=warm) for f in r.findings] == ["from cache"]
    file.write_text("shout()\nshout()\n")
    warm = ResultCache(tmp_path, config.fingerprint(), False)
    assert [f.message for r in lint_files([file], config, cache=warm) for f in r.findings] == ["`shout` is deprecated"] * 2
    assert (tmp_path / ".infralint_cache" / ".gitignore").read_text().strip().endswith("*")


@pytest.mark.parametrize("jobs", [2, 3])
def test_process_pool_gives_the_same_results(tmp_path, jobs):
    # the main process lints some tasks itself, the pool the others: together, every file once
    for index in range(30):
        (tmp_path / f"m{index}.py").write_text("def f(:\n" if index % 3 == 0 else "x = 1\n")
    files = sorted(tmp_path.glob("*.py"))
    config = config_for(None)
    serial = [(r.path, [f.code for f in r.findings]) for r in lint_files(files, config, jobs=1)]
    parallel = [(r.path, [f.code for f in r.findings]) for r in lint_files(files, config, jobs=jobs)]
    assert serial == parallel and sum(len(c) for _, c in serial) == 10


def test_per_file_ignores_cover_meta_findings():
    config = config_for(None, per_file_ignores={"legacy/*.py": ["INF001", "INF002"]})
    linter = Linter(config)
    assert linter.lint_text("def f(:\n", "legacy/old.py").findings == []
    assert linter.lint_bytes(b"x = '\xff'\n", "legacy/bin.py").findings == []
    assert [f.code for f in linter.lint_text("def f(:\n", "app/new.py").findings] == ["INF001"]


def test_syntax_error_column_is_a_character_offset():
    [finding] = Linter(config_for(None)).lint_text("s = 'é' + (\n", "m.py").findings
    assert finding.col == len("s = 'é' + ")


def test_node_columns_become_character_offsets():
    text = 'label = "😋é"; x = undefined_name\n'
    [finding] = Linter(config_for(["INF101"])).lint_text(text, "m.py").findings
    assert (finding.col, finding.end_col) == (text.index("undefined_name"), text.index("undefined_name") + len("undefined_name"))


def test_call_names_filter_calls_before_visit():
    """A rule with `call_names` is only shown the calls whose callee ends with one of them."""
    import ast

    from infralint.engine import Linter
    from infralint.rules.base import Rule

    seen: list[str] = []

    class Watcher(Rule):
        code = "INF404"
        node_types = (ast.Call,)
        call_names = frozenset({"fail"})

        def visit(self, node, ctx):
            seen.append(ast.unparse(node.func))
            return ()

    linter = Linter(config_for(["INF404"]))
    linter.rules = [Watcher(linter.config)]
    source = "import pytest\nfrom pytest import fail as stop\npytest.fail('x')\nfail()\nprint('y')\nobj.method().fail\n(lambda: 1)()\nstop()\n"
    linter.lint_text(source, "test_x.py")
    assert seen == ["pytest.fail", "fail", "stop"]  # `stop` is `fail` as imported
