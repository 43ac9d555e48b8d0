"""The fenced examples of the README and `docs/`, for tests that run them as a user would."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from .conftest import ROOT

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Snippet:
    lang: str
    text: str  # dedented, as a user would copy it


def snippets(document: str = "README.md") -> list[Snippet]:
    text = (ROOT / document).read_text(encoding="utf-8")
    return [Snippet(m["lang"], textwrap.dedent(m["body"])) for m in _FENCE.finditer(text)]


def the_snippet(lang: str, containing: str, document: str = "README.md") -> Snippet:
    """The one `lang` example of `document` that contains `containing` (fails if not exactly one)."""
    found = [s for s in snippets(document) if s.lang == lang and containing in s.text]
    assert len(found) == 1, f"{len(found)} {lang} examples in {document} contain {containing!r}"
    return found[0]
