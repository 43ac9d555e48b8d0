"""Parse only some top-level statements of a module with LibCST; keep the others as text.

A fix that edits a few statements of a large module need not pay LibCST's parse of all of it
(~15× an `ast` parse). A top-level statement starts at column 0, so a run of them cut where only
empty lines and column-0 comments separate two statements parses, alone, into the nodes a parse of
the whole module gives: LibCST hands those lines to the statement below them (to the module's header
for a module's first statement, which is why a run's header goes back onto its first statement) and
none to the block above them, whose footer only takes lines indented like its body. The runs not
parsed stand in the module as placeholder statements whose text is spliced back into the code.

Whatever is doubtful gets None, and the caller parses the whole module: statements sharing a line,
a backslash ending a run's last line, form feeds, `\\r`, a BOM, an encoding declaration, a file not
ending in a newline, tabs in indentation, a run that does not parse alone or parses into another
number of statements, runs that disagree on the module's indentation unit.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from .edits import line_offsets

_PLACEHOLDER = "__infralint_unparsed_run_"
_PLACEHOLDER_LINE = re.compile(_PLACEHOLDER + r"(\d+)\n")
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")  # PEP 263, on line 1 or 2
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_COMPOUND = tuple(
    getattr(ast, name)
    for name in ("FunctionDef", "AsyncFunctionDef", "ClassDef", "If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try", "TryStar", "Match")
    if hasattr(ast, name)
)


@dataclass(frozen=True)
class PartialModule:
    """`module` holds the parsed statements, in order, between placeholders for the runs not parsed."""

    module: cst.Module
    statements: list[ast.stmt]  # the top-level `ast` statements parsed
    _unparsed: list[str]  # the text of each placeholder, by its number

    def code_for(self, module: cst.Module) -> str | None:
        """The text of `module` (this one, rewritten) with the unparsed runs back in place; None if
        a placeholder went missing."""
        code, count = _PLACEHOLDER_LINE.subn(lambda match: self._unparsed[int(match.group(1))], module.code)
        return code if count == len(self._unparsed) else None


def parse_partially(text: str, tree: ast.Module, wanted: Iterable[int]) -> PartialModule | None:
    """A module of the top-level statements at the `wanted` indexes of `tree.body` (and those that
    cannot be cut from them), the others left unparsed; None when in doubt or when nothing would be
    left unparsed."""
    top = tree.body
    if not top or _doubtful(text):
        return None
    firsts = [_first_line(statement) for statement in top]
    if any(firsts[k] <= top[k - 1].end_lineno for k in range(1, len(top))):
        return None  # statements sharing a line (`a = 1; b = 2`) are one LibCST statement
    offsets = line_offsets(text)
    runs = _runs(text, offsets, top, firsts, wanted)
    if runs is None or runs == [(0, len(top) - 1)]:
        return None  # nothing would be left unparsed
    body: list[cst.BaseStatement] = []
    unparsed: list[str] = []
    header: list[cst.EmptyLine] = []
    footer: list[cst.EmptyLine] = []
    indents: set[str] = set()
    done = 0  # statements placed so far
    for lo, hi in runs:
        if lo > done:
            body.append(_placeholder(len(unparsed)))
            unparsed.append(text[_start(offsets, top, done) : _start(offsets, top, lo)])
        run_text = text[_start(offsets, top, lo) : _start(offsets, top, hi + 1)]
        try:
            run = cst.parse_module(run_text)
        except cst.ParserSyntaxError:
            return None
        if len(run.body) != hi - lo + 1:
            return None
        statements = list(run.body)
        if lo == 0:
            header = list(run.header)
        elif run.header:
            statements[0] = statements[0].with_changes(leading_lines=[*run.header, *statements[0].leading_lines])
        if hi == len(top) - 1:
            footer = list(run.footer)
        elif run.footer:
            return None
        if any(isinstance(statement, _COMPOUND) for statement in top[lo : hi + 1]):
            indents.add(run.default_indent)  # how its blocks without an indent of their own are written
        body.extend(statements)
        done = hi + 1
    if done < len(top):
        body.append(_placeholder(len(unparsed)))
        unparsed.append(text[_start(offsets, top, done) :])
    if len(indents) > 1:
        return None
    module = cst.Module(
        body=body,
        header=header,
        footer=footer,
        default_indent=indents.pop() if indents else "    ",
        default_newline="\n",
        has_trailing_newline=True,
    )
    parsed = [statement for lo, hi in runs for statement in top[lo : hi + 1]]
    return PartialModule(module, parsed, unparsed)


def _doubtful(text: str) -> bool:
    if not text.endswith("\n") or "\r" in text or "\f" in text or text.startswith("\ufeff") or _PLACEHOLDER in text:
        return True
    if any(_CODING.match(line) for line in text.split("\n", 2)[:2]):
        return True
    return _TAB_INDENT.search(text) is not None


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    return min(d.lineno for d in decorators) if decorators else statement.lineno


def _runs(text: str, offsets: list[int], top: list[ast.stmt], firsts: list[int], wanted: Iterable[int]) -> list[tuple[int, int]] | None:
    """The (first, last) indexes of the runs of statements to parse: each wanted statement with
    its neighbours up to a clean cut on either side, runs that touch merged."""
    cuts: dict[int, bool] = {}

    def clean(k: int) -> bool:  # may the module be cut between statements k - 1 and k?
        if k not in cuts:
            cuts[k] = _clean_cut(text, offsets, top[k - 1].end_lineno, firsts[k], top[k])
        return cuts[k]

    runs: list[tuple[int, int]] = []
    for k in sorted(set(wanted)):
        if not 0 <= k < len(top):
            return None
        lo, hi = k, k
        while lo > 0 and not clean(lo):
            lo -= 1
        while hi + 1 < len(top) and not clean(hi + 1):
            hi += 1
        if runs and lo <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(hi, runs[-1][1]))
        else:
            runs.append((lo, hi))
    return runs


def _clean_cut(text: str, offsets: list[int], previous_end: int, first: int, statement: ast.stmt) -> bool:
    """Only empty lines and column-0 comments between the two statements, the upper one not ending
    in a backslash, the lower one starting at column 0 (with its `@` when decorated)."""
    if _line(text, offsets, previous_end).rstrip().endswith("\\"):
        return False
    for number in range(previous_end + 1, first):
        line = _line(text, offsets, number)
        if line and not line.startswith("#"):
            return False
    opening = _line(text, offsets, first)[:1]
    if getattr(statement, "decorator_list", None):
        return opening == "@"
    return bool(opening) and not opening.isspace()


def _line(text: str, offsets: list[int], number: int) -> str:
    """Line `number` (1-based) without its newline."""
    return text[offsets[number - 1] : offsets[number]].rstrip("\n")


def _start(offsets: list[int], top: list[ast.stmt], index: int) -> int:
    """Where the text of statement `index` begins: after the line the statement above ends on (the
    lines between are its leading lines); the end of the text past the last statement."""
    if index == 0:
        return 0
    if index == len(top):
        return offsets[-1]
    return offsets[top[index - 1].end_lineno]


def _placeholder(number: int) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Expr(cst.Name(f"{_PLACEHOLDER}{number}"))])
