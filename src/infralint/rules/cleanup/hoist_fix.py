"""Move an import statement from inside a function to the module's top import block.

Every name keeps its alias; a name the top block already imports the same way is not added
twice; the inner statement is removed (a block left empty gets `pass`). Relative imports
(`from .db import pool`) go at the end of the block, as a line of their own unless an identical
one exists.
"""

from __future__ import annotations

import ast

import libcst as cst

from ...fixes.cst import (
    RELATIVE_GROUP,
    FixNotApplicable,
    add_import,
    insert_import_statement,
    remove_statement,
    single_import,
)


def hoist_import(text: str, line: int, col: int) -> str:
    """The module text with the import statement at line/col moved to the top import block."""
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
    source = f"from {'.' * level}{module or ''} import {name}{f' as {asname}' if asname else ''}\n"
    tree = cst.parse_module(text)
    if _has_relative(tree, level, module, name, asname):
        return text
    new_line = cst.parse_statement(source)
    body = insert_import_statement(list(tree.body), new_line, RELATIVE_GROUP, module or "")
    return tree.with_changes(body=body).code


def _has_relative(tree: cst.Module, level: int, module: str | None, name: str, asname: str | None) -> bool:
    for statement in tree.body:
        imp = single_import(statement)
        if not isinstance(imp, cst.ImportFrom) or len(imp.relative) != level or isinstance(imp.names, cst.ImportStar):
            continue
        spelled = cst.Module([]).code_for_node(imp.module) if imp.module else None
        if spelled != module:
            continue
        for alias in imp.names:
            bound_as = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if cst.Module([]).code_for_node(alias.name) == name and bound_as == asname:
                return True
    return False


def _import_at(tree: ast.Module, line: int, col: int) -> ast.Import | ast.ImportFrom | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and (node.lineno, node.col_offset) == (line, col):
            return node
    return None
