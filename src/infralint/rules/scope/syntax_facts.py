"""Facts read off the syntax alone: conditions, statements that cannot raise, literal iterables.

The scope analysis asks these while it walks; none of them looks beyond the nodes it is given.
"""

from __future__ import annotations

import ast
from .problems import PathKind


def parent_within(root: ast.AST, node: ast.AST) -> ast.AST | None:
    """The parent of `node` inside `root`'s subtree (a local search; no whole-file parent map)."""
    for candidate in ast.walk(root):
        for child in ast.iter_child_nodes(candidate):
            if child is node:
                return candidate
    return None


def negated_name(test: ast.expr) -> str | None:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
        return test.operand.id
    return None


def tests_existence(test: ast.expr, name: str) -> bool:
    """`"name" in locals()` (or `vars()`, `dir()`, `globals()`)."""
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Constant)
        and test.left.value == name
        and len(test.comparators) == 1
        and isinstance(test.ops[0], ast.In)
        and isinstance(test.comparators[0], ast.Call)
        and getattr(test.comparators[0].func, "id", None) in ("locals", "vars", "dir", "globals")
    )


def catches_name_error(handler_type: ast.expr | None) -> bool:
    if handler_type is None:
        return True
    types = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    for node in types:
        tail = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if tail in ("NameError", "UnboundLocalError"):
            return True
    return False


def is_globals_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("globals", "vars")


def chain_tests(why: tuple) -> list[ast.expr]:
    if why[0] is PathKind.IF_BRANCH:
        return [why[1].test]
    head, last = why[1], why[2]
    tests = []
    node = head
    while True:
        tests.append(node.test)
        if node is last or len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
            break
        node = node.orelse[0]
    return tests


def annotation_subscript_parts(node: ast.Subscript) -> list[ast.AST]:
    """`Literal["a"]` holds values, not names; `Annotated[T, "meta"]` only its first part is a type."""
    base = node.value
    tail = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
    if tail == "Literal":
        return [base]
    if tail == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
        return [base, node.slice.elts[0]]
    return [base, node.slice]


def strip_not(test: ast.expr) -> tuple[ast.expr, bool]:
    """`not not x` → (`x`, False), `not x` → (`x`, True): the operand under any number of `not`s."""
    negated = False
    while test.__class__ is ast.UnaryOp and test.op.__class__ is ast.Not:
        test, negated = test.operand, not negated
    return test, negated


def static_test(test: ast.expr):
    """'typing' for `if TYPE_CHECKING`, 'not-typing' for its negation, True/False for constants."""
    test, negated = strip_not(test)
    cls = test.__class__  # asked of every `if` test: most are none of these
    if cls is ast.Constant:
        return bool(test.value) != negated
    if cls is ast.Name:
        typing = test.id == "TYPE_CHECKING"
    elif cls is ast.Attribute:
        typing = test.attr == "TYPE_CHECKING"
    elif cls is ast.BoolOp:
        # `if sys.version_info >= (3, 11) and TYPE_CHECKING:` never runs either
        typing = test.op.__class__ is ast.And and any(static_test(v) == "typing" for v in test.values)
    else:
        return None
    if not typing:
        return None
    return "not-typing" if negated else "typing"


def may_raise(stmt: ast.stmt) -> bool:
    cls = stmt.__class__
    if cls in (ast.Pass, ast.Global, ast.Nonlocal, ast.Break, ast.Continue):
        return False
    if cls is ast.Expr:
        return stmt.value.__class__ is not ast.Constant
    if cls is ast.Assign:
        return not (trivial_value(stmt.value) and all(t.__class__ is ast.Name for t in stmt.targets))
    if cls is ast.AnnAssign:
        return not (stmt.value is None or trivial_value(stmt.value)) or stmt.target.__class__ is not ast.Name
    return True


def trivial_value(value: ast.expr) -> bool:
    """Values whose evaluation cannot raise (in practice): constants, names, `a is None`."""
    cls = value.__class__
    if cls is ast.Constant or cls is ast.Name:
        return True
    if cls is ast.Compare:
        return all(op.__class__ in (ast.Is, ast.IsNot) for op in value.ops) and all(
            trivial_value(operand) for operand in (value.left, *value.comparators)
        )
    if cls is ast.UnaryOp:
        if value.op.__class__ is not ast.Not:
            return value.operand.__class__ is ast.Constant  # `-1`
        return trivial_value(strip_not(value)[0])
    if cls in (ast.Tuple, ast.List, ast.Set):
        return all(e.__class__ is ast.Constant for e in value.elts)
    if cls is ast.Dict:
        return not value.keys
    return False


# calls and methods whose result is empty exactly when what they wrap is: `enumerate(NAMES)`, `TABLE.items()`
SAME_LENGTH_CALLS = frozenset({"enumerate", "sorted", "list", "tuple", "reversed", "iter"})
SAME_LENGTH_METHODS = frozenset({"items", "keys", "values", "copy", "splitlines"})


