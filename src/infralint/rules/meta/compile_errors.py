"""Errors Python raises when compiling a tree that parsed (INF001 too): too many nested blocks,
`return` or `yield` outside a function, duplicate arguments… found without compiling every file."""

from __future__ import annotations

import __future__
import ast
import re
import warnings


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
    What depends only on the functions around it — a `nonlocal` declaration (legal almost always),
    an `await`, `async for`/`async with` or async comprehension in a plain `def` — costs the
    compile of the outermost function around it (of its top-level statement for a method).
    """
    lines = _lines_naming(text, ("yield", "await", "async", ":="))
    suspects = _compile_suspects(tree, lines["yield"] | lines["await"], lines["await"] | lines["async"], lines[":="], lines["yield"])
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
_TELLING_SIMPLE = frozenset({ast.Nonlocal, ast.Global, ast.ImportFrom, ast.Return, ast.Break, ast.Continue})
_YIELD_OR_AWAIT = (ast.Yield, ast.YieldFrom, ast.Await)
_ASYNC_BLOCKS = (ast.AsyncFor, ast.AsyncWith)  # only in an `async def`
_DEF_NAMING_AWAIT = object()  # the kind of a plain `def` whose lines name `await` or `async`
_ASYNC_NAMING_YIELD = object()  # the kind of an `async def` whose lines name `yield` (a generator?)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _compile_suspects(
    tree: ast.Module,
    yield_lines: frozenset[int],
    await_lines: frozenset[int],
    walrus_lines: frozenset[int] = frozenset(),
    generator_lines: frozenset[int] = frozenset(),
) -> list[ast.stmt] | None:
    """A superset of the compile-only errors, found without leaving statements (cheap): None when
    the file cannot have one, `_WHOLE_FILE` when the file must be compiled, else the statements
    to compile alone (see `compile_time_error`). `yield_lines`/`await_lines`/`walrus_lines`: the
    lines on which a `yield` or `await` / an `await` or `async` / a `:=` / a `yield` may start.

    Declarations (`global`, `nonlocal`: parameter and global, assigned or annotated before or
    after the declaration), a `return` with a value in an `async def` that may be a generator, and
    a comprehension holding `yield` or `:=` cost the compile of what is around them; `import *`
    below module level and a `global` at module level the compile of the file."""
    comprehension_lines = generator_lines | walrus_lines
    # (statements, the innermost function's kind (None outside any), loop depth in this function,
    # block depth in this code object, the top-level statement they belong to, what to compile for
    # a declaration or an `await` among them: the outermost function around them, or the top-level
    # statement of a method (its class gives it names such as `__class__`), and whether they are
    # a class body's)
    todo: list[tuple[list, object, int, int, ast.stmt | None, ast.stmt | None, bool]] = [(tree.body, None, 0, 0, None, None, False)]
    leading_futures = _leading_future_imports(tree)
    suspects: list[ast.stmt] = []
    harmless_globals: set[int] = set()  # the `global` statements opening a body, judged with their function
    while todo:
        statements, function, loops, blocks, top, outermost, in_class = todo.pop()
        for node in statements:
            kind = type(node)
            fields = _NESTED_FIELDS.get(kind)
            if fields is None:  # a simple statement
                if kind in _TELLING_SIMPLE:
                    if kind is ast.Nonlocal or kind is ast.Global:
                        if kind is ast.Global and function is None and not in_class:
                            return _WHOLE_FILE  # legal, unless the module bound the name before it
                        if id(node) in harmless_globals:
                            continue
                        _add_suspect(suspects, outermost or top or node)
                        continue
                    if kind is ast.ImportFrom:
                        if node.module == "__future__" and node not in leading_futures:
                            return _WHOLE_FILE  # not at the top of the file, or a feature Python does not have
                        if node.names[0].name == "*" and (function is not None or in_class):
                            return _WHOLE_FILE  # `import *` is only allowed at module level
                    if kind is ast.Return and function is None:
                        return _WHOLE_FILE
                    if kind is ast.Return and function is _ASYNC_NAMING_YIELD and node.value is not None:
                        _add_suspect(suspects, outermost or top or node)
                        continue
                    if not loops and (kind is ast.Break or kind is ast.Continue):
                        return _WHOLE_FILE
                if function is None:
                    if yield_lines and _on_lines(node, yield_lines) and _has_yield_or_await(node, yield_lines):
                        return _WHOLE_FILE
                elif function is _DEF_NAMING_AWAIT and _on_lines(node, await_lines) and _has_await(node, await_lines):
                    _add_suspect(suspects, outermost or top or node)
                    continue
                if comprehension_lines and _on_lines(node, comprehension_lines) and _has_telling_comprehension(node, comprehension_lines):
                    _add_suspect(suspects, outermost or top or node)
                continue
            own_top = top or node
            if kind in _FUNCTIONS:
                if _duplicate_argument(node.args):
                    return _WHOLE_FILE
                if node.body and type(node.body[0]) is ast.Global or len(node.body) > 1 and type(node.body[1]) is ast.Global:
                    harmless_globals.update(map(id, _harmless_leading_globals(node)))
                # a method (and all inside it) is compiled with its top-level statement
                if kind is ast.AsyncFunctionDef:  # a `return` with a value matters only in a generator
                    inner = _ASYNC_NAMING_YIELD if generator_lines and _on_lines(node, generator_lines) else ast.AsyncFunctionDef
                else:  # a plain `def` is searched for `await` only when its lines name one
                    inner = _DEF_NAMING_AWAIT if await_lines and _on_lines(node, await_lines) else ast.FunctionDef
                todo.append((node.body, inner, 0, 0, own_top, outermost or (own_top if in_class else node), False))
                continue
            if kind is ast.ClassDef:
                todo.append((node.body, None, 0, 0, own_top, outermost, True))
                continue
            if function is None:
                if yield_lines and _on_lines(node, yield_lines) and _has_yield_or_await(node, yield_lines):
                    return _WHOLE_FILE
            elif function is _DEF_NAMING_AWAIT and (kind in _ASYNC_BLOCKS or (_on_lines(node, await_lines) and _has_await(node, await_lines))):
                _add_suspect(suspects, outermost or top or node)
            if comprehension_lines and _on_lines(node, comprehension_lines) and _has_telling_comprehension(node, comprehension_lines):
                _add_suspect(suspects, outermost or top or node)
            inner_blocks = blocks + 1 if kind in _BLOCKS else blocks
            if inner_blocks >= _MAX_NESTED_BLOCKS:
                return _WHOLE_FILE
            inner_loops = loops + 1 if kind in _LOOPS else loops
            for field_name in fields:
                if field_name == "handlers" or field_name == "cases":
                    todo.extend((part.body, function, inner_loops, inner_blocks, own_top, outermost, in_class) for part in getattr(node, field_name))
                else:
                    # a loop's `else` is not inside the loop
                    todo.append((getattr(node, field_name), function, loops if field_name == "orelse" else inner_loops, inner_blocks, own_top, outermost, in_class))
    if not suspects:
        return None
    return sorted(suspects, key=lambda statement: statement.lineno)


def _harmless_leading_globals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Global]:
    """The `global` statements that open a function's body (after its docstring) when they can be
    no error: nothing before them uses or binds the names, so only a parameter of the same name or
    an annotation of one in the body (`annotated name can't be global`) would make them one."""
    leading: list[ast.Global] = []
    for position, statement in enumerate(function.body):
        if type(statement) is ast.Global:
            leading.append(statement)
        elif not (type(statement) is ast.Nonlocal or (position == 0 and _is_docstring(statement))):
            break
    names = {name for statement in leading for name in statement.names}
    if not names:
        return []
    args = function.args
    parameters = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]
    if any(parameter.arg in names for parameter in parameters) or _annotates(function.body, names):
        return []
    return leading


def _is_docstring(statement: ast.stmt) -> bool:
    return type(statement) is ast.Expr and type(statement.value) is ast.Constant and isinstance(statement.value.value, str)


def _annotates(body: list[ast.stmt], names: set[str]) -> bool:
    """An annotated assignment to one of `names` among these statements (not in nested scopes)."""
    todo = [body]
    while todo:
        for statement in todo.pop():
            kind = type(statement)
            if kind is ast.AnnAssign:
                if type(statement.target) is ast.Name and statement.target.id in names:
                    return True
            elif kind in _NESTED_FIELDS and kind not in _FUNCTIONS and kind is not ast.ClassDef:
                for field_name in _NESTED_FIELDS[kind]:
                    if field_name == "handlers" or field_name == "cases":
                        todo.extend(part.body for part in getattr(statement, field_name))
                    else:
                        todo.append(getattr(statement, field_name))
    return False


def _add_suspect(suspects: list[ast.stmt], statement: ast.stmt) -> None:
    if statement not in suspects:
        suspects.append(statement)


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
    """`yield` or `await` in the expressions of a statement outside any function (in a lambda or a
    comprehension too: a superset, which the compile then judges)."""
    return _expressions_hold(statement, yield_lines, _is_yield_or_await)


def _has_await(statement: ast.stmt, await_lines: frozenset[int]) -> bool:
    """`await` or an async comprehension in the expressions of a statement of a plain `def`."""
    return _expressions_hold(statement, await_lines, _is_await)


def _has_telling_comprehension(statement: ast.stmt, lines: frozenset[int]) -> bool:
    """A comprehension holding `yield` (never allowed) or `:=` (not on its own iteration
    variable, in its iterable or in a class body) in the statement's own expressions."""
    return _expressions_hold(statement, lines, _is_telling_comprehension)


