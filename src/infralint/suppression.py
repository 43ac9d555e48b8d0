"""`# noqa` comments (flake8-compatible), `# infralint: ignore[CODES]`, and the file-level
`# infralint: skip-file` — in Python files and in configuration files that use `#` comments
(YAML, nginx, Terraform, which also has `//`).

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
_IGNORE_RE = re.compile(r"#\s*infralint\s*:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
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
        noqa = _parse_suppression(comment.text, comment.line, comment.col)
        if noqa is not None:
            found[comment.line] = noqa
    return found


def _parse_suppression(comment: str, line: int, col: int) -> Noqa | None:
    match = _NOQA_RE.search(comment) or _IGNORE_RE.search(comment)
    if not match:
        return None
    raw = match.group("codes")
    codes = [c.upper() for c in _CODE_SPLIT_RE.split(raw.strip()) if c] if raw and raw.strip() else None
    return Noqa(line, col + match.start(), codes)


def config_noqa_comments(text: str) -> dict[int, Noqa]:
    """The suppression comment of each line of a configuration file (`#`, or `//` in Terraform).

    A `#` inside a quoted string is not a comment (`proxy_set_header X "a#b"`, `path: "/a#b"`).
    """
    lowered = text.lower()
    if "noqa" not in lowered and "infralint" not in lowered:
        return {}
    found: dict[int, Noqa] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        start = _comment_start(line)
        if start is None:
            continue
        comment = line[start:]
        if comment.startswith("//"):
            comment = "#" + comment[2:]
        noqa = _parse_suppression(comment, number, start)
        if noqa is not None:
            found[number] = noqa
    return found


def _comment_start(line: str) -> int | None:
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" or line.startswith("//", index):
            return index
        index += 1
    return None
