"""One file under analysis: its text, lines, syntax tree, comments and path facts.

Everything expensive (tokens, comments, parent links) is computed on first use and kept, so a
rule that never asks for comments costs nothing for them.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
import warnings
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cached_property
from pathlib import PurePath
from typing import Iterator

#: Python files longer than this are not parsed: the largest hand-written modules are a tenth of it,
#: and an `ast` tree takes up to 250 bytes of memory per character of dense source
MAX_PYTHON_CHARS = 5_000_000
_TEST_DIR_NAMES = {"tests", "test", "testing"}
_GLOB_MAGIC = re.compile(r"[*?[]")  # what makes a pattern more than a literal name for `fnmatch`
_LINE_END_RE = re.compile(r"(\r\n|\r|\n)")
_QUOTE_OR_HASH_RE = re.compile(r"""['"#]""")
_STRING_RE = re.compile(
    "|".join(
        [
            r"'{3}(?:\\[\s\S]|[^\\])*?'{3}",  # '''...'''
            r'"{3}(?:\\[\s\S]|[^\\])*?"{3}',  # """..."""
            r"'(?:\\[\s\S]|[^'\\\n])*'",
            r'"(?:\\[\s\S]|[^"\\\n])*"',
        ]
    )
)
_COMMENT_RE = re.compile(r"#[^\r\n]*")
_NEWLINE_RE = re.compile(r"\n")
_LONE_CR_RE = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class Comment:
    """A `#` comment: its 1-based line, 0-based column, text (with the `#`), and whether code precedes it."""

    line: int
    col: int
    text: str
    inline: bool


class SourceFile:
    """A decoded Python source file. `tree` raises SyntaxError if the text does not parse."""

    def __init__(self, path: str, text: str, location: str | None = None) -> None:
        self.path = path
        if "\r" in text:
            # the parser ends a line at a lone `\r` too: one form (same length, same columns) lets
            # every rule count lines as the parser does
            text = _LONE_CR_RE.sub("\n", text)
        self.text = text
        #: where the file is on disk, for finding the modules it imports: the display `path` unless
        #: that is relative to something else than the working folder (the language server's root)
        self.location = location or path
        #: the node types the engine's traversal listed, and those nodes in `ast.walk` order
        self._walked: tuple[frozenset, list[ast.AST]] | None = None
        self._matched: dict[tuple, bool] = {}
        #: the Python the project targets (its configuration's `requires-python`, ruff's
        #: `target-version`…), when known: from 3.14 annotations are evaluated lazily (PEP 649)
        self.target_python: tuple[int, int] | None = None

    def remember_walk(self, types, nodes: list[ast.AST]) -> None:
        """The engine's one traversal, kept so analyses of the same node types need no other."""
        self._walked = (frozenset(types), nodes)

    def nodes_of(self, types: frozenset) -> list[ast.AST]:
        """The nodes of these exact types in `ast.walk` order: from the engine's traversal when it
        listed them, else from a walk of their own."""
        walked = self._walked
        if walked is not None and types <= walked[0]:
            return [node for node in walked[1] if type(node) in types]
        return list(walk_types(self.tree, types))

    @cached_property
    def lowered(self) -> str:
        """The text in lower case, for the case-insensitive word tests several rules make."""
        return self.text.lower()

    @cached_property
    def lines(self) -> list[str]:
        """The lines without their line endings (index 0 is line 1, as the parser numbers them).

        Not `str.splitlines()`: that also breaks at form feeds and other separators the parser
        treats as ordinary characters, which would shift every later line number.
        """
        return [line.rstrip("\r\n") for line in physical_lines(self.text)]

    @cached_property
    def line_count(self) -> int:
        """How many lines `lines` has, without splitting the text (every lone `\r` is a `\n` by
        now, and a `\r\n` holds one)."""
        text = self.text
        return text.count("\n") + (1 if text and not text.endswith("\n") else 0)

    @cached_property
    def tree(self) -> ast.Module:
        # the parser's own warnings (invalid escape sequences…) are about the linted code, and
        # would otherwise be printed once per file by Python 3.12+
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(self.text, filename=self.path, type_comments=False)

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        """Child → parent links for the whole tree (computed once, on demand)."""
        links: dict[ast.AST, ast.AST] = {}
        todo = [self.tree]
        while todo:
            parent = todo.pop()
            children = child_nodes(parent)
            links.update(dict.fromkeys(children, parent))
            todo.extend(children)
        return links

    @cached_property
    def statement_parents(self) -> dict[ast.AST, ast.AST]:
        """Statement → the statement (or handler, or `match` case) that holds it: the enclosing
        class of a method without the cost of linking every expression (`parents`)."""
        links: dict[ast.AST, ast.AST] = {}
        todo = [self.tree]
        while todo:
            parent = todo.pop()
            for name in _STATEMENT_FIELDS.get(type(parent), ()):
                children = getattr(parent, name)
                links.update(dict.fromkeys(children, parent))
                todo.extend(children)
        return links

    def ancestors(self, node: ast.AST):
        """The chain of enclosing nodes, innermost first."""
        parents = self.parents
        while node in parents:
            node = parents[node]
            yield node

    @cached_property
    def comments(self) -> list[Comment]:
        """Every comment in the file, in order, with the positions `tokenize` gives them.

        Found by a scan that skips string literals whole (so a `#` inside a string is no comment)
        rather than by `tokenize`, which on Python 3.11 is pure Python and costs more than parsing.
        """
        found: list[Comment] = []
        text = self.text
        if "#" not in text:
            return found
        line_starts: list[int] | None = None
        position = 0
        while True:
            hit = _QUOTE_OR_HASH_RE.search(text, position)
            if hit is None:
                break
            start = hit.start()
            if text[start] != "#":
                literal = _STRING_RE.match(text, start)
                position = literal.end() if literal else start + 1
                continue
            end = _COMMENT_RE.match(text, start).end()
            if line_starts is None:  # lines as `tokenize` counts them (ended by `\n`)
                line_starts = [0, *(m.end() for m in _NEWLINE_RE.finditer(text))]
            line = bisect_right(line_starts, start)
            line_start = line_starts[line - 1]
            found.append(Comment(line, start - line_start, text[start:end], bool(text[line_start:start].strip())))
            position = end
        return found

    @cached_property
    def comments_by_line(self) -> dict[int, Comment]:
        return {c.line: c for c in self.comments}

    @cached_property
    def _physical_lines(self) -> list[str]:
        """Lines with their endings, split where the parser splits (not at form feeds)."""
        return physical_lines(self.text)

    def segment(self, node: ast.AST) -> str | None:
        """The source text of a node, like `ast.get_source_segment` but without re-splitting the file.

        `ast.get_source_segment` splits the whole text on every call, which turns a rule that asks
        for many segments into quadratic time on large files.
        """
        try:
            first, last = node.lineno - 1, node.end_lineno - 1
            start, end = node.col_offset, node.end_col_offset
        except AttributeError:
            return None
        if last is None or end is None:
            return None
        lines = self._physical_lines
        if not 0 <= first <= last < len(lines):
            return None
        if first == last:
            return lines[first].encode()[start:end].decode()
        head = lines[first].encode()[start:].decode()
        tail = lines[last].encode()[:end].decode()
        return "".join([head, *lines[first + 1 : last], tail])

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    # -- path facts -------------------------------------------------------------------------

    @cached_property
    def pure_path(self) -> PurePath:
        return PurePath(self.path.replace("\\", "/"))

    @cached_property
    def is_test(self) -> bool:
        """A pytest/unittest file: test_*.py, *_test.py, conftest.py, or anything under a tests folder."""
        name = self.pure_path.name
        if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
            return True
        return any(part in _TEST_DIR_NAMES for part in self.pure_path.parts[:-1])

    def is_production(self, non_production_paths) -> bool:
        """Code a deployed service runs: not a test file, and under none of the non-production
        paths (glob patterns such as `docs`, `benchmarks`; the `paths.non-production` option)."""
        return not self.is_test and not self.matches_any(non_production_paths)

    @cached_property
    def is_conftest(self) -> bool:
        return self.pure_path.name == "conftest.py"

    @cached_property
    def is_package_init(self) -> bool:
        return self.pure_path.name in ("__init__.py", "__init__.pyi")

    @cached_property
    def is_stub(self) -> bool:
        return self.pure_path.suffix == ".pyi"

    def matches_any(self, patterns) -> bool:
        """Whether the path matches one of the glob patterns (`**` crosses folders); remembered per
        pattern list, which several rules ask about every file."""
        key = tuple(patterns)
        known = self._matched.get(key)
        if known is None:
            posix = self.pure_path.as_posix()
            known = self._matched[key] = any(path_matches(posix, pattern) for pattern in patterns)
        return known


def path_matches(posix_path: str, pattern: str) -> bool:
    """Glob match where `**/` may also match nothing and a bare name matches any component."""
    pattern = pattern.replace("\\", "/")
    name = pattern.strip("/")
    if "/" not in name and not _GLOB_MAGIC.search(name):
        # a plain name (`docs`): equal to a component, compared as `fnmatch` compares (without a
        # wildcard, the whole path can match it only by being that one component)
        wanted = os.path.normcase(name)
        return any(os.path.normcase(part) == wanted for part in posix_path.split("/")) or fnmatch(posix_path, pattern)
    candidates = {posix_path, "/" + posix_path.lstrip("/")}
    if fnmatch(posix_path, pattern):
        return True
    if pattern.startswith("**/") and any(fnmatch(c, pattern[3:]) for c in candidates):
        return True
    if "/" not in pattern.strip("*/"):
        # a bare name like `build` or `*.pyi` matches any path component
        return any(fnmatch(part, pattern.strip("/")) for part in posix_path.split("/"))
    # `**` in the middle may match zero folders
    reduced = re.sub(r"/\*\*/", "/", pattern)
    return reduced != pattern and fnmatch(posix_path, reduced)


def walk_types(tree: ast.AST, wanted) -> Iterator[ast.AST]:
    """The nodes of `tree` whose type is in `wanted`, in `ast.walk` order (breadth first).

    The same traversal as `ast.walk`, inlined: the generator stack of `ast.iter_child_nodes` is
    the largest single cost of linting a file once the tree is parsed. `wanted` is any container
    of node classes (exact types, as the engine dispatches on them). Fields that only ever hold
    names, numbers or flags are never looked at, nor the shared `ctx` of every name, attribute and
    subscript (a third of all nodes) and the operators, unless a rule asks for such nodes.
    """
    with_singletons = any(issubclass(t, _SINGLETON_KINDS) for t in wanted)
    fields_of = _FIELDS_WITH_SINGLETONS if with_singletons else _FIELDS_WITHOUT_SINGLETONS
    # nodes without a child the walk looks at (a name's context is one when singletons are wanted)
    leaves = (_LEAF_KINDS if not with_singletons else _CONSTANT).difference(wanted)
    todo = deque([tree])
    take, add, extend = todo.popleft, todo.append, todo.extend
    while todo:
        node = take()
        kind = type(node)
        if kind in wanted:
            yield node
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = _node_fields(kind, with_singletons)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                extend(value)  # a None in it (`**rest` in a dict display) is walked as a node without fields
            elif value is not None and type(value) not in leaves:
                add(value)


def walk_statements(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every statement of `tree`, nested ones included (in functions, classes, branches,
    handlers, `match` cases), in `ast.walk` order, without looking into any expression: a
    fraction of a full walk for what only statements can be (imports, definitions)."""
    todo = deque([tree])
    take, extend = todo.popleft, todo.extend
    while todo:
        node = take()
        if isinstance(node, ast.stmt):
            yield node
        for name in _STATEMENT_FIELDS.get(type(node), ()):
            extend(getattr(node, name))


#: the fields that hold statements (or the handlers and cases that do), in field order
_STATEMENT_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(name for name in kind._fields if name in ("body", "orelse", "finalbody", "handlers", "cases"))
    for kind in (
        ast.Module, ast.Interactive, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.AsyncFor,
        ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try, getattr(ast, "TryStar", ast.Try), ast.ExceptHandler,
        ast.Match, ast.match_case,
    )
}


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The direct children of a node, as `ast.iter_child_nodes` gives them, without the shared
    context and operator instances (no one node is their parent)."""
    kind = type(node)
    fields = _FIELDS_WITHOUT_SINGLETONS.get(kind)
    if fields is None:
        fields = _FIELDS_WITHOUT_SINGLETONS[kind] = _node_fields(kind, False)
    children = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


# fields that hold identifiers, numbers, flags or constants in every node type that has them
# (`name` is an identifier everywhere except in a 3.12 `type` alias, where it is a Name node).
# What is left holds nodes or None; anything else a later Python adds is walked harmlessly, as a
# value without fields.
_PLAIN_FIELDS = frozenset(
    {"id", "attr", "arg", "module", "level", "kind", "type_comment", "is_async", "conversion", "simple", "asname", "tag", "kwd_attrs", "rest"}
)
_PLAIN_FIELDS_OF = {ast.Constant: {"value"}, ast.Global: {"names"}, ast.Nonlocal: {"names"}, ast.MatchSingleton: {"value"}}


def _node_fields(kind: type, with_singletons: bool) -> tuple[str, ...]:
    plain = _PLAIN_FIELDS_OF.get(kind, ())
    return tuple(
        f
        for f in getattr(kind, "_fields", ())
        if f not in _PLAIN_FIELDS
        and f not in plain
        and (with_singletons or f not in _SINGLETON_FIELDS)
        and (f != "name" or kind.__name__ == "TypeAlias")
    )


# node kinds CPython shares one instance of across the whole tree (`Load()`, `Add()`…), and the
# fields that hold them: visited only when one of those kinds is wanted
_SINGLETON_KINDS = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)
# names and constants, a third of all nodes: not queued unless wanted
_LEAF_KINDS = frozenset({ast.Name, ast.Constant})
_CONSTANT = frozenset({ast.Constant})
_SINGLETON_FIELDS = frozenset({"ctx", "op", "ops"})
_FIELDS_WITH_SINGLETONS: dict[type, tuple[str, ...]] = {}
_FIELDS_WITHOUT_SINGLETONS: dict[type, tuple[str, ...]] = {}


def physical_lines(text: str) -> list[str]:
    """Split at `\\r\\n`, `\\r` and `\\n` only, keeping the endings (the parser's notion of a line)."""
    parts = _LINE_END_RE.split(text)
    lines = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def decode_source(data: bytes) -> str:
    """Decode bytes as Python reads them (PEP 263 cookie, BOM, lone `\\r` line ends read as
    `\\n`); raises UnicodeDecodeError or SyntaxError."""
    return DecodedSource.from_bytes(data).text


@dataclass(frozen=True)
class DecodedSource:
    """A file's text as Python reads it, plus what is needed to write a changed text back in the
    file's own form: its encoding, its BOM, and lone-`\\r` line ends."""

    text: str
    encoding: str = "utf-8"
    bom: bool = False
    lone_cr: bool = False  # every line ended by a bare `\r` (classic Mac): linted as `\n`

    @classmethod
    def from_bytes(cls, data: bytes) -> "DecodedSource":
        utf16 = _utf16_or_32(data)
        if utf16:
            raise UnicodeDecodeError(
                utf16, data, 0, min(len(data), 2),
                f"the file is {utf16.upper()} text; Python source must be UTF-8 or use an ASCII-compatible encoding declared in a coding comment",
            )
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data, data.index(b"\x00"), data.index(b"\x00") + 1, "binary file (NUL byte)")
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            data.decode("utf-8")  # raises the precise UnicodeDecodeError when that is the cause
            raise
        text = data.decode(encoding)
        bom = data.startswith(b"\xef\xbb\xbf")
        if text.startswith("\ufeff"):
            text = text[1:]
        lone_cr = "\r" in text and "\n" not in text
        if lone_cr:
            # Python's tokenizer reads a bare `\r` as a line end; so do the rules (one form, `\n`)
            text = text.replace("\r", "\n")
        return cls(text, "utf-8" if encoding == "utf-8-sig" else encoding, bom, lone_cr)

    def encode(self, text: str) -> bytes:
        """A (changed) text in the file's own encoding, BOM and line ends."""
        if self.lone_cr:
            text = text.replace("\r\n", "\n").replace("\n", "\r")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode(self.encoding)


def _utf16_or_32(data: bytes) -> str | None:
    """"utf-16"/"utf-32" when the bytes are evidently such text (a BOM, or ASCII interleaved with NULs)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:200]
    if len(head) >= 8 and b"\x00" in head:
        if head[1::2].count(0) >= len(head) // 2 * 0.9 or head[0::2].count(0) >= len(head) // 2 * 0.9:
            return "utf-16"
    return None
