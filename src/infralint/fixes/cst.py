"""Format-preserving rewrites with LibCST, as text → text functions.

Rules call these from `resolve_fix` only (LibCST costs ~15× an `ast` parse, so it is paid for only
by files that get fixed) and turn the result into edits with `fixes.edits.edits_between`.
Positions are 1-based lines and the `ast` column of the node (a UTF-8 byte offset).
"""

from __future__ import annotations

import sys

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .edits import FixNotApplicable  # re-exported: rules catch it from here

STDLIB_MODULES = frozenset(sys.stdlib_module_names)


def char_column(text: str, line: int, byte_col: int) -> int:
    """Convert an `ast` column (UTF-8 bytes) to a character column on that line."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return byte_col
    return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


# -- imports --------------------------------------------------------------------------------------

# by node identity; the node is kept with its text so that its id cannot be reused meanwhile
_SPELLED: dict[int, tuple[cst.CSTNode, str]] = {}
_SPELLED_MAX = 20_000
_EMPTY_MODULE = cst.Module([])


def spelled(node: cst.CSTNode) -> str:
    """The source of a small node (a dotted module name), kept per node: adding many imports
    to one block asks for the same names again and again, and nodes never change."""
    hit = _SPELLED.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    if len(_SPELLED) >= _SPELLED_MAX:
        _SPELLED.clear()
    text = _EMPTY_MODULE.code_for_node(node)
    _SPELLED[id(node)] = (node, text)
    return text


FUTURE_GROUP, STDLIB_GROUP, THIRD_PARTY_GROUP, RELATIVE_GROUP = range(4)


def _import_group(stmt: cst.BaseSmallStatement) -> int:
    """isort's order: __future__, standard library, third party, then relative imports."""
    if isinstance(stmt, cst.ImportFrom):
        if stmt.relative:
            return RELATIVE_GROUP
        module = spelled(stmt.module) if stmt.module else ""
        if module == "__future__":
            return 0
    else:
        module = spelled(stmt.names[0].name)
    return 1 if module.split(".")[0] in STDLIB_MODULES else 2


def _module_of(stmt: cst.BaseSmallStatement) -> str:
    if isinstance(stmt, cst.ImportFrom):
        return spelled(stmt.module) if stmt.module else ""
    return spelled(stmt.names[0].name)


def is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def single_import(stmt: cst.CSTNode) -> cst.Import | cst.ImportFrom | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom)):
        return stmt.body[0]
    return None


def _alias_matches(alias: cst.ImportAlias, name: str, asname: str | None) -> bool:
    bound_as = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
    return spelled(alias.name) == name and bound_as == asname


def _find_existing(tree: cst.Module, module: str, name: str | None, asname: str | None):
    """(already imported, index of a `from module import …` that a new name can join)."""
    joinable = None
    for index, stmt in enumerate(tree.body):
        imp = single_import(stmt)
        if imp is None:
            continue
        if name is None and isinstance(imp, cst.Import):
            if any(_alias_matches(a, module, asname) for a in imp.names):
                return True, None
        if name is not None and isinstance(imp, cst.ImportFrom) and not imp.relative and _module_of(imp) == module:
            if isinstance(imp.names, cst.ImportStar):
                continue
            if any(_alias_matches(a, name, asname) for a in imp.names):
                return True, None
            if joinable is None:
                joinable = index
    return False, joinable


def add_import(text: str, module: str, name: str | None = None, asname: str | None = None) -> str:
    """Add `import module [as asname]` or `from module import name [as asname]` to the top import block.

    A `from module import …` that exists already gains the name; an identical import makes this a
    no-op. A new statement goes into its group (future, standard library, others) in sorted order,
    after the module docstring and before the first statement that is not an import.
    """
    tree = cst.parse_module(text)
    new_tree = add_import_to_module(tree, module, name, asname)
    return text if new_tree is tree else new_tree.code


