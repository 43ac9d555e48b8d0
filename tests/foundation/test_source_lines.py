"""`SourceFile.line_count` counts without splitting: it must agree with `lines` (the parser's
lines) for every mix of line endings, form feeds and Unicode separators."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, strategies as st

from infralint.source import SourceFile

ENDINGS_AND_LOOK_ALIKES = st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\f", "\v", "\u2028", "\x85", "#"]), max_size=40).map("".join)


@pytest.mark.slow
@given(ENDINGS_AND_LOOK_ALIKES)
def test_line_count_is_the_number_of_lines(text):
    source = SourceFile("m.py", text)
    assert source.line_count == len(source.lines)


def test_line_count_is_the_parsers_last_line():
    text = "x = 1\r\ny = 2\rz = (\f3)\n\nw = 4"
    tree = ast.parse(text)
    assert SourceFile("m.py", text).line_count == max(node.end_lineno for node in ast.walk(tree) if hasattr(node, "end_lineno")) == 5