def _is_telling_comprehension(node: ast.AST) -> bool:
    return isinstance(node, _COMPREHENSIONS) and any(isinstance(inner, (ast.Yield, ast.YieldFrom, ast.NamedExpr)) for inner in ast.walk(node))


def _is_yield_or_await(node: ast.AST) -> bool:
    return isinstance(node, _YIELD_OR_AWAIT)


def _is_await(node: ast.AST) -> bool:
    return isinstance(node, ast.Await) or (isinstance(node, ast.comprehension) and bool(node.is_async))


def _expressions_hold(statement: ast.stmt, lines: frozenset[int], wanted) -> bool:
    """A node `wanted` accepts in the statement's own expressions (not in the statements it holds,
    nor anywhere in a definition); parts on none of `lines` are not entered (a keyword such as
    `await` is on its node's first line, which every enclosing node spans)."""
    if isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
        return False
    todo: list[ast.AST] = []
    for field_name, value in ast.iter_fields(statement):
        if field_name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        for child in value if isinstance(value, list) else (value,):
            if isinstance(child, ast.AST) and (getattr(child, "lineno", None) is None or _on_lines(child, lines)):
                todo.append(child)
    while todo:
        node = todo.pop()
        if wanted(node):
            return True
        for child in ast.iter_child_nodes(node):
            if getattr(child, "lineno", None) is None or _on_lines(child, lines):
                todo.append(child)
    return False


