"""The words of the scope rules' messages: the path on which a name is unbound, the binding that
makes it local, where a read happens."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .problems import PathKind
from .scopes import Binding, Scope
from .stored_names import stores_in

if TYPE_CHECKING:
    from .binder import ScopeAnalysis


def describe_path(why, name: str, read_line: int = 0) -> str:
    """The path on which a name is unbound, in words ("if `connect()` raises at line 12")."""
    if not why or why[0] is PathKind.RAISE:
        return "if the `try` body raises before assigning it"
    kind, node = why[0], why[1]
    line = line_of(node)
    if kind is PathKind.TRY:
        owner = why[2]
        failing = _failing_part(node)
        if isinstance(owner, (ast.With, ast.AsyncWith)):
            context = _context_of(owner)
            return f"{failing} and `{context}` (line {line_of(owner)}) swallows the exception"
        return failing
    if kind is PathKind.IF_BRANCH:
        return f"when `{_source(node.test)}` (line {line}) is true"
    if kind is PathKind.IF_ELSE:
        head, last = why[1], why[2]
        if head is last and not _has_elif(head):
            return f"when `{_source(head.test)}` (line {line}) is false"
        return f"when none of the conditions of the `if`/`elif` chain at line {line} holds{_chain_bindings(head, last, name)}"
    if kind is PathKind.LOOP_ZERO:
        if isinstance(node, ast.While):
            return f"if `{_source(node.test)}` is false on entry to the loop at line {line} (it runs zero times)"
        return f"if `{_source(node.iter)}` is empty (the loop at line {line} runs zero times)"
    if kind is PathKind.LOOP_FIRST:
        if why[2] == read_line:
            return f"on the first iteration of the loop at line {line}: this statement reads it before assigning it"
        if why[2] < read_line:  # assigned above the read, but not on every way to it
            return f"on the first iteration of the loop at line {line} when the assignment at line {why[2]} is skipped"
        return f"on the first iteration of the loop at line {line}: it is only assigned later in the loop body (line {why[2]})"
    if kind in (PathKind.LOOP_PARTIAL, PathKind.LOOP_BODY):
        return f"on some paths through the loop at line {line}"
    if kind is PathKind.LOOP_DEL:
        return f"after the `del` inside the loop at line {line}"
    if kind is PathKind.DEL:
        return f"after `del {name}` at line {line}"
    if kind is PathKind.EXCEPT_END:
        return f"after the `except … as {name}` handler at line {line} ends (Python deletes the name)"
    if kind is PathKind.HANDLER:
        return f"when the `except` at line {line} handles an exception"
    if kind is PathKind.CASE:
        return f"when the `case` at line {line_of(node.pattern)} matches"
    if kind is PathKind.CASE_NONE:
        return f"when no `case` of the `match` at line {line} matches"
    if kind is PathKind.BREAK:
        return f"when the loop is left by the `break` at line {line}"
    if kind is PathKind.CONTINUE:
        return f"when the `continue` at line {line} skips the assignment"
    if kind is PathKind.SUPPRESS:
        return f"when `{_context_of(node)}` at line {line} swallows an exception"
    if kind is PathKind.TRY_OK:
        return f"when the `try` at line {line} completes without an exception"
    return f"on some path through line {line}"


def describe_binding(binding: Binding, analysis: ScopeAnalysis) -> str:
    node, name = binding.node, binding.name
    if binding.kind == "import":
        if isinstance(node, ast.Import):
            alias = next((a for a in node.names if (a.asname or a.name.split(".")[0]) == name), node.names[0])
            return f"`import {alias.name}{' as ' + alias.asname if alias.asname else ''}`"
        alias = next((a for a in node.names if (a.asname or a.name) == name), node.names[0])
        module = "." * node.level + (node.module or "")
        return f"`from {module} import {alias.name}{' as ' + alias.asname if alias.asname else ''}`"
    return {
        "for": f"loop variable `{name}`",
        "def": f"`def {name}`",
        "class": f"`class {name}`",
        "with": f"`with … as {name}`",
        "except": f"`except … as {name}`",
        "annotation": f"annotation `{name}: …`",
        "del": f"`del {name}`",
        "match": f"`case` capture `{name}`",
        "walrus": f"`{name} := …`",
    }.get(binding.kind, f"assignment to `{name}`")


def _failing_part(node: ast.AST) -> str:
    """The raising point of a `try` body in words, with its line: "if `connect()` raises at line 12"."""
    line = line_of(node)
    if isinstance(node, ast.Import):
        return f"if `import {', '.join(a.name for a in node.names)}` fails at line {line}"
    if isinstance(node, ast.ImportFrom):
        return f"if `from {'.' * node.level}{node.module or ''} import …` fails at line {line}"
    if isinstance(node, ast.Raise):
        return f"when the `raise` at line {line} runs"
    if isinstance(node, ast.Assert):
        return f"if the `assert` at line {line} fails"
    if isinstance(node, ast.ClassDef):
        return f"if the body of class `{node.name}` (line {line}) raises"
    if isinstance(node, (ast.Tuple, ast.List)):
        targets = ", ".join(_source(element) for element in node.elts)
        return f"if unpacking into `{targets}` fails at line {line}"
    if isinstance(node, ast.AugAssign):
        return f"if `{_source(node.target)} {_OPERATORS.get(node.op.__class__, '?')}= …` raises at line {line}"
    if isinstance(node, ast.stmt):  # a statement that gave no narrower part
        return f"if the statement at line {line} raises"
    return f"if `{_source(node)}` raises at line {line}"


_OPERATORS = {ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%"}


def _context_of(node: ast.AST) -> str:
    for item in getattr(node, "items", ()):
        if isinstance(item.context_expr, ast.Call):
            return _source(item.context_expr.func) + "(...)"
    return "the context manager"


def _source(node: ast.AST, limit: int = 60) -> str:
    try:
        text = ast.unparse(node)
    except RecursionError:  # nested deeper than the printer goes: show its start only
        text = "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MAX_NAMED_BRANCHES = 4


def _chain_bindings(head: ast.If, last: ast.If, name: str) -> str:
    """Which branches of an `if`/`elif` chain bind `name`, and the `else` that does not (or its absence)."""
    links, node = [head], head
    while node is not last and len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
        node = node.orelse[0]
        links.append(node)
    binding = [link for link in links if name in stores_in(link.body)[0]]
    if not binding:
        return ""
    named = [f"the `{'if' if link is head else 'elif'}` at line {link.lineno}" for link in binding[:_MAX_NAMED_BRANCHES]]
    if len(binding) > _MAX_NAMED_BRANCHES:
        named.append(f"{len(binding) - _MAX_NAMED_BRANCHES} more branches")
    branches = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    otherwise = f"the `else` at line {last.orelse[0].lineno} does not" if last.orelse else "there is no `else`"
    return f" ({branches} bind{'s' if len(binding) == 1 else ''} it; {otherwise})"


def _has_elif(node: ast.If) -> bool:
    return len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)


def line_of(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def _function_of(scope: Scope) -> Scope | None:
    while scope is not None and scope.kind == "comprehension":
        scope = scope.parent
    return scope if scope is not None and scope.kind == "function" else None


def in_function(scope: Scope) -> bool:
    return _function_of(scope) is not None


def function_name(scope: Scope) -> str:
    function = _function_of(scope)
    return function.name if function is not None else "<module>"


def place_of(scope: Scope) -> str:
    function = _function_of(scope)
    if function is None:
        return " at module level" if scope.kind == "module" else f" in the body of class `{scope.name}`"
    return f" in `{function.name}`"


def receiver_of(method_scope: Scope, owner: Scope) -> str:
    """`self`, `cls` or the class name, by the method's first parameter and decorators."""
    function = _function_of(method_scope)
    while function is not None and function.parent is not owner:
        function = _function_of(function.parent)
    node = function.node if function is not None else None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        decorators = {getattr(d, "id", getattr(d, "attr", None)) for d in node.decorator_list}
        if "staticmethod" in decorators:
            return owner.name
        params = [*node.args.posonlyargs, *node.args.args]
        if params:
            return params[0].arg
    return "self"
