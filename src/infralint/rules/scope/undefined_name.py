"""INF101 undefined-name: a read where no binding of the name can exist at run time (NameError) —
never defined, used before its module-level definition, deleted, an `except … as` name after its
handler, imported only under `TYPE_CHECKING`, or a postponed annotation naming nothing. The message
says where the name does live (`name_hints`). Fix: `import NAME` for a standard-library module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...finding import Edit, Finding
from ...fix_data import AddImport
from .binder import ScopeAnalysis
from .name_hints import HintKind, hint_for, stdlib_import_fixable
from .problems import Problem, ReadFailure
from .scope_rule import ScopeRule
from .wording import function_name, in_function, line_of, place_of, receiver_of

if TYPE_CHECKING:
    from ...context import FileContext


class UndefinedName(ScopeRule):
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
        where = place_of(problem.scope)
        line = line_of(problem.node)
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
            function = function_name(problem.scope)
            return (
                f"`{name}` is declared `global` in `{function}` and read here before `{function}` assigns it (line "
                f"{problem.binding.line}); nothing else binds it at module level, so the first call raises NameError"
            )
        if failure is ReadFailure.DELETED:
            return f"`{name}` is deleted by the `del` at line {line_of(problem.why[1])} before this runs, so reading it raises NameError"
        if failure is ReadFailure.EXCEPT_VAR:
            handler_line = line_of(problem.why[1]) if problem.why else problem.binding.line
            error = "UnboundLocalError" if in_function(problem.scope) else "NameError"
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
            receiver = receiver_of(problem.scope, hint.scope)
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
        return self.make_fix(f"Add `import {problem.name}`", AddImport(problem.name))

    def resolve_fix(self, finding: Finding, ctx: FileContext) -> list[Edit] | None:
        from ...fixes.cst import add_import
        from ...fixes.edits import edits_between

        text = ctx.source.text
        return edits_between(text, add_import(text, finding.fix.data.module)) or None