def _on_lines(node: ast.AST, lines: frozenset[int]) -> bool:
    first = node.lineno  # type: ignore[attr-defined]
    last = node.end_lineno or first  # type: ignore[attr-defined]
    return first in lines if first == last else not lines.isdisjoint(range(first, last + 1))


_LINE_BREAK = re.compile(r"\r\n?|\n")


def _lines_naming(text: str, words: tuple[str, ...]) -> dict[str, frozenset[int]]:
    """For each keyword, the lines (numbered as the parser numbers them) where it may stand: a
    keyword is one token, on its node's first line, never glued to a letter, digit or `_`
    (`is_async`, `asyncio` and `awaitable` do not count)."""
    found: dict[str, frozenset[int]] = {}
    split: list[str] | None = None
    for word in words:
        if word not in text:
            found[word] = frozenset()
        elif "\r" in text:  # line breaks `\n` alone does not count: number the lines by splitting
            split = split if split is not None else _LINE_BREAK.split(text)
            found[word] = frozenset(number for number, line in enumerate(split, 1) if word in line)
        else:
            lines: set[int] = set()
            bounded = word[0].isalnum()  # a keyword, not an operator such as `:=`
            line, counted_to = 1, 0  # from each occurrence, counting only the newlines since the last
            size, end = len(word), len(text)
            start = text.find(word)
            while start >= 0:
                before = text[start - 1] if start and bounded else " "
                after = text[start + size] if start + size < end and bounded else " "
                if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                    line += text.count("\n", counted_to, start)
                    counted_to = start
                    lines.add(line)
                start = text.find(word, start + size)
            found[word] = frozenset(lines)
    return found


def _duplicate_argument(args: ast.arguments) -> bool:
    every = args.args
    if args.posonlyargs or args.kwonlyargs or args.vararg is not None or args.kwarg is not None:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]
    return len(every) > 1 and len({a.arg for a in every}) != len(every)
