"""INF402: a critical test that skips itself when a service is missing (skipped is green)."""

from __future__ import annotations

import ast
import re
from typing import Iterable

from ...analysis.handlers import caught_names
from ...analysis.names import ImportMap
from ...finding import Edit, Finding
from ...fix_data import FailInsteadOfSkip
from ..base import Rule
from .test_code import TestCode
from .service_words import (
    expression_text,
    is_platform_condition,
    mentioned_word,
    string_parts,
)
from .ci_conditions import true_in_ci
from .skips import Skip, skip_of_bare_mark, skip_of_call, skip_of_raise
from .test_functions import FunctionNode, TestLayout

_BROAD = {"Exception", "BaseException"}
_CONNECTION_HINTS = ("connection", "timeout", "oserror", "socket", "refused", "operational", "unavailable", "docker", "redis", "interfaceerror", "ioerror")
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
_SKIP_WORDS = ("skip", "Skip")
_COLLECTION_HOOK = "pytest_collection_modifyitems"


def _added_as_marker(skip: Skip, ctx) -> bool:
    """`item.add_marker(pytest.mark.skip(...))`: the mark is applied to each collected item."""
    parent = ctx.source.parents.get(skip.node)
    return isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr == "add_marker"


def _imported_modules(statements: list[ast.stmt]) -> set[str]:
    found = set()
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                if isinstance(node.args[0].value, str) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
                    found.add(node.args[0].value.split(".")[0])
    return found


def _only_import_errors(handler: ast.ExceptHandler) -> bool:
    caught = caught_names(handler)
    return bool(caught) and all(name in _IMPORT_ERRORS for name in caught)


