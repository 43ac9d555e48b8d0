"""Commented-out code: comment lines that, with the `#` removed, parse as a decorator, call or import.

`ast` drops comments, so disabled code is invisible to every other analysis. This one reads the
comments (`SourceFile.comments`, from tokenize), groups consecutive full-line comments that start
at the same column into blocks, and inside each block finds the shortest run of lines that parses
as one of the shapes below — so a decorator whose arguments span several commented lines is one
candidate, and a line of prose (`# needs docker (see README)`) is none.

Only lines that look like code are ever handed to the parser, which keeps this cheap.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass

from ...source import SourceFile

MAX_CANDIDATE_LINES = 12  # a commented decorator with its arguments rarely spans more

_DECORATOR_START = re.compile(r"@\s*[A-Za-z_]")
_CALL_START = re.compile(r"(?:await\s+)?[A-Za-z_][\w.]*\s*\(")
_IMPORT_START = re.compile(r"(?:from\s+[\w.]+\s+import\b|import\s+[A-Za-z_])")
_ASSIGN_START = re.compile(r"[A-Za-z_]\w*\s*=[^=]")
# syntax that Python does not have: `x <- c(1)`, `pkg::fn`, `a = b;`, a lone brace, `$VAR`
_FOREIGN_CODE = re.compile(r"\s<-\s|\w::\w|;\s*$|^\s*[{}]\s*$|\$\w|^\s*(?:library|source)\(")
_IMPORT_ITEM = re.compile(r"(?P<name>[A-Za-z_]\w*)(?:\s+as\s+(?P<asname>[A-Za-z_]\w*))?\s*,?\s*(?:#.*)?$")


@dataclass(frozen=True)
class CommentedCode:
    """One run of comment lines that is disabled code.

    `kind` is `decorator`, `call` (an expression statement that is a call), `import`, `import-item`
    (a name commented out inside a parenthesised `from … import (…)`), or `assign`.
    `node` is the parsed statement or decorator expression (positions refer to the snippet, not
    the file); `reasons` are the comments written after the code on the same lines.
    """

    kind: str
    first_line: int
    last_line: int
    col: int
    code: str
    node: ast.AST | None
    reasons: tuple[str, ...]
    #: for `import-item`: the imported name, its alias, and the module of the enclosing import
    item: tuple[str, str | None, str] | None = None


def _uncommented(text: str) -> str:
    """A comment's text without its `#` and the single space conventionally written after it."""
    body = text[1:]
    return body[1:] if body.startswith(" ") else body


def _snippet_comments(code: str) -> tuple[str, ...]:
    """The comments inside an uncommented snippet (the reasons written after the disabled code)."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                reason = tok.string.lstrip("#").strip()
                if reason:
                    found.append(reason)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return tuple(found)


def _parse_shape(code: str, start: str) -> tuple[str, ast.AST] | None:
    """(kind, node) if `code` parses as exactly one decorator/call/import/assignment, else None."""
    try:
        if start == "decorator":
            tree = ast.parse(code + "\ndef _commented_target():\n    pass\n")
            func = tree.body[0] if len(tree.body) == 1 else None
            if isinstance(func, ast.FunctionDef) and len(func.decorator_list) == 1:
                return "decorator", func.decorator_list[0]
            return None
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    if len(tree.body) != 1:
        return None
    stmt = tree.body[0]
    if start == "import" and isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return "import", stmt
    if start == "call" and isinstance(stmt, ast.Expr):
        value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
        if isinstance(value, ast.Call):
            return "call", value
    if start == "assign" and isinstance(stmt, ast.Assign):
        return "assign", stmt
    return None


def _start_kind(body: str) -> str | None:
    stripped = body.strip()
    if _DECORATOR_START.match(stripped):
        return "decorator"
    if _IMPORT_START.match(stripped):
        return "import"
    if _CALL_START.match(stripped):
        return "call"
    if _ASSIGN_START.match(stripped):
        return "assign"
    return None


def _module_level_statements(body: list[ast.stmt]):
    """Statements at module level, also those under a module-level `if`/`try` (guarded imports)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try)):
            yield from _module_level_statements(stmt.body + stmt.orelse + getattr(stmt, "finalbody", []))
            for handler in getattr(stmt, "handlers", []):
                yield from _module_level_statements(handler.body)


class CommentedCodeMap:
    """Every commented-out decorator, call, import and assignment in a file, in line order."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.candidates: list[CommentedCode] = []
        if "#" not in source.text:
            return
        for block in self._blocks():
            self._scan_block(block)
        self._scan_import_lists()

    def _blocks(self) -> list[list]:
        """Consecutive full-line comments at the same column."""
        blocks: list[list] = []
        for comment in self.source.comments:
            if comment.inline:
                continue
            if blocks and blocks[-1][-1].line == comment.line - 1 and blocks[-1][-1].col == comment.col:
                blocks[-1].append(comment)
            else:
                blocks.append([comment])
        return blocks

    def _scan_block(self, block: list) -> None:
        bodies = [_uncommented(c.text) for c in block]
        if any(_FOREIGN_CODE.search(body) for body in bodies):
            return  # R, shell or C in a comment: `require(...)` there is not a Python call
        index = 0
        while index < len(block):
            start = _start_kind(bodies[index])
            if start is None:
                index += 1
                continue
            found = None
            for end in range(index, min(len(block), index + MAX_CANDIDATE_LINES)):
                if end > index and _start_kind(bodies[end]) == "decorator" and start == "decorator":
                    break  # the next decorator starts: this one never closed
                code = textwrap.dedent("\n".join(bodies[index : end + 1]))
                shape = _parse_shape(code, start)
                if shape is not None:
                    found = (end, code, shape)
                    break
            if found is None:
                index += 1
                continue
            end, code, (kind, node) = found
            self.candidates.append(
                CommentedCode(kind, block[index].line, block[end].line, block[index].col, code, node, _snippet_comments(code))
            )
            index = end + 1

    def _scan_import_lists(self) -> None:
        """Names commented out inside a parenthesised `from module import (…)`."""
        by_line = self.source.comments_by_line
        for node in _module_level_statements(self.source.tree.body):
            if not (isinstance(node, ast.ImportFrom) and node.end_lineno and node.end_lineno > node.lineno):
                continue
            module = "." * node.level + (node.module or "")
            for line in range(node.lineno + 1, node.end_lineno):
                comment = by_line.get(line)
                if comment is None or comment.inline:
                    continue
                match = _IMPORT_ITEM.match(_uncommented(comment.text).strip())
                if match:
                    code = _uncommented(comment.text).strip()
                    self.candidates.append(
                        CommentedCode(
                            "import-item", line, line, comment.col, code, None, _snippet_comments(code),
                            item=(match.group("name"), match.group("asname"), module),
                        )
                    )
        self.candidates.sort(key=lambda c: c.first_line)

    def prose_above(self, candidate: CommentedCode) -> str | None:
        """The comment line directly above a candidate when it is prose (often the reason it was disabled)."""
        above = self.source.comments_by_line.get(candidate.first_line - 1)
        if above is None or above.inline or above.col != candidate.col:
            return None
        if any(c.first_line <= above.line <= c.last_line for c in self.candidates):
            return None
        text = above.text.lstrip("#").strip()
        return text or None
