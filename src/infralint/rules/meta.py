"""INF0xx: problems with the file itself and with suppressions. The engine emits these."""

from __future__ import annotations

import __future__
import ast
import re
import sys
import warnings

from .base import Rule


class SyntaxErrorRule(Rule):
    """INF001: the file does not parse; nothing else can be checked in it."""

    code = "INF001"
    engine_rule = True


class UnreadableFileRule(Rule):
    """INF002: the file cannot be read or decoded (binary, bad encoding, permissions)."""

    code = "INF002"
    engine_rule = True


class UnusedNoqaRule(Rule):
    """INF003: a `# noqa: INF…` comment that suppresses nothing (off by default)."""

    code = "INF003"
    engine_rule = True


def _version(version: tuple[int, int]) -> str:
    return ".".join(map(str, version))


def syntax_error_message(detail: str, required: tuple[int, int] | None) -> str:
    """INF001's message; `required` is the project's newer Python when this interpreter is older."""
    if required is not None:
        running = _version(sys.version_info[:2])
        return (
            f"needs Python {_version(required)} syntax: Python {running} cannot parse it ({detail}); "
            f"lint it with infralint installed under Python {_version(required)}"
        )
    return f"file does not parse: {detail}; importing it raises SyntaxError"


def newer_syntax_note(required: tuple[int, int], files: int) -> str:
    """The one-time note of a run in which files were reported as needing a newer Python."""
    running = _version(sys.version_info[:2])
    return (
        f"this project requires Python ≥ {_version(required)}; infralint runs on {running} — install it under "
        f"{_version(required)} ({files} file{'s' if files != 1 else ''} reported as needing Python {_version(required)} syntax)"
    )


# -- errors Python raises when compiling, not when parsing ------------------------------------

# CPython's limit on statically nested blocks (loops, try, with) in one code object
_MAX_NESTED_BLOCKS = 20
_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def compile_time_error(tree: ast.Module, text: str, path: str) -> SyntaxError | None:
    """The SyntaxError importing this file would raise although it parses ('return' outside
    function, duplicate argument, nonlocal at module level, too many nested blocks…), or None.

    A statement-level scan finds the files that may have one; only those are compiled to bytecode
    (never run) to get Python's own message and position, so well-formed files pay no compile.
    A `nonlocal` (common in decorators, legal almost always) costs only the compile of the
    top-level statement around it: whether it finds a binding depends on nothing outside it.
    """
    suspects = _compile_suspects(tree, _lines_naming_yield_or_await(text))
    if suspects is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if suspects is _WHOLE_FILE:
            return _compile_error(text, path, 0)
        flags = _future_flags(tree)
        for statement in suspects:
            error = _compile_error(ast.Module(body=[statement], type_ignores=[]), path, flags)
            if error is not None:
                return error
    return None


def _compile_error(code: str | ast.Module, path: str, flags: int) -> SyntaxError | None:
    try:
        compile(code, path, "exec", flags=flags, dont_inherit=True)  # bytecode only: nothing is executed
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError):
        return None  # the parser accepted it; a compiler resource limit is not this check's concern
    return None


def _future_flags(tree: ast.Module) -> int:
    """The compiler flags of the file's own `from __future__` imports, for compiling a part of it."""
    flags = 0
    for statement in _leading_future_imports(tree):
        for alias in statement.names:
            flags |= getattr(__future__, alias.name).compiler_flag
    return flags


_WHOLE_FILE: list = []
# the simple statements that can be compile-time errors by their kind and place alone
_TELLING_SIMPLE = frozenset({ast.Nonlocal, ast.ImportFrom, ast.Return, ast.Break, ast.Continue})
_YIELD_OR_AWAIT = (ast.Yield, ast.YieldFrom, ast.Await)


