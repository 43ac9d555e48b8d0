"""Where, in practice, a statement can raise: the points a `try` body may leave from.

A name bound in a `try` body is at risk in its handlers (and after them) only if something can raise
before the binding completes. Reading a name, a constant or an attribute, or calling `len()` or
`time.monotonic()`, is not a failing path a reader accepts; a call, an `await`, a subscript, a
`yield`, an import, an explicit `raise`, a division, an unpacking assignment are. Each raising
point has a kind, so a handler that only catches `KeyError` is not reached by an unpacking that
fails with `ValueError`, and an attribute read reaches only a handler that names `AttributeError`
(the author expects that one to fail).

Only a statement's own part is examined — the head of a compound statement (an `if` test, a `for`
iterable and its targets, a `with` item); the statements inside it are examined as they are walked.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .known_names import attribute_tails
from .stored_names import CHILD_FIELDS

ANY, LOOKUP, VALUE, ARITH = "any", "lookup", "value", "arith"
_FIELDS_LAST_FIRST = {cls: tuple(reversed(fields)) for cls, fields in CHILD_FIELDS.items()}
# failures only a handler that names them expects: `len(x)` raising TypeError under `except TypeError:`,
# `self._cache` raising AttributeError under `except AttributeError:`
TYPE, ATTRIBUTE = "type", "attribute"

# builtins that raise only TypeError, for arguments of the wrong type
TYPE_CHECKED_CALLS = frozenset({"len", "isinstance", "issubclass", "type", "super", "iter", "hash"})
# builtins and stdlib functions whose call does not raise for the arguments code gives them
SAFE_CALLS = frozenset(
    {
        "id", "callable", "hasattr", "object",
        "os.getpid", "os.getppid", "time.time", "time.monotonic", "time.perf_counter", "time.time_ns",
        "time.monotonic_ns", "time.perf_counter_ns", "time.process_time", "threading.get_ident",
        "threading.current_thread", "threading.main_thread", "threading.Lock", "threading.RLock",
        "threading.Event", "object.__new__",
    }
)
# exception classes by the kinds of failure they catch (beyond calls, which can raise anything)
_CATCHES = {
    "LookupError": {LOOKUP}, "IndexError": {LOOKUP}, "KeyError": {LOOKUP},
    "ValueError": {VALUE}, "UnicodeError": set(), "UnicodeDecodeError": set(), "UnicodeEncodeError": set(),
    "ArithmeticError": {ARITH}, "ZeroDivisionError": {ARITH}, "OverflowError": set(), "FloatingPointError": set(),
    "TypeError": {TYPE}, "AttributeError": {ATTRIBUTE},
}
# an attribute call ending in none of these is in neither set above
_LISTED_CALL_TAILS = attribute_tails(TYPE_CHECKED_CALLS | SAFE_CALLS)
EVERYTHING = frozenset({ANY, LOOKUP, VALUE, ARITH})  # what a broad handler or a `finally` is reached by
_NARROW_BUILTINS = frozenset(
    {
        "AttributeError", "TypeError", "NameError", "UnboundLocalError", "OSError", "IOError", "EnvironmentError",
        "FileNotFoundError", "PermissionError", "ImportError", "ModuleNotFoundError", "RuntimeError",
        "NotImplementedError", "StopIteration", "StopAsyncIteration", "AssertionError", "EOFError", "TimeoutError",
        "ConnectionError", "BrokenPipeError", "ConnectionResetError", "ConnectionRefusedError", "InterruptedError",
        "BlockingIOError", "ChildProcessError", "ProcessLookupError", "IsADirectoryError", "NotADirectoryError",
        "FileExistsError", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "RecursionError", "MemoryError",
        "SyntaxError", "Warning", "UserWarning", "DeprecationWarning", "BufferError", "ReferenceError",
    }
)


def caught_kinds(handler_types: list[ast.expr | None]) -> frozenset[str]:
    """The kinds of raising point the handlers of one `try` (or `suppress(...)`'s arguments) catch.

    A call can raise anything, so any handler catches calls; a subscript only reaches a handler of
    `KeyError`, `IndexError`, `LookupError`, a broad one, or one whose type is not a builtin; an
    attribute read or `len()` only a handler that names `AttributeError` or `TypeError`."""
    kinds = {ANY}
    for handler_type in handler_types:
        types = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
        for node in types:
            tail = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
            if node is None or tail is None or tail in ("Exception", "BaseException"):
                kinds |= EVERYTHING
            elif tail in _CATCHES:
                kinds |= _CATCHES[tail]
            elif tail not in _NARROW_BUILTINS:
                kinds |= EVERYTHING  # a project exception, or a tuple held in a name: assume anything
    return frozenset(kinds)


def catches_everything(handler_type: ast.expr | None) -> bool:
    """`except:`, `except BaseException:`, `except Exception:` — in practice nothing gets past it."""
    types = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    for node in types:
        tail = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if node is None or tail in ("Exception", "BaseException"):
            return True
    return False


def catches_import_error(handler_type: ast.expr | None) -> bool:
    """The handler catches a failed import (`ImportError`, `ModuleNotFoundError`, or anything)."""
    if catches_everything(handler_type):
        return True
    types = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    return any((getattr(n, "attr", None) or getattr(n, "id", None)) in ("ImportError", "ModuleNotFoundError") for n in types)


def raising_parts(stmt: ast.stmt, qualified_name: Callable[[ast.expr], str | None]) -> list[tuple[ast.AST, str]]:
    """The points of `stmt`'s own part that can raise, in evaluation order, each with its kind."""
    cls = stmt.__class__
    found: list[tuple[ast.AST, str]] = []
    if cls in (ast.Raise, ast.Import, ast.ImportFrom, ast.ClassDef):
        return [(stmt, ANY)]
    if cls is ast.Assert:
        if not (isinstance(stmt.test, ast.Constant) and stmt.test.value):
            found.append((stmt, ANY))
        return found
    if cls in (ast.Pass, ast.Global, ast.Nonlocal, ast.Break, ast.Continue, ast.Try) or cls.__name__ == "TryStar":
        return found
    if cls in (ast.If, ast.While):
        _expression(stmt.test, found, qualified_name)
    elif cls in (ast.For, ast.AsyncFor):
        _expression(stmt.iter, found, qualified_name)
        if cls is ast.AsyncFor:
            found.append((stmt, ANY))
        _target(stmt.target, found, qualified_name)
    elif cls in (ast.With, ast.AsyncWith):
        for item in stmt.items:
            _expression(item.context_expr, found, qualified_name)
            if cls is ast.AsyncWith:
                found.append((item.context_expr, ANY))
            if item.optional_vars is not None:
                _target(item.optional_vars, found, qualified_name)
    elif cls is ast.Match:
        _expression(stmt.subject, found, qualified_name)
    elif cls in (ast.FunctionDef, ast.AsyncFunctionDef):
        for part in (*stmt.decorator_list, *stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d is not None)):
            _expression(part, found, qualified_name)
    elif cls is ast.Assign:
        _expression(stmt.value, found, qualified_name)
        for target in stmt.targets:
            _target(target, found, qualified_name)
    elif cls in (ast.AugAssign, ast.AnnAssign):
        if stmt.value is not None:
            _expression(stmt.value, found, qualified_name)
        if cls is ast.AugAssign and stmt.op.__class__ in (ast.Div, ast.FloorDiv, ast.Mod):
            found.append((stmt, ARITH))
        _target(stmt.target, found, qualified_name)
    elif cls is ast.Delete:
        for target in stmt.targets:
            _target(target, found, qualified_name)
    else:  # Expr, Return, TypeAlias
        value = getattr(stmt, "value", None)
        if value is not None:
            _expression(value, found, qualified_name)
    return found


