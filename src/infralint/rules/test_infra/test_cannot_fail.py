"""INF404: a test that passes without checking anything."""

from __future__ import annotations

import ast
from typing import Iterable

from ...analysis.handlers import caught_names
from ...analysis.names import ImportMap, dotted_name
from ...finding import Finding
from ..base import Rule
from .test_code import TestCode
from .assertions import (
    BROAD_EXCEPTIONS,
    failure_kind,
    handler_catches,
    handler_swallows,
    is_assert_true_call,
    is_constant_true,
    is_reporting_call,
    only_reports,
    truthiness,
)
from .service_words import expression_text, mentioned_word, string_parts
from .test_functions import FunctionNode, TestLayout

_SCOPES = (*FunctionNode, ast.ClassDef, ast.Lambda)


def _body_without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _is_harmless(stmt: ast.stmt) -> bool:
    """`pass`, `...`, a string, a print or a log call: statements that cannot make a test fail."""
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    return is_reporting_call(stmt)


def _is_true_check(stmt: ast.AST) -> bool:
    if isinstance(stmt, ast.Assert):
        return is_constant_true(stmt.test)
    return isinstance(stmt, ast.Expr) and is_assert_true_call(stmt.value)


def _fails(statements: list[ast.stmt], imports) -> bool:
    return any(failure_kind(n, imports) for s in statements for n in ast.walk(s))


def _failure_caught_by(handler: ast.ExceptHandler, try_node: ast.Try, imports) -> tuple[ast.AST, str] | None:
    """The failing check of a `try` body (`assert False`) when the handler itself catches it."""
    for statement in try_node.body:
        for node in ast.walk(statement):
            kind = failure_kind(node, imports)
            if kind:
                if not handler_catches(handler, kind):
                    return None
                return node, (ast.unparse(node) if len(ast.unparse(node)) <= 40 else "the failing check")
    return None


def _checks(statements: list[ast.stmt], besides: ast.AST) -> bool:
    """Whether the statements make a real check other than `besides` (an assert, an assert* call)."""
    for stmt in statements:
        for node in ast.walk(stmt):
            if node is besides or (isinstance(node, ast.Expr) and node.value is besides):
                continue
            if isinstance(node, ast.Assert) and not is_constant_true(node.test):
                return True
            if isinstance(node, ast.Call) and not is_assert_true_call(node):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name.startswith(("assert", "fail")):
                    return True
    return False


def _texts(statements: list[ast.stmt]) -> str:
    """The string literals of a branch: its prints, log calls and assertion messages."""
    return " ".join(string_parts(n) for s in statements for n in ast.walk(s) if isinstance(n, (ast.Constant, ast.JoinedStr)))


