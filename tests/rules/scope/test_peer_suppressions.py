"""Lines already annotated for pyflakes, pylint, pyright or mypy about the same failure are not
reported again; other codes of those tools silence nothing."""

from __future__ import annotations

import pytest

from infralint.api import lint_source

from ...conftest import config_for

CODES = ["INF101", "INF102", "INF103", "INF003"]


def _codes(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint_source(text, "m.py", config_for(CODES))]


UNDEFINED = "def f():\n    return missing_name{comment}\n"
POSSIBLY = "def f(flag):\n    if flag:\n        value = 1\n    return value{comment}\n"
UNBOUND = "def f():\n    print(total){comment}\n    total = 1\n"


@pytest.mark.parametrize(
    ("template", "comment", "line"),
    [
        (UNDEFINED, "  # noqa: F821", 2),
        (UNDEFINED, "  # pylint: disable=undefined-variable", 2),
        (UNDEFINED, "  # pylint: disable=E0602", 2),
        (UNDEFINED, "  # pyright: ignore[reportUndefinedVariable]", 2),
        (UNDEFINED, "  # type: ignore[name-defined]", 2),
        (POSSIBLY, "  # pyright: ignore[reportPossiblyUnbound]", 4),
        (POSSIBLY, "  # pylint: disable=possibly-used-before-assignment", 4),
        (POSSIBLY, "  # pylint: disable=used-before-assignment, too-many-branches", 4),
        (POSSIBLY, "  # type: ignore[possibly-undefined]", 4),
        (UNBOUND, "  # noqa: F823", 2),
        (UNBOUND, "  # pyright: ignore[reportUnboundVariable]", 2),
    ],
)
def test_peer_code_silences_the_matching_rule(template, comment, line):
    flagged = _codes(template.format(comment=""))
    assert [code for code, at in flagged if at == line], "the unannotated form must be reported"
    assert _codes(template.format(comment=comment)) == []


@pytest.mark.parametrize(
    ("template", "comment", "expected"),
    [
        (UNDEFINED, "  # noqa: F401", [("INF101", 2)]),  # another pyflakes check
        (UNDEFINED, "  # noqa: F823", [("INF101", 2)]),  # the wrong scope check
        (POSSIBLY, "  # pyright: ignore[reportUndefinedVariable]", [("INF102", 4)]),
        (POSSIBLY, "  # pylint: disable=undefined-variable", [("INF102", 4)]),
        (UNDEFINED, "  # type: ignore[attr-defined]", [("INF101", 2)]),
    ],
)
def test_unrelated_peer_codes_silence_nothing(template, comment, expected):
    assert _codes(template.format(comment=comment)) == expected


def test_pylint_disable_next_applies_to_the_following_line():
    text = "def f(flag):\n    if flag:\n        value = 1\n    # pylint: disable-next=possibly-used-before-assignment\n    return value\n"
    assert _codes(text) == []


def test_peer_codes_are_never_reported_as_unused_noqa():
    text = "def f():\n    return 1  # noqa: F821  # pyright: ignore[reportPossiblyUnbound]\n"
    assert _codes(text) == []