def _target(target: ast.expr, found: list, qualified_name) -> None:
    """Assigning to a target: unpacking can fail, and so can storing into a subscript."""
    if target.__class__ in (ast.Tuple, ast.List):
        found.append((target, VALUE))
    _expression(target, found, qualified_name)


def _expression(node: ast.expr, found: list, qualified_name) -> None:
    stack = [node]
    fields_of = _FIELDS_LAST_FIRST
    while stack:
        current = stack.pop()
        cls = current.__class__
        if cls is ast.Lambda:
            continue  # its body runs when called
        if cls is ast.Call:
            func = current.func
            called = None if func.__class__ is ast.Attribute and func.attr not in _LISTED_CALL_TAILS else qualified_name(func)
            if called in TYPE_CHECKED_CALLS:
                found.append((current, TYPE))
            elif called not in SAFE_CALLS:
                found.append((current, ANY))
        elif cls is ast.Attribute:
            if current.ctx.__class__ is ast.Load:
                found.append((current, ATTRIBUTE))
        elif cls is ast.Await or cls is ast.Yield or cls is ast.YieldFrom:
            found.append((current, ANY))
        elif cls is ast.Subscript:
            if not _is_type_subscript(current):
                found.append((current, LOOKUP))
        elif cls is ast.BinOp:
            if current.op.__class__ in (ast.Div, ast.FloorDiv, ast.Mod) and not (
                current.op.__class__ is ast.Mod and isinstance(current.left, (ast.Constant, ast.JoinedStr))
            ):
                found.append((current, ARITH))  # `"%s" % x` formats; `a % b` divides
            else:
                found.append((current, TYPE))
        for field in fields_of.get(cls, ()):  # pushed last-first so they pop in evaluation order
            value = getattr(current, field)
            if value is None:
                continue
            if value.__class__ is list:
                stack.extend(item for item in reversed(value) if item is not None)
            else:
                stack.append(value)


def _is_type_subscript(node: ast.Subscript) -> bool:
    """`list[int]`, `Optional[str]`: generic aliases built from builtin or typing names do not fail."""
    value = node.value
    name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", None)
    return name in ("list", "dict", "set", "tuple", "frozenset", "type", "Optional", "Union", "List", "Dict", "Tuple")
