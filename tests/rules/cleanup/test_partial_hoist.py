"""The hoist fix parses with LibCST only the statements it reads or edits, and gives the very text
the whole module's parse gives — or, where the module cannot be cut safely, parses it whole."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from infralint.fixes import partial_module
from infralint.fixes.cst import FixNotApplicable
from infralint.rules.cleanup import hoist_fix
from infralint.rules.cleanup.hoist_fix import hoist_import, hoist_imports

HERE = Path(__file__).parent / "fixtures"

HEAD = '"""Connection pool."""\n\nimport logging\nfrom os import path\n\nLOG = logging.getLogger(__name__)\n'
FILLER = "".join(f"\n\ndef helper_{i}(value):\n    return value + {i}\n" for i in range(6))
CLOSE = "\n\ndef close(conn):\n    try:\n        conn.close()\n    finally:\n        import json\n        json.dumps({})\n"


def nested_imports(text: str) -> list[tuple[int, int]]:
    """Every import statement below the module's top level."""
    tree = ast.parse(text)
    top = set(tree.body)
    return sorted(
        (node.lineno, node.col_offset) for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in top
    )


def parsed(text: str) -> ast.Module:
    return ast.parse(text.encode())  # as bytes: a BOM is read as the encoding's mark


def whole(text: str, positions) -> str:
    return hoist_fix._hoist_whole(text, parsed(text), sorted(set(positions)))


def partial(text: str, positions) -> str | None:
    return hoist_fix._hoist_partially(text, parsed(text), sorted(set(positions)))


def assert_partial(text: str, positions=None) -> str:
    """The partial parse is taken and gives the whole parse's text (and, for one hoist, the
    step-by-step hoist's)."""
    positions = positions or nested_imports(text)
    assert positions
    expected = whole(text, positions)
    assert partial(text, positions) == expected
    assert hoist_imports(text, positions) == expected
    if len(positions) == 1:
        assert expected == hoist_import(text, *positions[0])
    return expected


def assert_fallback(text: str, positions=None) -> None:
    """The module is not cut, and the whole parse answers."""
    positions = positions or nested_imports(text)
    assert positions
    assert partial(text, positions) is None
    assert hoist_imports(text, positions, parsed(text)) == whole(text, positions)


# -- the partial parse is taken ------------------------------------------------------------------


def test_a_late_function_is_parsed_with_the_head_only():
    text = HEAD + FILLER + CLOSE + FILLER
    tree = ast.parse(text)
    cut = partial_module.parse_partially(text, tree, {0, 1, 2, 3, 10})
    assert cut is not None
    assert [s.lineno for s in cut.statements] == [tree.body[k].lineno for k in (0, 1, 2, 3, 10)]
    fixed = assert_partial(text)
    assert "import json\nimport logging\n" in fixed


def test_the_whole_parse_is_not_called_when_the_module_can_be_cut(monkeypatch):
    text = HEAD + FILLER + CLOSE + FILLER
    expected = whole(text, nested_imports(text))

    def refuse(*args):
        raise AssertionError("the whole module was parsed")

    monkeypatch.setattr(hoist_fix, "_hoist_whole", refuse)
    assert hoist_imports(text, nested_imports(text), ast.parse(text)) == expected


def test_without_docstring_the_statement_after_the_imports_is_not_parsed(monkeypatch):
    text = "import logging\n" + FILLER + CLOSE + FILLER
    expected = assert_partial(text)
    runs = []
    parse_module = cst.parse_module
    monkeypatch.setattr(partial_module.cst, "parse_module", lambda source: runs.append(source) or parse_module(source))
    assert partial(text, nested_imports(text)) == expected
    assert runs[0] == "import logging\n" and not any("helper_0" in run for run in runs)


def test_decorated_target_with_comments_above_its_decorators():
    close = (
        "\n\n# closes the pool\n\n@register\n@other(\n    1,\n)\ndef close(conn):\n"
        "    try:\n        conn.close()\n    finally:\n        # flush\n        import json as j\n\n        j.dumps({})\n"
    )
    assert_partial(HEAD + FILLER + close + FILLER)


def test_a_module_without_import_block_gets_one_before_its_first_statement():
    for head in ('"""Pool."""\n\nLIMIT = 3\n', "# header comment\nLIMIT = 3\n", '"""Pool."""\n\n\ndef first():\n    pass\n'):
        fixed = assert_partial(head + FILLER + CLOSE + FILLER)
        assert "import json\n" in fixed


def test_a_from_import_at_the_bottom_of_the_module_is_joined():
    text = HEAD + FILLER.replace("value + 0", "dumps(value)") + CLOSE.replace("import json", "from json import loads") + FILLER + "\nfrom json import dumps\n"
    fixed = assert_partial(text)
    assert fixed.endswith("\nfrom json import dumps, loads\n")


def test_a_relative_import_already_at_the_bottom_is_not_added_twice():
    text = HEAD + FILLER + CLOSE.replace("import json", "from . import codec") + FILLER + "\nfrom . import codec\n"
    fixed = assert_partial(text)
    assert fixed.count("from . import codec") == 1


def test_many_hoists_in_several_functions_together():
    text = HEAD + FILLER + CLOSE + FILLER + CLOSE.replace("close(", "shutdown(").replace("json", "shutil") + FILLER
    assert len(nested_imports(text)) == 2
    assert_partial(text)


