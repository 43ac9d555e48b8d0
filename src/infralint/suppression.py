"""`# noqa` comments (flake8-compatible), `# infralint: ignore[CODES]`, the file-level
`# infralint: skip-file`, and the comments of peer tools that already silence the same failure on
a line (`# noqa: F821`, `# pylint: disable=undefined-variable`, `# pyright:
ignore[reportPossiblyUnbound]`, `# type: ignore[name-defined]`) — in Python files, and (`#` and
`//` comments) in YAML, nginx and Terraform files.

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
# a peer tool's directive on a line: (tool, the codes it names); pylint's `disable-next` is for the next line
_PEER_RES = (
    re.compile(r"#\s*pylint\s*:\s*disable(?P<next>-next)?\s*=\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*)"),
    re.compile(r"#\s*pyright\s*:\s*ignore\[(?P<codes>[^\]]*)\]"),
    re.compile(r"#\s*type\s*:\s*ignore\[(?P<codes>[^\]]*)\]"),
)
# files without one of these directives have no suppression (a plain "pyright" would match every "Copyright")
_DIRECTIVE_RE = re.compile(r"#\s*(?:noqa|pylint\s*:|pyright\s*:|type\s*:\s*ignore\[|infralint\s*:\s*ignore)", re.IGNORECASE)
# the INF codes a peer's code silences: a line annotated for pyflakes, pylint, pyright or mypy about the
# same failure is not reported again (documented in the README)
PEER_CODES: dict[str, tuple[str, ...]] = {
    # pyflakes / flake8 / ruff, through `# noqa: …`
    "F821": ("INF101",),  # undefined name
    "F823": ("INF103",),  # local variable referenced before assignment
    # pylint, by name or message id
    "undefined-variable": ("INF101",),
    "E0602": ("INF101",),
    "used-before-assignment": ("INF102", "INF103"),
    "E0601": ("INF102", "INF103"),
    "possibly-used-before-assignment": ("INF102",),
    "E0606": ("INF102",),
    "undefined-loop-variable": ("INF102",),
    "W0631": ("INF102",),
    # pyright
    "reportUndefinedVariable": ("INF101",),
    "reportPossiblyUnbound": ("INF102",),
    "reportUnboundVariable": ("INF103",),
    # mypy
    "name-defined": ("INF101",),
    "possibly-undefined": ("INF102",),
    "used-before-def": ("INF101", "INF103"),
}


@dataclass
class Noqa:
    line: int
    col: int
    codes: list[str] | None  # None when the comment names no codes: it suppresses everything
    used: set[str] = field(default_factory=set)
    peer: set[str] = field(default_factory=set)  # INF codes silenced by a peer tool's code on the line

    def suppresses(self, code: str) -> bool:
        if self.codes is None:
            return True
        hit = [c for c in self.codes if code.startswith(c)]
        self.used.update(hit)
        return bool(hit) or code in self.peer


def skip_file(source: SourceFile) -> bool:
    text = source.text
    if "skip-file" not in text and "noqa" not in source.lowered:
        return False
    return any(_SKIP_FILE_RE.match(c.text) or (not c.inline and _PEER_SKIP_FILE_RE.match(c.text)) for c in source.comments)


def noqa_comments(source: SourceFile) -> dict[int, Noqa]:
    """The noqa comment of each line that has one (peer tools' directives included)."""
    if not _DIRECTIVE_RE.search(source.text):
        return {}
    found: dict[int, Noqa] = {}
    for comment in source.comments:
        noqa = _parse_suppression(comment.text, comment.line, comment.col)
        if noqa is not None:
            earlier = found.get(comment.line)  # a peer's `disable-next` on the line above
            if earlier is not None:
                noqa.peer.update(earlier.peer)
            noqa.peer.update(_silenced(noqa.codes or ()))
            found[comment.line] = noqa
        for pattern in _PEER_RES:
            for peer in pattern.finditer(comment.text):
                line = comment.line + 1 if peer.groupdict().get("next") else comment.line
                silenced = _silenced(_CODE_SPLIT_RE.split(peer.group("codes").strip()))
                if silenced:
                    found.setdefault(line, Noqa(line, comment.col + peer.start(), [])).peer.update(silenced)
    return found


def _silenced(codes) -> set[str]:
    silenced: set[str] = set()
    for code in codes:
        silenced.update(PEER_CODES.get(code, ()) or PEER_CODES.get(code.upper(), ()))
    return silenced


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
