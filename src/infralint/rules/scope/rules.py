"""INF1xx: names that raise NameError or UnboundLocalError when the code runs.

All three rules read one shared `ScopeAnalysis` of the file; this module maps each kind of failed
read (`ReadFailure`) to its rule and turns the problems into findings whose messages say what will
fail, on which path (`PathKind`), and where the name really lives.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...finding import Edit, Finding
from ..base import Rule
from .binder import AllPathsScopeAnalysis, ScopeAnalysis
from .problems import PathKind, Problem, ReadFailure
from .scopes import Binding, Scope
from .known_names import BUILTINS
from .name_hints import HintKind, hint_for, stdlib_import_fixable
from .stored_names import stores_in

if TYPE_CHECKING:
    from ...context import FileContext


class _ScopeRule(Rule):
    """Reports the shared analysis' problems of the kinds this rule owns; each subclass words them
    with its own `message(problem, analysis)`."""

    #: the failed reads this rule reports (each kind belongs to exactly one rule)
    failures: frozenset[ReadFailure] = frozenset()

    def finish(self, ctx: FileContext) -> Iterable[Finding]:
        analysis = ctx.analysis(AllPathsScopeAnalysis if ctx.config.option("scope", "possibly-unbound") == "all" else ScopeAnalysis)
        failures = self.failures
        for problem in analysis.problems:
            if problem.kind in failures:
                yield self.report(ctx, problem.node, self.message(problem, analysis), self.fix_for(problem, analysis))

    def fix_for(self, problem: Problem, analysis: ScopeAnalysis):
        return None


class UndefinedName(_ScopeRule):
    """INF101: a read where no binding of the name can exist at run time (NameError)."""

    code = "INF101"
    failures = frozenset(
        {
            ReadFailure.UNDEFINED,
            ReadFailure.BEFORE_DEFINITION,
            ReadFailure.DELETED,
            ReadFailure.EXCEPT_VAR,
            ReadFailure.EXCEPT_CLOSURE,
            ReadFailure.GLOBAL_UNASSIGNED,
            ReadFailure.TYPING_ONLY,
            ReadFailure.LAZY_ANNOTATION,
        }
    )

    def message(self, problem: Problem, analysis: ScopeAnalysis) -> str:
        name, failure = problem.name, problem.kind
        where = _where(problem.scope)
        line = _line(problem.node)
        if failure is ReadFailure.BEFORE_DEFINITION:
            return (
                f"`{name}` is used at line {line} before its definition at line {problem.binding.line}: "
                f"module code runs top to bottom, so this raises NameError on import"
            )
        if failure is ReadFailure.EXCEPT_CLOSURE:
            return (
                f"`{name}` is only bound by the `except … as {name}` handler at line {problem.binding.line} of the enclosing "
                f"function, and Python deletes it when that handler ends: this function is defined outside the handler, "
                f"so calling it raises NameError — assign the exception to another name inside the handler"
            )
        if failure is ReadFailure.GLOBAL_UNASSIGNED:
            function = _function_name(problem.scope)
            return (
                f"`{name}` is declared `global` in `{function}` and read here before `{function}` assigns it (line "
                f"{problem.binding.line}); nothing else binds it at module level, so the first call raises NameError"
            )
        if failure is ReadFailure.DELETED:
            return f"`{name}` is deleted by the `del` at line {_line(problem.why[1])} before this runs, so reading it raises NameError"
        if failure is ReadFailure.EXCEPT_VAR:
            handler_line = _line(problem.why[1]) if problem.why else problem.binding.line
            error = "UnboundLocalError" if _in_function(problem.scope) else "NameError"
            return (
                f"`{name}` exists only inside the `except … as {name}` handler at line {handler_line}: Python deletes it "
                f"when the handler ends, so reading it here raises {error} — assign it to another name inside the handler"
            )
        if failure is ReadFailure.TYPING_ONLY:
            use = "this annotation is evaluated when the definition runs and" if problem.in_annotation else "this use"
            advice = "import it normally or quote the annotation" if problem.in_annotation else "import it normally"
            return (
                f"`{name}` is only imported under `if TYPE_CHECKING:` (line {problem.binding.line}), which never runs: "
                f"at run time the name does not exist, so {use} raises NameError — {advice}"
            )
        if failure is ReadFailure.LAZY_ANNOTATION:
            return (
                f"`{name}` in this annotation is not defined or imported anywhere in the module: "
                f"`typing.get_type_hints()` (and frameworks that call it, such as pydantic and FastAPI) raise NameError"
            )
        # undefined
        hint = hint_for(analysis, name, problem.node, problem.scope)
        if problem.in_annotation:
            head = (
                f"`{name}` in this annotation is evaluated when the definition runs (no `from __future__ import annotations`) "
                f"but is never defined or imported"
            )
        else:
            head = f"`{name}` is not defined{where}"
        if hint is None:
            return head + ("" if problem.in_annotation else ": nothing in the module or the builtins binds it, so this raises NameError")
        if hint.kind is HintKind.SIBLING_LOCAL:
            if hint.binding.kind == "import":
                return (
                    f"{head}; `{name}` is only imported inside `{hint.scope.name}` (line {hint.binding.line}), and a "
                    f"function's imports are local to it — import it at module level"
                )
            role = "a parameter" if hint.binding.kind == "arg" else "a local variable"
            return f"{head}; it is {role} of `{hint.scope.name}` (line {hint.binding.line}) — return it or pass it in"
        if hint.kind is HintKind.CLASS_ATTRIBUTE:
            receiver = _receiver(problem.scope, hint.scope)
            return (
                f"{head}; it is an attribute of class `{hint.scope.name}` (line {hint.binding.line}), and class attributes "
                f"are not visible as bare names inside methods — use `{receiver}.{name}`"
            )
        if hint.kind is HintKind.COMPREHENSION:
            return f"{head}; it exists only inside the comprehension at line {hint.binding.line}, whose variables do not leak"
        if hint.kind is HintKind.EXCEPT_VAR:
            return (
                f"{head}; it is only bound by the `except … as {name}` handler at line {hint.binding.line}, "
                f"and Python deletes it when that handler ends"
            )
        if hint.kind is HintKind.GLOBAL_DECL:
            return (
                f"{head}; `global {name}` in `{hint.scope.name}` (line {hint.binding.line}) declares a module variable, "
                f"but nothing ever assigns `{name}` at module level"
            )
        if hint.kind is HintKind.STDLIB_MODULE:
            return f"{head}; `{name}` is a standard-library module that is never imported here — add `import {name}`"
        return f"{head}: this raises NameError — did you mean `{hint.other}`?"

    def fix_for(self, problem: Problem, analysis: ScopeAnalysis):
        if problem.kind is not ReadFailure.UNDEFINED or not stdlib_import_fixable(analysis, problem.name, problem.node, problem.scope):
            return None
        return self.make_fix(f"Add `import {problem.name}`", module=problem.name)

    def resolve_fix(self, finding: Finding, ctx: FileContext) -> list[Edit] | None:
        from ...fixes.cst import add_import
        from ...fixes.edits import edits_between

        text = ctx.source.text
        return edits_between(text, add_import(text, finding.fix.data["module"])) or None


class PossiblyUnbound(_ScopeRule):
    """INF102: on at least one path the name is unbound where it is read."""

    code = "INF102"
    failures = frozenset({ReadFailure.MAYBE_UNBOUND})

    def message(self, problem: Problem, analysis: ScopeAnalysis) -> str:
        error = "UnboundLocalError" if _in_function(problem.scope) else "NameError"
        path = describe_path(problem.why, problem.name, _line(problem.node))
        return f"`{problem.name}` may be unbound here: it is not bound {path}, and then this read raises {error}"


class UnboundLocal(_ScopeRule):
    """INF103: a function-local name read before any binding on every path (UnboundLocalError)."""

    code = "INF103"
    failures = frozenset({ReadFailure.UNBOUND_LOCAL, ReadFailure.DELETED_LOCAL})

    def message(self, problem: Problem, analysis: ScopeAnalysis) -> str:
        name = problem.name
        function = _function_name(problem.scope)
        line = _line(problem.node)
        if problem.kind is ReadFailure.DELETED_LOCAL:
            return (
                f"`{name}` was deleted by the `del` at line {_line(problem.why[1])} and is not bound again before this read, "
                f"so it raises UnboundLocalError"
            )
        binding = problem.binding
        what = describe_binding(binding, analysis)
        outer = analysis.module.bindings.get(name)
        if (outer and any(b.runtime for b in outer)) or name in BUILTINS:
            shadowed = "module-level" if outer else "builtin"
            return (
                f"the {what} at line {binding.line} makes `{name}` local to `{function}`, so the {shadowed} `{name}` is not "
                f"used; the read at line {line} runs before any assignment and raises UnboundLocalError"
            )
        return (
            f"`{name}` is read at line {line} before it is bound on every path: the {what} at line {binding.line} makes it "
            f"local to `{function}`, so this raises UnboundLocalError"
        )



_RULE_OF = {failure: rule.code for rule in (UndefinedName, PossiblyUnbound, UnboundLocal) for failure in rule.failures}


def rule_code(failure: ReadFailure) -> str:
    """The code of the rule that reports a failed read of this kind."""
    return _RULE_OF[failure]


# -- wording -------------------------------------------------------------------------------------


def describe_path(why, name: str, read_line: int = 0) -> str:
    """The path on which a name is unbound, in words ("if `connect()` raises at line 12")."""
    if not why or why[0] is PathKind.RAISE:
        return "if the `try` body raises before assigning it"
    kind, node = why[0], why[1]
    line = _line(node)
    if kind is PathKind.TRY:
        owner = why[2]
        failing = _failing_part(node)
        if isinstance(owner, (ast.With, ast.AsyncWith)):
            context = _context_of(owner)
            return f"{failing} and `{context}` (line {_line(owner)}) swallows the exception"
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
        return f"when the `case` at line {_line(node.pattern)} matches"
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
    line = _line(node)
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


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def _function_of(scope: Scope) -> Scope | None:
    while scope is not None and scope.kind == "comprehension":
        scope = scope.parent
    return scope if scope is not None and scope.kind == "function" else None


def _in_function(scope: Scope) -> bool:
    return _function_of(scope) is not None


def _function_name(scope: Scope) -> str:
    function = _function_of(scope)
    return function.name if function is not None else "<module>"


def _where(scope: Scope) -> str:
    function = _function_of(scope)
    if function is None:
        return " at module level" if scope.kind == "module" else f" in the body of class `{scope.name}`"
    return f" in `{function.name}`"


def _receiver(method_scope: Scope, owner: Scope) -> str:
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
