"""The "disable for this line" code action: the edit that adds `# noqa: CODE` to a line."""

from __future__ import annotations

import re

from ..finding import Edit
from ..source import SourceFile, physical_lines
from ..suppression import noqa_comments

#: findings a `# noqa` cannot silence: the file does not parse or decode (INF001, INF002), or the
#: finding is about a noqa comment itself (INF003)
NOT_SUPPRESSIBLE = frozenset({"INF001", "INF002", "INF003"})
# an existing `# noqa: A1,B2` whose code list can be extended
_NOQA_CODES_RE = re.compile(r"#\s*noqa:\s?[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*", re.IGNORECASE)


def noqa_edit(text: str, line: int, code: str) -> Edit | None:
    """An edit that makes `line` suppress `code`, or None when no comment can be added there
    (the line ends inside a string, a bare `# noqa` already suppresses everything, or `code` is
    one a noqa comment does not silence)."""
    if code in NOT_SUPPRESSIBLE:
        return None
    lines = physical_lines(text)
    if not 1 <= line <= len(lines):
        return None
    raw = lines[line - 1]
    body = raw.rstrip("\r\n")
    existing = noqa_comments(SourceFile("", text)).get(line)
    if existing is not None and existing.codes is None:
        return None
    match = _NOQA_CODES_RE.search(body) if existing is not None else None
    if match:
        edit = Edit(line, match.end(), line, match.end(), f",{code}")
    else:
        stripped = body.rstrip()
        edit = Edit(line, len(stripped), line, len(body), f"  # noqa: {code}")
    return edit if _suppresses(text, edit, line, code) else None


def _suppresses(text: str, edit: Edit, line: int, code: str) -> bool:
    """Whether the edited line really carries a noqa for `code` (not text inside a string)."""
    from ..fixes.edits import apply_edits

    edited = noqa_comments(SourceFile("", apply_edits(text, [edit]))).get(line)
    return edited is not None and edited.suppresses(code)
