"""Move an import statement from inside a function to the module's top import block.

Every name keeps its alias; a name the top block already imports the same way is not added
twice; the inner statement is removed (a block left empty gets `pass`). Relative imports
(`from .db import pool`) go at the end of the block, as a line of their own unless an identical
one exists.
"""

from __future__ import annotations

import ast
from bisect import bisect_left

import libcst as cst

from ...fixes.cst import (
    RELATIVE_GROUP,
    FixNotApplicable,
    add_import,
    add_import_to_module,
    insert_import_statement,
    remove_statement,
    single_import,
    spelled,
)
from ...fixes.partial_module import parse_partially


def hoist_import(text: str, line: int, col: int) -> str:
    """The module text with the import statement at line/col moved to the top import block: what a
    hoist is, step by step (`hoist_imports` computes the same text from fewer parses, and is what
    the rules use; the tests hold it to this one)."""
    statement = _import_at(ast.parse(text), line, col)
    if statement is None:
        raise FixNotApplicable(f"no import statement starts at {line}:{col}")
    new_text = _tidy_block_start(_drop_needless_pass(remove_statement(text, line, col), line), line)
    for alias in statement.names:
        if isinstance(statement, ast.Import):
            new_text = add_import(new_text, alias.name, asname=alias.asname)
        elif statement.level == 0:
            new_text = add_import(new_text, statement.module, alias.name, alias.asname)
        else:
            new_text = add_relative_import(new_text, statement.level, statement.module, alias.name, alias.asname)
    return new_text


def _drop_needless_pass(text: str, line: int) -> str:
    """Removing a commented import leaves `pass` to hold its comments; when another statement
    follows in the same block, the comments can sit above that one instead."""
    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines) or lines[line - 1].strip() != "pass":
        return text
    indent = _indent(lines[line - 1])
    for following in lines[line:]:
        stripped = following.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent(following) == indent:
            # the blank lines that set the import apart would now split the comments from the
            # statement they sit above
            resume = line
            while resume < len(lines) and not lines[resume].strip():
                resume += 1
            return "".join(lines[: line - 1] + lines[resume:])
        break
    return text


def _tidy_block_start(text: str, line: int) -> str:
    """An import that opened a block leaves the blank line that followed it at the block's top."""
    lines = text.splitlines(keepends=True)
    if not 2 <= line <= len(lines) or lines[line - 1].strip() or not lines[line - 2].rstrip().endswith(":"):
        return text
    end = line - 1
    while end < len(lines) and not lines[end].strip():
        end += 1
    tidied = "".join(lines[: line - 1] + lines[end:])
    try:
        ast.parse(tidied)
    except SyntaxError:
        return text
    return tidied


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def add_relative_import(text: str, level: int, module: str | None, name: str, asname: str | None = None) -> str:
    """Add `from <dots><module> import name [as asname]` to the top block (no-op if present)."""
    tree = cst.parse_module(text)
    new_tree = _add_relative_to_module(tree, level, module, name, asname)
    return text if new_tree is tree else new_tree.code


def _add_relative_to_module(tree: cst.Module, level: int, module: str | None, name: str, asname: str | None) -> cst.Module:
    if _has_relative(tree, level, module, name, asname):
        return tree
    source = f"from {'.' * level}{module or ''} import {name}{f' as {asname}' if asname else ''}\n"
    body = insert_import_statement(list(tree.body), cst.parse_statement(source), RELATIVE_GROUP, module or "")
    return tree.with_changes(body=body)


def _has_relative(tree: cst.Module, level: int, module: str | None, name: str, asname: str | None) -> bool:
    for statement in tree.body:
        imp = single_import(statement)
        if not isinstance(imp, cst.ImportFrom) or len(imp.relative) != level or isinstance(imp.names, cst.ImportStar):
            continue
        imported_from = spelled(imp.module) if imp.module else None
        if imported_from != module:
            continue
        for alias in imp.names:
            bound_as = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if spelled(alias.name) == name and bound_as == asname:
                return True
    return False