def add_import_to_module(tree: cst.Module, module: str, name: str | None = None, asname: str | None = None) -> cst.Module:
    """`add_import` on a parsed module (the same tree back when the import is already there), so
    that many imports can be added from one parse."""
    present, joinable = _find_existing(tree, module, name, asname)
    if present:
        return tree
    alias = cst.ImportAlias(
        name=cst.parse_expression(name if name is not None else module),
        asname=cst.AsName(name=cst.Name(asname)) if asname else None,
    )
    body = list(tree.body)
    if joinable is not None:
        line = body[joinable]
        imp = line.body[0]
        names = list(imp.names)
        last = names[-1]
        if isinstance(last.comma, cst.Comma):  # a trailing comma (usually a parenthesised list): keep its style
            if len(names) >= 2 and isinstance(names[-2].comma, cst.Comma):
                separator = names[-2].comma
            elif imp.lpar is not None:
                separator = cst.Comma(whitespace_after=imp.lpar.whitespace_after)
            else:
                separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            names[-1] = last.with_changes(comma=separator)
            names.append(alias.with_changes(comma=last.comma))
        else:
            names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            names.append(alias)
        body[joinable] = line.with_changes(body=[imp.with_changes(names=names)])
        return tree.with_changes(body=body)
    if name is None:
        new_small: cst.BaseSmallStatement = cst.Import(names=[alias])
    else:
        new_small = cst.ImportFrom(module=cst.parse_expression(module), names=[alias])
    new_line = cst.SimpleStatementLine(body=[new_small])
    body = insert_import_statement(body, new_line, _import_group(new_small), module)
    return tree.with_changes(body=body)


def insert_import_statement(body: list, new_line: cst.SimpleStatementLine, group: int, module: str) -> list:
    start = 1 if body and is_docstring(body[0]) else 0
    block_end = start
    while block_end < len(body) and single_import(body[block_end]) is not None:
        block_end += 1
    if block_end == start:
        # no import block: open one after the docstring, separated from what follows
        if start < len(body):
            # the statement that now follows the import keeps a blank line above it; comments
            # written above it stay with it unless it opens the module (then they head the file)
            following = body[start]
            # PEP 8: two blank lines before a top-level function or class, one otherwise
            gap = [cst.EmptyLine()] * (2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1)
            if start == 0:
                new_line = new_line.with_changes(leading_lines=following.leading_lines)
                body[start] = following.with_changes(leading_lines=gap)
            else:
                new_line = new_line.with_changes(leading_lines=[cst.EmptyLine()])
                if not following.leading_lines:
                    body[start] = following.with_changes(leading_lines=gap)
        elif start:
            new_line = new_line.with_changes(leading_lines=[cst.EmptyLine()])
        return body[:start] + [new_line] + body[start:]
    members = [i for i in range(start, block_end) if _import_group(body[i].body[0]) == group]
    if members:
        after = [i for i in members if _module_of(body[i].body[0]).lower() <= module.lower()]
        if after:
            position = after[-1] + 1
        else:
            first = members[0]
            new_line = new_line.with_changes(leading_lines=body[first].leading_lines)
            body[first] = body[first].with_changes(leading_lines=[])
            position = first
        return body[:position] + [new_line] + body[position:]
    earlier = [i for i in range(start, block_end) if _import_group(body[i].body[0]) < group]
    if earlier:
        position = earlier[-1] + 1
        new_line = new_line.with_changes(leading_lines=[cst.EmptyLine()])
        if position < block_end:
            body[position] = body[position].with_changes(leading_lines=body[position].leading_lines or [cst.EmptyLine()])
        return body[:position] + [new_line] + body[position:]
    first = start
    new_line = new_line.with_changes(leading_lines=body[first].leading_lines)
    body[first] = body[first].with_changes(leading_lines=[cst.EmptyLine()])
    return body[:first] + [new_line] + body[first:]


# -- statements -----------------------------------------------------------------------------------


class _StatementRemover(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line, self.col = line, col
        self.removed = False

    def _is_target(self, node: cst.CSTNode) -> bool:
        start = self.get_metadata(PositionProvider, node).start
        return (start.line, start.column) == (self.line, self.col)

    def leave_SimpleStatementLine(self, original, updated):
        kept = [s for s, o in zip(updated.body, original.body) if not self._is_target(o)]
        if len(kept) == len(updated.body):
            return updated
        self.removed = True
        if kept:
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(body=kept)
        return cst.RemovalSentinel.REMOVE if not self._keeps_comments(updated) else updated.with_changes(body=[cst.Pass()])

    @staticmethod
    def _keeps_comments(line: cst.SimpleStatementLine) -> bool:
        return any(l.comment for l in line.leading_lines) or line.trailing_whitespace.comment is not None

    def _refill(self, updated, body_attr="body"):
        block = getattr(updated, body_attr)
        if isinstance(block, cst.IndentedBlock) and not block.body:
            return updated.with_changes(**{body_attr: block.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])})
        if isinstance(block, cst.SimpleStatementSuite) and not block.body:
            return updated.with_changes(**{body_attr: block.with_changes(body=[cst.Pass()])})
        return updated

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if isinstance(updated, cst.CSTNode) and hasattr(updated, "body") and isinstance(
            getattr(updated, "body", None), (cst.IndentedBlock, cst.SimpleStatementSuite)
        ):
            return self._refill(updated)
        return updated

    def leave_SimpleStatementSuite(self, original, updated):
        kept = [s for s, o in zip(updated.body, original.body) if not self._is_target(o)]
        if len(kept) == len(updated.body):
            return updated
        self.removed = True
        return updated.with_changes(body=kept or [cst.Pass()])


