"""Recognise the ways a test can skip itself, and read their condition and reason.

pytest: `pytest.skip(...)`, `pytest.importorskip(...)`, `@pytest.mark.skip`, `@pytest.mark.skipif`,
`raise pytest.skip.Exception`; unittest: `@unittest.skip/skipIf/skipUnless`, `self.skipTest(...)`,
`raise unittest.SkipTest(...)`. Names are resolved through the file's imports, so
`from pytest import skip` and `import unittest as ut` are both understood.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...analysis.names import ImportMap

SKIP_CALLS = {"pytest.skip", "_pytest.outcomes.skip"}
IMPORTORSKIP = {"pytest.importorskip", "_pytest.outcomes.importorskip"}
SKIP_MARKS = {"pytest.mark.skip", "unittest.skip", "unittest.case.skip"}
SKIPIF_MARKS = {"pytest.mark.skipif", "unittest.skipIf", "unittest.case.skipIf"}
SKIPUNLESS_MARKS = {"unittest.skipUnless", "unittest.case.skipUnless"}
SKIP_EXCEPTIONS = {"unittest.SkipTest", "unittest.case.SkipTest", "pytest.skip.Exception", "_pytest.outcomes.Skipped", "SkipTest"}


@dataclass(frozen=True)
class Skip:
    """One skip: `kind` is `call` (pytest.skip / self.skipTest), `raise`, `importorskip`, `mark`
    (unconditional decorator), `skipif` or `skipunless`; `condition` and `reason` are expressions."""

    kind: str
    node: ast.AST
    condition: ast.expr | None = None
    reason: ast.expr | None = None
    spelled: str = ""


def _argument(call: ast.Call, index: int, *keywords: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    return positional[index] if len(positional) > index else None


def skip_of_call(call: ast.Call, imports: ImportMap) -> Skip | None:
    """The skip a call performs or declares (a decorator call such as `skipif(...)` included)."""
    qualified = imports.call_name(call)
    func = call.func
    if qualified in SKIP_CALLS:
        return Skip("call", call, reason=_argument(call, 0, "reason", "msg"), spelled=qualified)
    if isinstance(func, ast.Attribute) and func.attr == "skipTest":
        return Skip("call", call, reason=_argument(call, 0, "reason"), spelled="skipTest")
    if qualified in IMPORTORSKIP:
        return Skip("importorskip", call, reason=_argument(call, 0, "modname"), spelled=qualified)
    if qualified in SKIP_MARKS:
        return Skip("mark", call, reason=_argument(call, 0, "reason"), spelled=qualified)
    if qualified in SKIPIF_MARKS:
        return Skip("skipif", call, condition=_argument(call, 0, "condition"), reason=_argument(call, 1, "reason"), spelled=qualified)
    if qualified in SKIPUNLESS_MARKS:
        return Skip("skipunless", call, condition=_argument(call, 0, "condition"), reason=_argument(call, 1, "reason"), spelled=qualified)
    return None


def skip_of_raise(node: ast.Raise, imports: ImportMap) -> Skip | None:
    exc = node.exc
    if exc is None:
        return None
    target = exc.func if isinstance(exc, ast.Call) else exc
    qualified = imports.qualified_name(target) or ""
    if qualified in SKIP_CALLS:
        return None  # `raise pytest.skip(...)`: the call itself is the skip
    if qualified in SKIP_EXCEPTIONS or qualified.endswith(".SkipTest"):
        reason = _argument(exc, 0, "reason") if isinstance(exc, ast.Call) else None
        return Skip("raise", node, reason=reason, spelled=qualified)
    return None


def skip_of_bare_mark(expr: ast.expr, imports: ImportMap) -> Skip | None:
    """`@pytest.mark.skip` written without a call."""
    if isinstance(expr, (ast.Attribute, ast.Name)) and imports.qualified_name(expr) == "pytest.mark.skip":
        return Skip("mark", expr, spelled="pytest.mark.skip")
    return None