def _import_at(tree: ast.Module, line: int, col: int) -> ast.Import | ast.ImportFrom | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and (node.lineno, node.col_offset) == (line, col):
            return node
    return None


# -- many hoists from one parse ------------------------------------------------------------------


def hoist_imports(text: str, positions: list[tuple[int, int]], tree: ast.Module | None = None) -> str:
    """The module text with every import statement at the given (line, ast column) positions
    moved to the top import block — the text `hoist_import` gives when applied to each in turn,
    top to bottom. `tree` is the text's `ast` (parsed here when not given).

    LibCST parses only the top-level statements the hoists read or edit — the module's head, its
    top-level imports (an import may join one anywhere), those holding an import to move — when
    the module can be cut around them (`parse_partially`); else the whole module."""
    if tree is None:
        tree = ast.parse(text)
    ordered = sorted(set(positions))
    if not ordered:
        raise FixNotApplicable("no import to hoist")
    hoisted = _hoist_partially(text, tree, ordered)
    return hoisted if hoisted is not None else _hoist_whole(text, tree, ordered)


_IMPORT_TYPES = (ast.Import, ast.ImportFrom)


def _hoist_whole(text: str, tree: ast.Module, ordered: list[tuple[int, int]]) -> str:
    """`hoist_imports` from a LibCST parse of the whole module (what the partial parse must equal)."""
    by_position = {(n.lineno, n.col_offset): n for n in ast.walk(tree) if isinstance(n, _IMPORT_TYPES)}
    return _hoist_in(cst.parse_module(text), by_position, ordered).code


def _hoist_partially(text: str, tree: ast.Module, ordered: list[tuple[int, int]]) -> str | None:
    """`hoist_imports` from a LibCST parse of the statements it needs only; None when the module
    cannot be cut (or a hoist cannot be done: the whole module's parse then says why)."""
    top = tree.body
    ends = [statement.end_lineno for statement in top]
    holders = set()
    for line, _ in ordered:
        index = bisect_left(ends, line)  # the first statement that ends on or after the line
        if index == len(top) or top[index].lineno > line:
            return None
        holders.add(index)
    # the first statement, and the next one after a docstring (read when no import block follows
    # it), every top-level import (an import may join any of them), the statements holding a hoist
    head = {0, 1} if isinstance(top[0], ast.Expr) else {0}
    wanted = {*head, *holders, *(k for k, statement in enumerate(top) if isinstance(statement, _IMPORT_TYPES))}
    partial = parse_partially(text, tree, wanted)
    if partial is None:
        return None
    by_position = {
        (n.lineno, n.col_offset): n for statement in partial.statements for n in ast.walk(statement) if isinstance(n, _IMPORT_TYPES)
    }
    try:
        module = _hoist_in(partial.module, by_position, ordered)
    except FixNotApplicable:
        return None
    return partial.code_for(module)


def _hoist_in(module: cst.Module, by_position: dict, ordered: list[tuple[int, int]]) -> cst.Module:
    """Move the imports at `ordered` positions of `module`, whose import statements are those of
    `by_position` (by their `ast` position)."""
    statements = [by_position.get(position) for position in ordered]
    if None in statements:
        raise FixNotApplicable("an import to hoist is not where it was reported")
    # both trees list the import statements in the order they are written: the targets are known
    # by their rank among them, which spares LibCST's position metadata (most of a large file's cost)
    rank = {position: index for index, position in enumerate(sorted(by_position))}
    remover = _HoistRemover({rank[position] for position in ordered})
    module = module.visit(remover)
    if remover.seen != len(by_position):
        raise FixNotApplicable("the import statements of the two parses differ")
    if remover.removed != len(ordered):
        raise FixNotApplicable("an import to hoist is not a statement of its own")
    for statement in statements:  # top to bottom, as one fix per pass would add them
        for alias in statement.names:
            if isinstance(statement, ast.Import):
                module = add_import_to_module(module, alias.name, asname=alias.asname)
            elif statement.level == 0:
                module = add_import_to_module(module, statement.module, alias.name, alias.asname)
            else:
                module = _add_relative_to_module(module, statement.level, statement.module, alias.name, alias.asname)
    return module


