"""Which files are test code: test files by path, and test-support code wherever it lives.

A `test_framework/` package that every conftest imports, or `conftest_base.py` next to the
service code, is where service flags are usually switched off; the path alone does not say it is
test code. A file is test-support code when it is named `conftest*.py`, or imports pytest and
defines a fixture.
"""

from __future__ import annotations

import ast

from ...source import SourceFile
from .test_functions import FIXTURE_NAMES

_DECORATED = (ast.FunctionDef, ast.AsyncFunctionDef)


class TestCode:
    """`ctx.analysis(TestCode).is_test_code` for one file."""

    __test__ = False  # not a pytest test class

    def __init__(self, source: SourceFile) -> None:
        self.is_test_code = source.is_test or _is_conftest_like(source) or _is_test_support(source)


def _is_conftest_like(source: SourceFile) -> bool:
    name = source.pure_path.name
    return name.startswith("conftest") and name.endswith(".py")


def _is_test_support(source: SourceFile) -> bool:
    text = source.text
    if "pytest" not in text or "fixture" not in text:
        return False  # the cheap filter: most production modules stop here
    tree = source.tree
    imports_pytest = any(
        isinstance(s, ast.Import) and any(a.name.split(".")[0] in ("pytest", "pytest_asyncio") for a in s.names)
        or isinstance(s, ast.ImportFrom) and (s.module or "").split(".")[0] in ("pytest", "pytest_asyncio")
        for s in tree.body
    )
    return imports_pytest and any(_is_fixture(s) for s in ast.walk(tree) if isinstance(s, _DECORATED))


def _is_fixture(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        parts = []
        while isinstance(target, ast.Attribute):
            parts.append(target.attr)
            target = target.value
        if isinstance(target, ast.Name):
            parts.append(target.id)
        if ".".join(reversed(parts)) in FIXTURE_NAMES:
            return True
    return False