def _compile_suspects(tree: ast.Module, yield_lines: frozenset[int]) -> list[ast.stmt] | None:
    """A superset of the compile-only errors, found without leaving statements (cheap): None when
    the file cannot have one, `_WHOLE_FILE` when the file must be compiled, else the top-level
    statements holding a `nonlocal`, which are compiled alone. `yield_lines`: the lines on which
    a `yield` or `await` may start."""
    # (statements, inside a function, loop depth in this function, block depth in this code object,
    # the top-level statement they belong to)
    todo: list[tuple[list, bool, int, int, ast.stmt | None]] = [(tree.body, False, 0, 0, None)]
    leading_futures = _leading_future_imports(tree)
    with_nonlocal: list[ast.stmt] = []
    while todo:
        statements, in_function, loops, blocks, top = todo.pop()
        for node in statements:
            kind = type(node)
            fields = _NESTED_FIELDS.get(kind)
            if fields is None:  # a simple statement
                if kind in _TELLING_SIMPLE:
                    if kind is ast.Nonlocal:
                        outer = top or node
                        if outer not in with_nonlocal:
                            with_nonlocal.append(outer)
                        continue
                    if kind is ast.ImportFrom and node.module == "__future__" and node not in leading_futures:
                        return _WHOLE_FILE  # not at the top of the file, or a feature Python does not have
                    if kind is ast.Return and not in_function:
                        return _WHOLE_FILE
                    if not loops and (kind is ast.Break or kind is ast.Continue):
                        return _WHOLE_FILE
                if not in_function and yield_lines and _on_lines(node, yield_lines) and _has_yield_or_await(node, yield_lines):
                    return _WHOLE_FILE
                continue
            outer = top or node
            if kind in _FUNCTIONS:
                if _duplicate_argument(node.args):
                    return _WHOLE_FILE
                todo.append((node.body, True, 0, 0, outer))
                continue
            if kind is ast.ClassDef:
                todo.append((node.body, False, 0, 0, outer))
                continue
            if not in_function and yield_lines and _on_lines(node, yield_lines) and _has_yield_or_await(node, yield_lines):
                return _WHOLE_FILE
            inner_blocks = blocks + 1 if kind in _BLOCKS else blocks
            if inner_blocks >= _MAX_NESTED_BLOCKS:
                return _WHOLE_FILE
            inner_loops = loops + 1 if kind in _LOOPS else loops
            for field_name in fields:
                if field_name == "handlers" or field_name == "cases":
                    todo.extend((part.body, in_function, inner_loops, inner_blocks, outer) for part in getattr(node, field_name))
                else:
                    # a loop's `else` is not inside the loop
                    todo.append((getattr(node, field_name), in_function, loops if field_name == "orelse" else inner_loops, inner_blocks, outer))
    if not with_nonlocal:
        return None
    return sorted(with_nonlocal, key=lambda statement: statement.lineno)


_NESTED_FIELDS = {
    kind: tuple(f for f in ("body", "orelse", "finalbody", "handlers", "cases") if f in kind._fields)
    for kind in (*_BLOCKS, *_FUNCTIONS, ast.ClassDef, ast.If, *((ast.Match,) if hasattr(ast, "Match") else ()))
}


def _leading_future_imports(tree: ast.Module) -> set[ast.ImportFrom]:
    """The `from __future__ import` statements the compiler accepts: only a docstring before them,
    and features it knows."""
    accepted = set()
    body = tree.body
    start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str) else 0
    for statement in body[start:]:
        if not (isinstance(statement, ast.ImportFrom) and statement.module == "__future__"):
            break
        if all(alias.name in __future__.all_feature_names for alias in statement.names):
            accepted.add(statement)
    return accepted


def _has_yield_or_await(statement: ast.stmt, yield_lines: frozenset[int]) -> bool:
    """`yield` or `await` in the expressions of a statement outside any function (lambdas and
    comprehensions aside, which the compiler judges themselves)."""
    if isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
        return False
    for field_name, value in ast.iter_fields(statement):
        if field_name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        for child in value if isinstance(value, list) else (value,):
            if isinstance(child, ast.expr) and _on_lines(child, yield_lines) and _holds_yield_or_await(child, yield_lines):
                return True
    return False


def _holds_yield_or_await(expression: ast.expr, yield_lines: frozenset[int]) -> bool:
    """A `yield` or `await` node anywhere in the expression; parts on no line that names one are
    not entered (a node's keyword is on its first line, which every enclosing node spans)."""
    todo: list[ast.AST] = [expression]
    while todo:
        node = todo.pop()
        if isinstance(node, _YIELD_OR_AWAIT):
            return True
        for child in ast.iter_child_nodes(node):
            if getattr(child, "lineno", None) is None or _on_lines(child, yield_lines):
                todo.append(child)
    return False


def _on_lines(node: ast.AST, lines: frozenset[int]) -> bool:
    first = node.lineno  # type: ignore[attr-defined]
    last = node.end_lineno or first  # type: ignore[attr-defined]
    return first in lines if first == last else not lines.isdisjoint(range(first, last + 1))


_LINE_BREAK = re.compile(r"\r\n?|\n")


def _lines_naming_yield_or_await(text: str) -> frozenset[int]:
    """The lines (numbered as the parser numbers them) whose text holds `yield` or `await`: the
    keyword of such a node is one token, on the node's first line."""
    if "yield" not in text and "await" not in text:
        return frozenset()
    if "\r" in text:  # line breaks `\n` alone does not count: number the lines by splitting
        return frozenset(number for number, line in enumerate(_LINE_BREAK.split(text), 1) if "yield" in line or "await" in line)
    lines: set[int] = set()
    for word in ("yield", "await"):  # from each occurrence, counting only the newlines since the last
        line, counted_to = 1, 0
        start = text.find(word)
        while start >= 0:
            line += text.count("\n", counted_to, start)
            counted_to = start
            lines.add(line)
            start = text.find(word, start + 5)
    return frozenset(lines)


def _duplicate_argument(args: ast.arguments) -> bool:
    if len(args.args) + len(args.posonlyargs) + len(args.kwonlyargs) + (args.vararg is not None) + (args.kwarg is not None) < 2:
        return False
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a is not None]
    return len(names) != len(set(names))
