"""Apply text edits and derive edits from a rewritten text (files are written by `fixes.files`)."""

from __future__ import annotations

from ..finding import Edit, Finding
from ..source import physical_lines


class FixNotApplicable(ValueError):
    """The rewrite cannot be done on this text (the node is gone, the shape is unexpected):
    the finding simply has no fix, which is not an error worth reporting."""


class EditConflict(ValueError):
    """Two edits overlap."""


def line_offsets(text: str) -> list[int]:
    """Offset of the first character of each line (index 0 is line 1); one extra entry for EOF."""
    offsets = [0]
    for line in physical_lines(text):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _offset(offsets: list[int], line: int, col: int) -> int:
    index = min(max(line - 1, 0), len(offsets) - 1)
    return offsets[index] + col


def overlaps(a: Edit, b: Edit) -> bool:
    """Edits conflict if their ranges intersect, or both insert at the same point."""
    a_start, a_end = (a.start_line, a.start_col), (a.end_line, a.end_col)
    b_start, b_end = (b.start_line, b.start_col), (b.end_line, b.end_col)
    if a_start == b_start:
        return True
    return a_start < b_end and b_start < a_end


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (positions refer to `text`)."""
    ordered = sorted(edits)
    for first, second in zip(ordered, ordered[1:]):
        if overlaps(first, second):
            raise EditConflict(f"edits overlap at line {second.start_line}")
    offsets = line_offsets(text)
    out = []
    cursor = 0
    for edit in ordered:
        start = _offset(offsets, edit.start_line, edit.start_col)
        end = _offset(offsets, edit.end_line, edit.end_col)
        out.append(text[cursor:start])
        out.append(edit.content)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def edits_between(old: str, new: str) -> list[Edit]:
    """Minimal whole-line edits that turn `old` into `new` (for fixes computed as a new text)."""
    old_lines = physical_lines(old)
    new_lines = physical_lines(new)
    edits = []
    import difflib  # fixes and diffs only: plain linting never needs it

    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(Edit(i1 + 1, 0, i2 + 1, 0, "".join(new_lines[j1:j2])))
    return edits


def unified_diff(path: str, old: str, new: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
        )
    )


def fixed_alongside(applied: list[Finding], candidates: list[Finding]) -> list[Finding]:
    """The candidates not in `applied` whose every edit is one `applied` made: two uses of an
    unimported module share the one import that fixes both, and both count as fixed."""
    made = {edit for finding in applied for edit in finding.fix.edits}
    chosen = {id(finding) for finding in applied}
    return [
        f for f in candidates
        if id(f) not in chosen and f.fix is not None and f.fix.resolved and f.fix.edits and made.issuperset(f.fix.edits)
    ]