def _optional_library_flag(condition: ast.expr, tree: ast.Module, service_modules: set[str]) -> bool:
    """`not H2_AVAILABLE` where a module-level `try: import h2 … except ImportError: H2_AVAILABLE = False`
    sets the flag: the skip is about an optional library, not a service."""
    if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
        condition = condition.operand
    if not isinstance(condition, ast.Name):
        return False
    for statement in tree.body:
        if not isinstance(statement, ast.Try):
            continue
        for handler in statement.handlers:
            if not _only_import_errors(handler):
                continue
            assigned = {t.id for s in handler.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
            if condition.id in assigned:
                modules = _imported_modules(statement.body)
                return bool(modules) and not (modules & service_modules)
    return False


# `not os.environ.get("REDIS_URL")`: the environment provides no endpoint for a service
_ENDPOINT_VARIABLE = re.compile(r"(?:environ|getenv)[^\n]*?[\"'](?P<name>[A-Z0-9_]*(?:_URL|_URI|_HOST|_DSN|_ENDPOINT|_ADDR|_ADDRESS|_CONNECTION_STRING))[\"']")


def _service_mention(text: str, words) -> str | None:
    """The service word a condition or reason mentions, or the endpoint variable it reads."""
    endpoint = _ENDPOINT_VARIABLE.search(text)
    return endpoint.group("name") if endpoint else mentioned_word(text, words)


def _selects_configuration(condition: ast.expr | None) -> bool:
    """`url.startswith("redis")`, `backend != "redis"`, `isinstance(app.backend, RedisBackend)`:
    the suite was configured for another service, which is a matrix choice, not a missing service."""
    if condition is None:
        return False
    if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
        return _selects_configuration(condition.operand)
    if isinstance(condition, ast.BoolOp):
        return all(_selects_configuration(v) for v in condition.values)
    if isinstance(condition, ast.Compare):
        operands = [condition.left, *condition.comparators]
        return any(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands)
    if isinstance(condition, ast.Call):
        func = condition.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in ("startswith", "endswith", "isinstance", "issubclass")
    return False


class SkipOnMissingService(Rule):
    """INF402: skips in critical suites that turn a missing service into a green run."""

    code = "INF402"
    node_types = (ast.Call, ast.Raise, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign)

    def applies_to(self, ctx) -> bool:
        source = ctx.source
        if not ctx.analysis(TestCode).is_test_code or not any(w in source.text for w in _SKIP_WORDS):
            return False
        if source.matches_any(self.option("critical-paths")):
            return True
        return any(marker in source.text for marker in self.option("critical-markers"))

    # -- finding the skips ------------------------------------------------------------------

    def visit(self, node: ast.AST, ctx) -> Iterable[Finding]:
        imports = ctx.analysis(ImportMap)
        if isinstance(node, ast.Call):
            skip = skip_of_call(node, imports)
            if skip is None:
                return
            yield from self._judge(skip, ctx)
        elif isinstance(node, ast.Raise):
            skip = skip_of_raise(node, imports)
            if skip is not None:
                yield from self._judge(skip, ctx)
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
                values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
                for value in values:
                    skip = skip_of_bare_mark(value, imports)
                    if skip is not None:
                        yield from self._judge(skip, ctx)
        else:
            for decorator in node.decorator_list:
                skip = skip_of_bare_mark(decorator, imports)
                if skip is not None:
                    yield from self._judge(skip, ctx)

    # -- is it critical, and does it skip for a missing service? ---------------------------

    def _subject(self, skip: Skip, ctx) -> tuple[ast.AST | None, str] | None:
        """(the definition the skip belongs to, how to name it) when it is in a critical suite."""
        layout = ctx.analysis(TestLayout)
        parent = ctx.source.parents.get(skip.node)
        if isinstance(parent, (*FunctionNode, ast.ClassDef)) and skip.node in parent.decorator_list:
            owner = parent
        else:
            owner = next((p for p in ctx.source.ancestors(skip.node) if isinstance(p, (*FunctionNode, ast.ClassDef))), None)
        path_critical = ctx.source.matches_any(self.option("critical-paths"))
        if not path_critical:
            markers = layout.markers(owner, ctx.analysis(ImportMap)) if owner is not None else layout.module_markers(ctx.analysis(ImportMap))
            if not markers & set(self.option("critical-markers")):
                return None
        if owner is None:
            return None, "the critical test module"
        if owner.name == _COLLECTION_HOOK and ctx.source.pure_path.name.startswith("conftest"):
            return owner, f"the `{_COLLECTION_HOOK}` hook of the critical suite's conftest"
        if layout.is_test_function(owner):
            return owner, f"critical test `{owner.name}`"
        if layout.is_test_class(owner):
            return owner, f"critical test class `{owner.name}`"
        if layout.is_fixture(owner, ctx.analysis(ImportMap)):
            return owner, f"fixture `{owner.name}` of the critical suite"
        return owner, f"`{owner.name}` in the critical suite"

    def _judge(self, skip: Skip, ctx) -> Iterable[Finding]:
        subject = self._subject(skip, ctx)
        if subject is None:
            return
        owner, where = subject
        words = tuple(self.option("service-words"))
        reason = string_parts(skip.reason)
        shown = " ".join((expression_text(ctx.source, skip.node) or skip.spelled).split()).replace("( ", "(").replace(" )", ")")
        if len(shown) > 80:
            shown = shown[:77] + "..."
        verdict = None
        if skip.kind == "mark" and getattr(owner, "name", None) == _COLLECTION_HOOK and _added_as_marker(skip, ctx):
            verdict = "skips every test under this conftest"
        elif skip.kind == "mark":
            verdict = "skips it unconditionally"
        elif skip.kind in ("skipif", "skipunless"):
            verdict = self._judge_condition(skip, ctx.source, reason, words, set(self.option("service-client-modules")))
        elif skip.kind == "importorskip":
            module = string_parts(skip.reason).split(".")[0]
            if module in self.option("service-client-modules"):
                verdict = f"skips when the `{module}` client is not installed"
        else:
            verdict = self._judge_runtime(skip, owner, ctx, reason, words)
        if verdict is None:
            return
        if "(" in verdict or mentioned_word(reason, words) or skip.kind in ("importorskip",) or "set-up" in verdict or "service" in verdict:
            why = "while the service it protects is missing"
        else:
            why = "while what it checks goes untested"  # no service in sight: the service rationale does not apply
        message = f"`{shown}` in {where} {verdict}: a skipped test counts as passed, so CI stays green {why} - in a critical suite that must fail"
        fix = None
        if skip.kind in ("call", "raise"):
            fix = self.make_fix("Fail instead of skipping", FailInsteadOfSkip(skip.node.lineno, skip.node.col_offset), unsafe=True)
        yield self.report(ctx, skip.node, message, fix)

    @staticmethod
    def _judge_condition(skip: Skip, source, reason: str, words, service_modules) -> str | None:
        condition = skip.condition
        if isinstance(condition, ast.Constant) and not isinstance(condition.value, str):
            always = bool(condition.value) if skip.kind == "skipif" else not condition.value
            return "skips it unconditionally" if always else None
        in_ci = true_in_ci(condition) if condition is not None else None
        if in_ci is not None and in_ci is (skip.kind != "skipif"):
            return None  # off in CI, where the workflow provides the service: it only skips elsewhere
        condition_text = condition.value if isinstance(condition, ast.Constant) else expression_text(source, condition)
        if is_platform_condition(condition_text) or in_ci is None and _selects_configuration(condition):
            return None
        if _optional_library_flag(condition, source.tree, service_modules):
            return None  # `skipif(not H2_AVAILABLE)` after `try: import h2 / except ImportError: H2_AVAILABLE = False`
        word = _service_mention(condition_text, words) or mentioned_word(reason, words)
        if word is None:
            return None
        sense = "when" if skip.kind == "skipif" else "unless"
        return f"skips it {sense} `{condition_text[:60]}` ({word})"

    def _judge_runtime(self, skip: Skip, owner, ctx, reason: str, words) -> str | None:
        """`pytest.skip()`, `self.skipTest()`, `raise SkipTest`: look at what guards them."""
        guards: list[str] = []
        handler_verdict = None
        selection = False  # guarded by a configuration choice (`url.startswith("redis")`)
        child = skip.node
        for parent in ctx.source.ancestors(skip.node):
            if isinstance(parent, (*FunctionNode, ast.ClassDef, ast.Lambda)):
                break
            if isinstance(parent, (ast.If, ast.While)) and child is not parent.test:
                if true_in_ci(parent.test) is (child not in parent.body):
                    return None  # a branch CI never takes: the skip only applies outside CI
                selection = selection or _selects_configuration(parent.test)
                guards.append(expression_text(ctx.source, parent.test))
            elif isinstance(parent, ast.IfExp):
                guards.append(expression_text(ctx.source, parent.test))
            elif isinstance(parent, ast.ExceptHandler) and handler_verdict is None:
                handler_verdict = self._judge_handler(parent, ctx, reason, words)
                if handler_verdict == "" and _only_import_errors(parent):
                    return None  # an optional library, not a service: its reason words cannot re-open that
            child = parent
        if any(is_platform_condition(g) for g in guards) or is_platform_condition(reason):
            return None
        if handler_verdict:
            return handler_verdict
        if selection:
            return None
        layout = ctx.analysis(TestLayout)
        if not guards and handler_verdict is None:
            if owner is None:
                return "skips the whole module"
            if layout.is_test_function(owner) or layout.is_fixture(owner, ctx.analysis(ImportMap)):
                return "skips unconditionally"
        for guard in guards:
            word = _service_mention(guard, words)
            if word:
                return f"skips when `{guard[:60]}` ({word})"
        word = mentioned_word(reason, words)
        if word:
            return f"skips with reason \"{reason[:60]}\" ({word})"
        return None

    def _judge_handler(self, handler: ast.ExceptHandler, ctx, reason: str, words) -> str | None:
        """A skip in an `except` around service set-up or use; '' when the handler is unrelated."""
        caught = caught_names(handler)
        try_node = ctx.source.parents.get(handler)
        body = try_node.body if isinstance(try_node, ast.Try) else []
        if _only_import_errors(handler):
            clients = _imported_modules(body) & set(self.option("service-client-modules"))
            return f"skips when importing `{sorted(clients)[0]}` fails" if clients else ""
        shown = ", ".join(caught) or "anything"
        if any(name in _BROAD for name in caught) or any(h in name.lower() for name in caught for h in _CONNECTION_HINTS):
            return f"skips when set-up raises {shown}"
        body_text = "\n".join(expression_text(ctx.source, s) for s in body)
        if mentioned_word(body_text, words) or mentioned_word(reason, words):
            return f"skips when the service call raises {shown}"
        return ""

    # -- the unsafe fix: skip → fail ------------------------------------------------------

    def resolve_fix(self, finding: Finding, ctx) -> list[Edit] | None:
        from ...fixes.cst import char_column

        skip: FailInsteadOfSkip = finding.fix.data
        target = None
        for node in ast.walk(ctx.tree):
            if isinstance(node, (ast.Call, ast.Raise)) and (node.lineno, node.col_offset) == (skip.line, skip.col):
                target = node
                break
        if target is None:
            return None
        text = ctx.source.text

        def edit(node: ast.AST, content: str, start=None, end=None) -> Edit:
            start = start or (node.lineno, node.col_offset)
            end = end or (node.end_lineno, node.end_col_offset)
            return Edit(start[0], char_column(text, *start), end[0], char_column(text, *end), content)

        if isinstance(target, ast.Raise):
            exc = target.exc
            func = exc.func if isinstance(exc, ast.Call) else exc
            return [edit(func, "AssertionError")]
        func = target.func
        if not isinstance(func, ast.Attribute) or func.end_lineno != func.lineno:
            return None
        segment = ctx.source.segment(func) or ""
        if not segment.endswith(func.attr):
            return None
        replacement = {"skip": "fail", "skipTest": "fail"}.get(func.attr)
        if replacement is None:
            return None
        end = (func.end_lineno, func.end_col_offset)
        attr_start = (func.end_lineno, func.end_col_offset - len(func.attr.encode("utf-8")))
        edits = [edit(func, replacement, attr_start, end)]
        arguments = sorted([*target.args, *target.keywords], key=lambda a: (a.lineno, a.col_offset))
        for index, argument in enumerate(arguments):
            if isinstance(argument, ast.keyword) and argument.arg == "allow_module_level":
                if index > 0:
                    before = arguments[index - 1]
                    edits.append(edit(argument, "", (before.end_lineno, before.end_col_offset)))
                elif len(arguments) > 1:
                    after = arguments[1]
                    edits.append(edit(argument, "", None, (after.lineno, after.col_offset)))
                else:
                    edits.append(edit(argument, ""))
        return edits