_NO_STATEMENTS_BELOW = (cst.BaseExpression, cst.BaseSmallStatement, cst.Parameters, cst.Decorator, cst.Annotation)


class _HoistRemover(cst.CSTTransformer):
    """Remove many import statements in one traversal, tidying each block as `hoist_import` does:

    - a removed import's comments are kept: on a `pass` when nothing follows it in the block,
      else above the next statement (whose own leading blank lines then go);
    - an import that opened a block takes the blank lines that followed it along;
    - a block left empty gets `pass`.
    """

    def __init__(self, ranks: set[int]) -> None:
        super().__init__()
        self.ranks = ranks  # of the imports to remove, among all import statements in written order
        self.seen = 0
        self._targets: set[int] = set()  # ids of the import nodes to remove (visited before their block is left)
        self.removed = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            if self.seen in self.ranks:
                self._targets.add(id(node))
            self.seen += 1
            return False
        # no statement sits inside an expression, a parameter list or another simple statement:
        # what is below them is neither visited nor rebuilt (most of a module's nodes)
        if isinstance(node, _NO_STATEMENTS_BELOW):
            return False
        return super().on_visit(node)

    def _is_target(self, node: cst.CSTNode) -> bool:
        return id(node) in self._targets

    def leave_SimpleStatementSuite(self, original, updated):
        kept = [s for s, o in zip(updated.body, original.body) if not self._is_target(o)]
        if len(kept) == len(updated.body):
            return updated
        self.removed += len(updated.body) - len(kept)
        return updated.with_changes(body=kept or [cst.Pass()])

    def leave_IndentedBlock(self, original, updated):
        body: list = []
        carried: list[cst.EmptyLine] = []  # comments of removed imports, moving to the next statement
        at_start = updated.header.comment is None  # the block's first line follows its `:` directly
        changed = False
        news = list(updated.body)
        count = len(news)
        for index, old in enumerate(original.body):
            new = news[index]
            hit = [self._is_target(s) for s in old.body] if isinstance(old, cst.SimpleStatementLine) else []
            if not any(hit):
                if carried:
                    new = new.with_changes(leading_lines=[*carried, *_without_leading_blanks(new.leading_lines)])
                    carried = []
                body.append(new)
                at_start = False
                continue
            changed = True
            self.removed += sum(hit)
            if not all(hit):  # `import os; x = 1`: the rest of the line stays
                kept = [s for s, h in zip(new.body, hit) if not h]
                kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                new = new.with_changes(body=kept)
                if carried:
                    new = new.with_changes(leading_lines=[*carried, *_without_leading_blanks(new.leading_lines)])
                    carried = []
                body.append(new)
                at_start = False
                continue
            leading = [*carried, *new.leading_lines] if carried else list(new.leading_lines)
            carried = []
            if new.trailing_whitespace.comment is not None:
                body.append(new.with_changes(body=[cst.Pass()], leading_lines=leading))  # `pass  # comment`
                at_start = False
            elif any(line.comment for line in leading):
                if index + 1 < count:
                    carried = leading  # the comments sit above the next statement instead
                else:
                    body.append(new.with_changes(body=[cst.Pass()], leading_lines=leading))
                    at_start = False
            elif at_start and not new.leading_lines and index + 1 < count:
                # an import that opened the block: the blank lines after it go with it
                following = news[index + 1]
                news[index + 1] = following.with_changes(leading_lines=_without_leading_blanks(following.leading_lines))
        if not changed:
            return updated
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=carried)]
        return updated.with_changes(body=body)


def _without_leading_blanks(lines) -> list:
    lines = list(lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return lines