@pytest.mark.parametrize(
    "above",
    [
        # LibCST gives the comments indented like a body to that body: no cut above them
        "\n\ndef before():\n    pass\n    # still before\n\n# above close\n  # odd indent",
        # a backslash ending the line above joins it to the next one
        "\n\nWINDOWS = 'C:'  # the root, C:\\",
    ],
    ids=["indented-comments", "backslash"],
)
def test_the_statement_above_that_cannot_be_cut_off_stays_in_the_run(above):
    text = HEAD + FILLER + above + CLOSE + FILLER
    tree = ast.parse(text)
    holder = next(k for k, s in enumerate(tree.body) if getattr(s, "name", "") == "close")
    cut = partial_module.parse_partially(text, tree, {0, holder})
    assert cut is not None and tree.body[holder - 1] in cut.statements
    assert_partial(text)


def test_the_target_is_the_statement_right_after_the_import_block():
    text = HEAD.replace("\nLOG = logging.getLogger(__name__)\n", "") + CLOSE + FILLER
    assert_partial(text)
    no_block = '"""Pool."""\n' + CLOSE + FILLER
    assert_partial(no_block)


def test_the_last_statement_with_trailing_comments():
    text = HEAD + FILLER + CLOSE + "    # end of close\n\n# end of module\n"
    assert_partial(text)


def test_parts_indented_differently_keep_their_indentation():
    two_spaces = "\n\ndef first(value):\n  if value:\n    return 1\n  return 2\n"
    assert_partial(HEAD + two_spaces + FILLER + CLOSE + FILLER)


def test_every_fixture_import_gives_the_whole_parse_text():
    taken = 0
    for path in sorted(HERE.glob("*.py")):
        text = path.read_text()
        for position in nested_imports(text):
            expected = _outcome(lambda: whole(text, [position]))
            cut = partial(text, [position])
            if cut is not None:
                taken += 1
                assert ("text", cut) == expected, (path.name, position)
            assert _outcome(lambda: hoist_imports(text, [position])) == expected, (path.name, position)
    assert taken > 20


def _outcome(compute):
    try:
        return ("text", compute())
    except FixNotApplicable as exc:
        return ("not applicable", type(exc))


# -- doubtful modules are parsed whole -----------------------------------------------------------

TEXT = HEAD + FILLER + CLOSE + FILLER


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TEXT.replace("LOG = logging", "A = 1; LOG = logging"), id="statements sharing a line"),
        pytest.param(TEXT.replace("\ndef helper_3", "\n\f\ndef helper_3"), id="form feed"),
        pytest.param(TEXT.replace("\n", "\r\n"), id="CRLF"),
        pytest.param(TEXT.replace("\n", "\r"), id="CR"),
        pytest.param("\ufeff" + TEXT, id="BOM"),
        pytest.param("# -*- coding: utf-8 -*-\n" + TEXT, id="encoding declaration"),
        pytest.param(TEXT.replace("    return value + 2", "\treturn value + 2"), id="tab indentation"),
        pytest.param(TEXT.rstrip("\n"), id="no final newline"),
        pytest.param(TEXT + "\n" + partial_module._PLACEHOLDER + "0 = 1\n", id="placeholder name in the text"),
        pytest.param(TEXT.replace('"""Connection pool."""\n', "if True:\n  pass\n"), id="parts with different indent units"),
        pytest.param(HEAD.replace("\nLOG = logging.getLogger(__name__)\n", "") + CLOSE, id="nothing left unparsed"),
    ],
)
def test_doubtful_modules_are_parsed_whole(text):
    # `ast` reads `\r` as a line end and skips a BOM: the positions are those of the plain text
    positions = nested_imports(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    assert_fallback(text, positions)


def test_a_run_that_does_not_parse_alone_falls_back(monkeypatch):
    parse_module = cst.parse_module

    def refuse_runs(source, *args, **kwargs):
        if source.lstrip("\n").startswith("def close"):
            raise cst.ParserSyntaxError("refused", lines=[source], raw_line=1, raw_column=0)
        return parse_module(source, *args, **kwargs)

    monkeypatch.setattr(partial_module.cst, "parse_module", refuse_runs)
    assert partial_module.parse_partially(TEXT, ast.parse(TEXT), {0, 10}) is None
    assert partial(TEXT, nested_imports(TEXT)) is None
    monkeypatch.undo()
    assert hoist_imports(TEXT, nested_imports(TEXT)) == whole(TEXT, nested_imports(TEXT))


def test_a_hoist_that_cannot_be_done_is_refused_by_both_parses():
    top_level = TEXT.index("from os import path")
    line = TEXT[:top_level].count("\n") + 1
    assert partial(TEXT, [(line, 0)]) is None
    with pytest.raises(FixNotApplicable):
        hoist_imports(TEXT, [(line, 0)])
    with pytest.raises(FixNotApplicable):
        hoist_imports(TEXT, [(line + 1, 4)])


def test_statements_left_unparsed_keep_their_text_to_the_byte():
    # LibCST writes `except OSError :` back without its space; a statement the fix does not touch
    # is not parsed here, so its text stays as written
    quirk = "\n\ndef probe():\n    try:\n        pass\n    except OSError :\n        pass\n"
    text = HEAD + quirk + FILLER + CLOSE + FILLER
    fixed = partial(text, nested_imports(text))
    assert fixed is not None and quirk in fixed and "import json\n" in fixed


def test_a_module_needed_whole_is_not_parsed_in_runs_first(monkeypatch):
    text = HEAD.replace("\nLOG = logging.getLogger(__name__)\n", "") + CLOSE
    runs = []
    parse_module = cst.parse_module
    monkeypatch.setattr(partial_module.cst, "parse_module", lambda source: runs.append(source) or parse_module(source))
    assert partial(text, nested_imports(text)) is None
    assert runs == []
