"""INF401's fix: the notes that explain why a requirement was commented out go when it is restored.

`# @require_docker_services()  # Temporarily disabled - integration regression` restored as
`@require_docker_services()  # Temporarily disabled - …` would keep a note that is no longer true,
and so would a `# Disabled while the staging cluster is rebuilt` line above it. A note counts as
explaining the disabling when it uses the words such notes are written with (disabled, temporarily,
flaky, TODO, until, …); other comments (`# noqa`, `# type:`, a description of the test) stay.
"""

from __future__ import annotations

import io
import re
import tokenize

from ...source import Comment

_DISABLING_WORDS = re.compile(
    r"\b(?:disabl\w*|re-?enabl\w*|temporar\w*|todo|fixme|xxx|hack\w*|flak\w*|broken|breaks"
    r"|until|for now|skip\w*|commented|uncomment\w*|turned off|switched off|workaround)\b",
    re.IGNORECASE,
)
_DIRECTIVE = re.compile(r"^#\s*(?:noqa\b|type:|pragma\b|pylint:|fmt:|isort:|nosec\b)", re.IGNORECASE)


def explains_disabling(comment: str) -> bool:
    """Whether a comment (with its `#`) reads as the reason code was commented out."""
    return not _DIRECTIVE.match(comment) and bool(_DISABLING_WORDS.search(comment))


def note_lines_above(comments_by_line: dict[int, Comment], first_line: int, col: int, taken: set[int]) -> list[int]:
    """The full-line comments directly above a commented requirement, at its indentation, that
    explain its disabling (nearest first; `taken` are lines that are commented code themselves)."""
    lines = []
    line = first_line - 1
    while (above := comments_by_line.get(line)) is not None and not above.inline and above.col == col:
        if line in taken or not explains_disabling(above.text):
            break
        lines.append(line)
        line -= 1
    return lines


def drop_disabling_notes(text: str, restored: list[tuple[int, int]], note_lines: list[int]) -> str:
    """`text` (already restored) without the trailing disabling notes on the restored lines and
    without the note lines above them. Restoring changes no line numbers, so both still apply."""
    restored_lines = {line for first, last in restored for line in range(first, last + 1)}
    lines = text.splitlines(keepends=True)
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        row, col = tok.start
        if tok.type == tokenize.COMMENT and row in restored_lines and explains_disabling(tok.string):
            line = lines[row - 1]
            ending = line[len(line.rstrip("\r\n")):]
            lines[row - 1] = line[:col].rstrip() + ending
    for line in sorted(set(note_lines), reverse=True):
        del lines[line - 1]
    return "".join(lines)
