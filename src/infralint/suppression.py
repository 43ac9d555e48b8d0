"""`# noqa` comments (flake8-compatible) and the file-level `# infralint: skip-file`.

The file-level forms of flake8 and ruff, `# flake8: noqa` and `# ruff: noqa` on a line of their
own, skip the file too (flake8 honours its form for every plugin; ruff's form without codes
exempts the whole file). With codes (`# flake8: noqa: E501`) flake8 ignores the comment and ruff
exempts only those codes — codes of other tools, so infralint ignores that form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .source import SourceFile

# flake8's grammar: a bare noqa comment, or noqa, a colon and codes (`A1,B2` or `A1 B2`), any case;
# the codes are prefixes
_NOQA_RE = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)
_SKIP_FILE_RE = re.compile(r"#\s*infralint\s*:\s*skip-file\b", re.IGNORECASE)
_PEER_SKIP_FILE_RE = re.compile(r"#\s*(?:flake8|ruff)\s*[:=]\s*noqa\s*$", re.IGNORECASE)
_CODE_SPLIT_RE = re.compile(r"[,\s]+")


@dataclass
class Noqa:
    line: int
    col: int
    codes: list[str] | None  # None when the comment names no codes: it suppresses everything
    used: set[str] = field(default_factory=set)

    def suppresses(self, code: str) -> bool:
        if self.codes is None:
            return True
        hit = [c for c in self.codes if code.startswith(c)]
        self.used.update(hit)
        return bool(hit)


def skip_file(source: SourceFile) -> bool:
    text = source.text
    if "skip-file" not in text and "noqa" not in text.lower():
        return False
    return any(_SKIP_FILE_RE.match(c.text) or (not c.inline and _PEER_SKIP_FILE_RE.match(c.text)) for c in source.comments)


def noqa_comments(source: SourceFile) -> dict[int, Noqa]:
    """The noqa comment of each line that has one."""
    if "noqa" not in source.text.lower():
        return {}
    found: dict[int, Noqa] = {}
    for comment in source.comments:
        match = _NOQA_RE.search(comment.text)
        if not match:
            continue
        raw = match.group("codes")
        codes = [c.upper() for c in _CODE_SPLIT_RE.split(raw.strip()) if c] if raw else None
        found[comment.line] = Noqa(comment.line, comment.col + match.start(), codes)
    return found