class TestCannotFail(Rule):
    """INF404: always-true assertions, placeholder tests, swallowed failures."""

    code = "INF404"
    node_types = (*FunctionNode, ast.Assert, ast.Call, ast.Raise)
    call_names = frozenset({"fail", "assertTrue", "assert_"})

    def applies_to(self, ctx) -> bool:
        return ctx.analysis(TestCode).is_test_code and ("assert" in ctx.source.text or "try" in ctx.source.text)

    def visit(self, node: ast.AST, ctx) -> Iterable[Finding]:
        if isinstance(node, FunctionNode):
            yield from self._visit_test(node, ctx)
            return
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in self.call_names:
                return  # the engine filters by `call_names` too; `visit` stays right on its own
        elif isinstance(node, ast.Raise):
            if node.exc is None or "AssertionError" not in (dotted_name(getattr(node.exc, "func", node.exc)) or ""):
                return
        always_true = self._always_true(node) if isinstance(node, ast.Assert) else None
        true_check = _is_true_check(node) or (isinstance(node, ast.Call) and is_assert_true_call(node))
        imports = lambda: ctx.analysis(ImportMap)  # noqa: E731 - resolved only when a name needs it
        kind = failure_kind(node, imports)
        if not (always_true or true_check or kind):
            return
        found = ctx.analysis(TestLayout).test_around(node)
        if found is None:
            return
        test, chain = found
        if always_true:
            yield self.report(ctx, node, always_true)
        elif true_check:
            if not self._is_placeholder(test):
                verdict = self._unavailable_branch(node, chain, test, ctx, imports) or self._trailing_only(node, test)
                if verdict:
                    yield self.report(ctx, node, verdict.format(test=test.name))
        elif kind:
            verdict = self._swallowed(node, chain, kind, test, imports)
            if verdict:
                yield self.report(ctx, node, verdict)

    def _visit_test(self, node, ctx) -> Iterable[Finding]:
        """Whole-test shapes: the body wrapped in a swallowing `try`, or only `assert True`."""
        body = _body_without_docstring(node.body)
        if not body or not isinstance(body[-1], (ast.Try, ast.Assert, ast.Expr, ast.Pass)):
            return
        if not ctx.analysis(TestLayout).is_test_function(node):
            return
        imports = lambda: ctx.analysis(ImportMap)  # noqa: E731
        wrapped = self._wrapped_body(node, body, imports)
        if wrapped is not None:
            yield self.report(ctx, wrapped[0], wrapped[1])
        elif self._is_placeholder(node):
            check = next(s for s in body if _is_true_check(s))
            shown = expression_text(ctx.source, check) or "assert True"
            yield self.report(
                ctx, check,
                f"`{node.name}` only checks `{shown}`: it exercises nothing and passes whatever the code does - "
                f"a placeholder counted as a passing test",
            )

    @staticmethod
    def _is_placeholder(function) -> bool:
        body = _body_without_docstring(function.body)
        return bool(body) and any(_is_true_check(s) for s in body) and all(_is_true_check(s) or _is_harmless(s) for s in body)

    # -- the shapes -----------------------------------------------------------------------------

    @staticmethod
    def _trailing_only(check: ast.AST, function) -> str | None:
        """The test's last statement is `assert True` and nothing else in it checks anything."""
        body = _body_without_docstring(function.body)
        last = body[-1] if body else None
        if not (last is check or (isinstance(last, ast.Expr) and last.value is check)):
            return None
        if _checks(body, check) or any(isinstance(n, (ast.Try, ast.With, ast.AsyncWith, ast.Raise)) for s in body for n in ast.walk(s)):
            return None  # other checks, or a context manager / handler that may check (`pytest.raises`)
        return (
            "`{test}` only asserts a trailing `assert True` after the code under test: it proves only that nothing raised "
            "- assert on what the code returned or changed"
        )

    @staticmethod
    def _always_true(node: ast.Assert) -> str | None:
        test = node.test
        if truthiness(test) is not True or is_constant_true(test):
            return None
        if isinstance(test, ast.Tuple):
            return (
                "this assert can never fail: its condition is a non-empty tuple, which is always true - "
                "the parentheses made the message part of the condition; write `assert condition, message`"
            )
        if isinstance(test, ast.BoolOp):
            operand = next((v for v in test.values if truthiness(v) is True), None)
            shown = ast.unparse(operand) if operand is not None else "an operand"
            if len(shown) > 40:
                shown = shown[:37] + "..."
            return f"this assert can never fail: `{shown}` in its `or` is always true, so the whole condition is"
        if isinstance(test, (ast.Constant, ast.JoinedStr)):
            return "this assert can never fail: its condition is a non-empty string literal, which is always true"
        return "this assert can never fail: its condition is a literal that is always true"

    @staticmethod
    def _wrapped_body(function, body: list[ast.stmt], imports):
        """(the try, message) when the whole test is one `try` whose broad handler swallows everything."""
        # guards first (`if not ready: pytest.skip(...)`), then one `try` holding the rest
        while len(body) > 1 and isinstance(body[0], ast.If) and not body[0].orelse and all(
            isinstance(s, (ast.Return, ast.Pass)) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)) for s in body[0].body
        ):
            body = body[1:]
        if len(body) != 1 or not isinstance(body[0], ast.Try):
            return None
        try_node = body[0]
        if _fails(try_node.finalbody, imports) or any(isinstance(n, ast.Assert) for s in try_node.orelse for n in ast.walk(s)):
            return None
        for stmt in try_node.body:
            for inner in ast.walk(stmt):
                kind = failure_kind(inner, imports)
                if kind and not any(handler_catches(h, kind) for h in try_node.handlers):
                    return None  # `try: call(); pytest.fail(...) except Exception: pass` can fail
        for handler in try_node.handlers:
            caught = caught_names(handler)
            if set(caught) & BROAD_EXCEPTIONS and only_reports(handler.body, imports):
                shown = "bare `except`" if handler.type is None else f"`except {', '.join(caught)}`"
                return try_node, (
                    f"the whole body of `{function.name}` is inside a `try` whose {shown} (line {handler.lineno}) "
                    f"neither re-raises nor fails: every error, a failed assert included, is swallowed and the test passes"
                )
        return None

    @staticmethod
    def _swallowed(node: ast.AST, chain: list[ast.AST], kind: str, function, imports) -> str | None:
        """The check is inside a `try` whose handler catches its failure and drops it."""
        child = node
        for parent in chain:
            if parent is function or isinstance(parent, _SCOPES):
                return None
            if isinstance(parent, ast.Try) and any(child is s for s in parent.body):
                if child is parent.body[0] and child is not node and not isinstance(child, (ast.With, ast.AsyncWith)):
                    return None  # `try: if …: assert False` raises on purpose to capture the error
                if child is parent.body[0] and child is node:
                    return None  # `try: assert False` raises on purpose to capture the error
                for handler in parent.handlers:
                    if handler_catches(handler, kind):
                        if not handler_swallows(handler, imports):
                            return None
                        wrapped = TestCannotFail._wrapped_body(function, _body_without_docstring(function.body), imports)
                        if wrapped is not None and wrapped[0] is parent:
                            return None  # reported once, as the whole body being wrapped
                        shown = "bare `except`" if handler.type is None else f"`except {', '.join(caught_names(handler))}`"
                        return (
                            f"this failure is caught by the {shown} at line {handler.lineno}, which neither re-raises "
                            f"nor fails: the check can never fail `{function.name}`"
                        )
            child = parent
        return None

    def _unavailable_branch(self, check: ast.AST, chain: list[ast.AST], function, ctx, imports) -> str | None:
        """`assert True` in the branch taken when a service is unavailable, with no failing sibling branch."""
        words = tuple(self.option("service-words"))
        child = check
        for parent in chain:
            if parent is function or isinstance(parent, _SCOPES):
                return None
            if isinstance(parent, ast.If) and child is not parent.test:
                branch, other = (parent.body, parent.orelse) if any(child is s for s in parent.body) else (parent.orelse, parent.body)
                condition = expression_text(ctx.source, parent.test)
                if _fails(other, imports) or _checks(branch, check):
                    return None  # `if ok: assert True / else: assert False` is a real check
                word = mentioned_word(condition, words) or mentioned_word(_texts(branch), words)
                if word:
                    return (
                        f"`assert True` in the branch taken when `{condition[:60]}` ({word}) makes `{{test}}` pass "
                        f"without testing anything whenever the service is unavailable - fail there instead"
                    )
                return None
            if isinstance(parent, ast.ExceptHandler):
                caught = ", ".join(caught_names(parent))
                try_node = chain[chain.index(parent) + 1] if chain.index(parent) + 1 < len(chain) else None
                caught_failure = _failure_caught_by(parent, try_node, imports) if isinstance(try_node, ast.Try) else None
                if caught_failure is not None and not _checks(parent.body, check):
                    return (
                        f"`assert True` in the `except {caught}` handler checks nothing, and the handler also catches the "
                        f"`{caught_failure[1]}` at line {caught_failure[0].lineno} of its `try`: `{{test}}` can never fail"
                    )
                if isinstance(try_node, ast.Try) and (_fails(try_node.body, imports) or _checks(parent.body, check)):
                    return None  # `try: call(); assert False / except Error: assert True` expects the error
                word = mentioned_word(caught, words) or mentioned_word(_texts(parent.body), words)
                if word:
                    return (
                        f"`assert True` in the `except {caught}` handler ({word}) makes `{{test}}` pass "
                        f"without testing anything whenever the service is unavailable - fail there instead"
                    )
                return None
            child = parent
        return None