def unwrap_same_length(node: ast.expr) -> ast.expr:
    """`sorted(TABLE.items())` → `TABLE`: the iterable whose emptiness decides the loop's."""
    while True:
        if node.__class__ is not ast.Call or len(node.args) > 1 or node.keywords:
            return node
        func = node.func
        if func.__class__ is ast.Name and func.id in SAME_LENGTH_CALLS and node.args:
            node = node.args[0]
        elif func.__class__ is ast.Attribute and func.attr in SAME_LENGTH_METHODS and not node.args:
            node = func.value
        else:
            return node


def nonempty_iterable(node: ast.expr) -> bool:
    """A literal that certainly yields at least one item: `(a, b)`, `"ab"`, `range(3)`, `path.split("/")`."""
    cls = node.__class__
    if cls in (ast.Tuple, ast.List, ast.Set):
        return any(e.__class__ is not ast.Starred for e in node.elts)
    if cls is ast.Dict:
        return any(k is not None for k in node.keys)
    if cls is ast.Constant:
        return isinstance(node.value, (str, bytes)) and len(node.value) > 0
    if cls is ast.Call and isinstance(node.func, ast.Attribute) and node.func.attr in ("split", "rsplit"):
        if node.args and not (isinstance(node.args[0], ast.Constant) and node.args[0].value is None):
            return True  # splitting on a separator yields at least one part, even of ""
        text = node.func.value
        return not node.args and isinstance(text, ast.Constant) and isinstance(text.value, str) and bool(text.value.split())
    if cls is ast.Attribute and node.attr == "__dict__":
        return True  # a module's or class's namespace always holds its dunders
    if cls is ast.Call and isinstance(node.func, ast.Name) and node.func.id == "range" and not node.keywords:
        values = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, int)]
        return len(values) == len(node.args) and range_nonempty(values)
    return False


def range_nonempty(values: list[int]) -> bool:
    """`range(*values)` yields something (a step, the third argument, is not judged)."""
    if len(values) == 1:
        return values[0] > 0
    if len(values) == 2:
        return values[0] < values[1]
    return False


def matches_constant(pattern: ast.AST, subject: ast.expr) -> bool:
    """`match 0: case 0:` — a literal subject certainly matches a pattern of the same literal."""
    if not isinstance(subject, ast.Constant):
        return False
    if isinstance(pattern, ast.MatchSingleton):
        return pattern.value is subject.value
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        value = pattern.value.value
        return type(value) is type(subject.value) and value == subject.value
    if isinstance(pattern, ast.MatchOr):
        return any(matches_constant(p, subject) for p in pattern.patterns)
    return False


def irrefutable(pattern: ast.AST) -> bool:
    if isinstance(pattern, ast.MatchAs):
        return pattern.pattern is None or irrefutable(pattern.pattern)
    if isinstance(pattern, ast.MatchOr):
        return any(irrefutable(p) for p in pattern.patterns)
    return False


def starts_within(node: ast.AST, outer: ast.AST) -> bool:
    """`node` starts within `outer`'s lines (a loop inside a `try` body)."""
    start, end = getattr(outer, "lineno", 0), getattr(outer, "end_lineno", 0)
    return start <= getattr(node, "lineno", -1) <= end


def globals_writes(statement: ast.AST, call: ast.Call) -> list[tuple[str, ast.AST]] | None:
    """The module globals a use of `globals()` creates: none for a read (`globals()[k]`, `.get(k)`,
    `.pop(k)`, `k in globals()`), the literal keys of `globals()["x"] = …`, `.setdefault("x", …)`,
    `.update(x=…)` — or None when it may create names nobody can see."""
    parent = parent_within(statement, call)
    if isinstance(parent, ast.Subscript) and parent.value is call:
        if isinstance(parent.ctx, ast.Load):
            return []
        key = parent.slice
        return [(key.value, parent)] if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    if isinstance(parent, ast.Attribute) and parent.value is call:
        if parent.attr in ("get", "copy", "items", "keys", "values", "__contains__", "pop"):
            return []
        method_call = parent_within(statement, parent)
        if not isinstance(method_call, ast.Call) or method_call.func is not parent:
            return None
        if parent.attr == "setdefault" and method_call.args:
            key = method_call.args[0]
            return [(key.value, method_call)] if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
        if parent.attr == "update":
            keys = [(k.arg, method_call) for k in method_call.keywords if k.arg is not None]
            if len(keys) != len(method_call.keywords):
                return None
            for argument in method_call.args:
                if not isinstance(argument, ast.Dict) or not all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str) for k in argument.keys
                ):
                    return None
                keys.extend((k.value, method_call) for k in argument.keys)
            return keys
        return None
    return [] if isinstance(parent, ast.Compare) else None
