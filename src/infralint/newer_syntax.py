"""Syntax of a Python newer than the one running infralint.

`ast` parses only the running interpreter's grammar. When a file does not parse, LibCST's native
parser — which knows the newest grammar — tells a file written for a newer Python (PEP 695
generics, PEP 701 f-strings, PEP 750 template strings…) from one that no Python accepts, so a
file valid for the project's target version is never called a syntax error. Detection itself
stays on `ast`: such a file is not analysed on this interpreter, and the run says so in one line.
Only files `ast` rejects come here, so the LibCST parse costs nothing on well-formed trees.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst
from libcst import PartialParserConfig

#: what no construct newer than the running Python was recognised in
UNRECOGNISED = (0, 0)


@dataclass(frozen=True)
class NewerSyntax:
    """A file LibCST parses: the Python its newest recognised construct needs, and that construct's
    name (`UNRECOGNISED` and "" when LibCST accepts the file but no newer construct was seen)."""

    needs: tuple[int, int]
    feature: str


def newer_syntax(text: str) -> NewerSyntax | None:
    """What newer grammar the file uses, or None when LibCST cannot parse it either (a syntax
    error in every Python)."""
    try:
        module = libcst.parse_module(text, PartialParserConfig(python_version=_newest_known()))
    except Exception:  # ParserSyntaxError, or the native parser's own limits
        return None
    finder = _NewestConstruct(module)
    module.visit(finder)
    return NewerSyntax(finder.needs, finder.feature)


def _newest_known() -> str:
    from libcst._parser.types.config import KNOWN_PYTHON_VERSION_STRINGS

    return max(KNOWN_PYTHON_VERSION_STRINGS, key=lambda v: tuple(map(int, v.split("."))))


class _NewestConstruct(libcst.CSTVisitor):
    """Keeps the newest-Python construct seen (the first of that version, for the message)."""

    def __init__(self, module) -> None:
        super().__init__()
        self.module = module
        self.needs = UNRECOGNISED
        self.feature = ""

    def _saw(self, needs: tuple[int, int], feature: str) -> None:
        if needs > self.needs:
            self.needs, self.feature = needs, feature

    def visit_TypeAlias(self, node) -> None:
        self._saw((3, 12), "a `type` statement, PEP 695")

    def visit_TypeParameters(self, node) -> None:
        self._saw((3, 12), "type parameters, PEP 695")

    def visit_TypeParam(self, node) -> None:
        if node.default is not None:
            self._saw((3, 13), "a type parameter default, PEP 696")

    def visit_TemplatedString(self, node) -> None:
        self._saw((3, 14), "a template string, PEP 750")

    def visit_ExceptHandler(self, node) -> None:
        if isinstance(node.type, libcst.Tuple) and not node.type.lpar:
            self._saw((3, 14), "`except` with several types and no parentheses, PEP 758")

    def visit_ExceptStarHandler(self, node) -> None:
        self.visit_ExceptHandler(node)

    def visit_FormattedString(self, node) -> None:
        quote = node.start[-1]
        single_line = not node.start.endswith(quote * 3)
        for part in node.parts:
            expression = getattr(part, "expression", None)
            if expression is None:
                continue
            code = self.module.code_for_node(expression)
            if quote in code or "\\" in code or (single_line and ("\n" in code or "#" in code)):
                self._saw((3, 12), "an f-string with its own quotes, a backslash or a comment inside, PEP 701")
                return