def remove_statement(text: str, line: int, col: int) -> str:
    """Remove the simple statement (an import, a call…) that starts at line/col.

    Other statements sharing its line stay; a block left empty gets `pass`; comments written on or
    above the removed line are kept (on a `pass`) rather than lost.
    """
    # the module is parsed for this transform alone: no defensive deep copy of it is needed
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    remover = _StatementRemover(line, char_column(text, line, col))
    new_tree = wrapper.visit(remover)
    if not remover.removed:
        raise FixNotApplicable(f"no statement starts at {line}:{col}")
    return new_tree.code


# -- call keywords --------------------------------------------------------------------------------


class _KeywordSetter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int, col: int, keyword: str, value: cst.BaseExpression) -> None:
        super().__init__()
        self.line, self.col, self.keyword, self.value = line, col, keyword, value
        self.done = False

    def leave_Call(self, original, updated):
        if self.done:
            return updated
        start = self.get_metadata(PositionProvider, original).start
        if (start.line, start.column) != (self.line, self.col):
            return updated
        self.done = True
        args = list(updated.args)
        for index, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == self.keyword:
                args[index] = arg.with_changes(value=self.value)
                return updated.with_changes(args=args)
        new_arg = cst.Arg(
            keyword=cst.Name(self.keyword),
            value=self.value,
            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
        )
        # keywords must precede `**kwargs`: insert before the first double-star argument
        insert_at = next((i for i, a in enumerate(args) if a.star == "**"), len(args))
        if insert_at < len(args):
            args.insert(insert_at, new_arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
            return updated.with_changes(args=args)
        if args:
            last = args[-1]
            if isinstance(last.comma, cst.Comma):
                # a trailing comma (usually one argument per line): the new argument takes over the
                # closing comma, and the old last argument gets the separator its neighbours use
                new_arg = new_arg.with_changes(comma=last.comma)
                if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
                    separator = args[-2].comma
                else:
                    separator = cst.Comma(whitespace_after=updated.whitespace_before_args)
                args[-1] = last.with_changes(comma=separator)
            else:
                args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new_arg)
        return updated.with_changes(args=args)


def set_keyword(text: str, line: int, col: int, keyword: str, value_source: str) -> str:
    """Set `keyword=value_source` on the call whose expression starts at line/col (added if missing)."""
    value = cst.parse_expression(value_source)
    # the module is parsed for this transform alone: no defensive deep copy of it is needed
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    setter = _KeywordSetter(line, char_column(text, line, col), keyword, value)
    new_tree = wrapper.visit(setter)
    if not setter.done:
        raise FixNotApplicable(f"no call starts at {line}:{col}")
    return new_tree.code


# -- comments -------------------------------------------------------------------------------------


def uncomment_lines(text: str, first_line: int, last_line: int) -> str:
    """Turn comment lines back into code: drop the `#` and one following space, keep indentation."""
    lines = text.splitlines(keepends=True)
    if not (1 <= first_line <= last_line <= len(lines)):
        raise FixNotApplicable(f"lines {first_line}-{last_line} are outside the file")
    for index in range(first_line - 1, last_line):
        raw = lines[index]
        stripped = raw.lstrip(" \t")
        if not stripped.startswith("#"):
            raise FixNotApplicable(f"line {index + 1} is not a comment")
        indent = raw[: len(raw) - len(stripped)]
        body = stripped[1:]
        if body.startswith(" "):
            body = body[1:]
        lines[index] = indent + body
    return "".join(lines)
