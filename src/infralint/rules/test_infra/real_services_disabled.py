"""INF403: test code or test configuration that switches real services off (`USE_REAL_SERVICES=false`)."""

from __future__ import annotations

import ast
import re
from typing import Iterable

from ...analysis.handlers import caught_names
from ...analysis.names import ImportMap
from ...finding import Finding
from ...safe_files import read_regular_file
from ..base import Rule
from .test_code import TestCode
from .env_flags import FlagPatterns, disabling_write, value_state
from .pytest_config import CONFIG_FILE_NAMES, env_settings
from .service_words import expression_text

# an `if` on one of these is an explicit opt-in mode (a command-line option, a marker, a smoke flag)
_OPT_IN = re.compile(r"getoption|getvalue|get_closest_marker|iter_markers|keywords|smoke|option|marker", re.IGNORECASE)
_ENVIRON = {"os.environ", "environ"}
# the method names of every write or read this rule understands (a cheap first filter on calls)
_CALL_ATTRS = {"update", "dict", "setdefault", "putenv", "setenv", "set", "get", "getenv"}
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
_MOCK_HINT = re.compile(r"mock|fake|stub", re.IGNORECASE)


def _literal(node: ast.AST | None):
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, int)):
        return node.value
    return None


def _key(node: ast.AST | None) -> str | None:
    value = _literal(node)
    return value if isinstance(value, str) else None


def _shown(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


class RealServicesDisabled(Rule):
    """INF403: `os.environ["USE_REAL_SERVICES"] = "false"` and friends in tests and test config."""

    code = "INF403"
    node_types = (ast.Assign, ast.Call)
    call_names = frozenset(_CALL_ATTRS)
    config_file_names = CONFIG_FILE_NAMES

    def applies_to(self, ctx) -> bool:
        if not ctx.analysis(TestCode).is_test_code:
            return False
        text = ctx.source.text
        return "env" in text or any(chunk in text for chunk in self._name_chunks())

    _chunks: tuple[str, ...] | None = None

    def _name_chunks(self) -> tuple[str, ...]:
        """The literal parts of the flag patterns (`USE_REAL_`, `DOCKER`…): a constant named by
        one must contain it, so a file with none of them and no `env` has nothing to report."""
        if self._chunks is None:
            patterns = self._patterns()
            pieces = [re.split(r"[*?]+", p.upper()) for p in (*patterns.real, *patterns.mock, *patterns.skip)]
            self._chunks = tuple({max(parts, key=len) for parts in pieces if any(parts)})
        return self._chunks

    @classmethod
    def wants_config_file(cls, path) -> bool:
        """Only configuration files that set environment variables for the tests are worth linting."""
        try:
            text = read_regular_file(path).decode("utf-8", "replace")  # never blocks on a FIFO
        except OSError:
            return False
        return bool(env_settings(str(path), text))

    def _patterns(self) -> FlagPatterns:
        if self._flag_patterns is None:
            self._flag_patterns = self._read_patterns()
        return self._flag_patterns

    _flag_patterns: FlagPatterns | None = None

    def _read_patterns(self) -> FlagPatterns:
        return FlagPatterns(
            tuple(self.option("real-flag-patterns")),
            tuple(self.option("mock-flag-patterns")),
            tuple(self.option("skip-flag-patterns")),
            tuple(self.option("service-words")) + tuple(self.option("flag-service-words")),
        )

    # -- Python ---------------------------------------------------------------------------------

    def visit(self, node: ast.AST, ctx) -> Iterable[Finding]:
        patterns = self._patterns()
        for key_node, value, how, anchor in self._writes(node, ctx):
            key = _key(key_node)
            if key is None:
                continue
            reason = disabling_write(key, value, patterns)
            if reason is None or self._opted_in(anchor, ctx):
                continue
            scope = "every test under this conftest" if ctx.source.is_conftest else "the tests that run after it"
            if how == "default":
                message = (
                    f"`{key}` defaults to {_shown(value)} when it is not set, which {reason}: "
                    f"unless CI sets it explicitly, the suite passes without touching the real services"
                )
            elif how == "constant":
                message = (
                    f"`{key} = {value!r}` {reason} for the tests that read it: they run against mocks "
                    f"(or skip) and pass whether or not the real services work"
                )
            else:
                message = (
                    f"{how} sets `{key}` to {_shown(value)}, which {reason} for {scope}: "
                    f"they pass against mocks whether or not the real services work"
                )
            yield self.report(ctx, anchor, message)

    def _writes(self, node: ast.AST, ctx):
        """(key expression, literal value, how it is written, node to report) for each env write."""
        if isinstance(node, ast.Assign):
            value = _literal(node.value)
            if value is None:
                return
            for target in node.targets:
                if isinstance(target, ast.Subscript) and ctx.analysis(ImportMap).qualified_name(target.value) in _ENVIRON:
                    yield target.slice, value, "`os.environ[...] =`", node
                elif isinstance(target, ast.Name) and disabling_write(target.id, value, self._patterns()):
                    if self._constant_counts(node, ctx):
                        yield ast.Constant(target.id), value, "constant", node
            return
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else ""
        if attr not in _CALL_ATTRS and not (isinstance(func, ast.Name) and func.id in _CALL_ATTRS):
            return
        imports = ctx.analysis(ImportMap)
        name = imports.call_name(node) or ""
        receiver = expression_text(ctx.source, func.value) if attr else ""
        args = node.args
        if name in ("os.environ.update", "environ.update") or (name.endswith("patch.dict") and self._targets_environ(args, imports)):
            mappings = args[:1] if name.endswith("update") else args[1:2]
            how = "`os.environ.update()`" if name.endswith("update") else "`patch.dict(os.environ, ...)`"
            for mapping in mappings:
                if isinstance(mapping, ast.Dict):
                    for key, value in zip(mapping.keys, mapping.values):
                        if _literal(value) is not None:
                            yield key, _literal(value), how, node
            for keyword in node.keywords:
                if keyword.arg and _literal(keyword.value) is not None:
                    yield ast.Constant(keyword.arg), _literal(keyword.value), how, node
        elif name in ("os.environ.setdefault", "environ.setdefault", "os.putenv") or attr == "setenv":
            if len(args) >= 2 and _literal(args[1]) is not None:
                how = f"`{receiver}.{attr}()`" if attr and receiver else f"`{name}()`"
                yield args[0], _literal(args[1]), how, node
        elif attr == "set" and "env" in receiver.lower() and len(args) >= 2 and _literal(args[1]) is not None:
            yield args[0], _literal(args[1]), f"`{receiver}.set()`", node
        elif (name in ("os.getenv", "os.environ.get", "environ.get") or (attr == "get" and "env" in receiver.lower())) and len(args) >= 2:
            if _literal(args[1]) is not None:
                yield args[0], _literal(args[1]), "default", node

    @staticmethod
    def _targets_environ(args: list[ast.expr], imports: ImportMap) -> bool:
        if not args:
            return False
        first = args[0]
        if isinstance(first, ast.Constant):
            return first.value == "os.environ"
        return imports.qualified_name(first) in _ENVIRON

    @staticmethod
    def _constant_counts(node: ast.Assign, ctx) -> bool:
        """A module constant, or one set in a module-level `except` fallback: an `except ImportError`
        (the real clients failed to import: the flag goes off on its own) or another handler that
        switches to mocks."""
        module_body = ctx.tree.body
        if any(stmt is node for stmt in module_body):
            return True
        for stmt in module_body:
            if isinstance(stmt, ast.Try):
                for handler in stmt.handlers:
                    if any(s is node for s in handler.body):
                        if any(name in _IMPORT_ERRORS for name in caught_names(handler)):
                            return True
                        handler_text = "\n".join(expression_text(ctx.source, s) for s in handler.body if s is not node)
                        return bool(_MOCK_HINT.search(handler_text))
        return False

    @staticmethod
    def _opted_in(node: ast.AST, ctx) -> bool:
        for parent in ctx.source.ancestors(node):
            if isinstance(parent, (ast.If, ast.IfExp)) and _OPT_IN.search(expression_text(ctx.source, parent.test)):
                return True
        return False

    # -- pytest.ini, tox.ini, setup.cfg, pyproject.toml ----------------------------------------

    def check_config_file(self, path: str, text: str) -> Iterable[Finding]:
        patterns = self._patterns()
        for setting in env_settings(path, text):
            reason = disabling_write(setting.name, setting.value, patterns)
            if reason is None or value_state(setting.value) is None:
                continue
            message = (
                f"{setting.where} sets `{setting.name}={setting.value}`, which {reason} for every test "
                f"this configuration runs: the suite passes against mocks whether or not the real services work"
            )
            yield Finding(
                code=self.code,
                name=self.entry.name,
                message=message,
                path=path,
                line=setting.line,
                col=setting.col,
                end_line=setting.line,
                end_col=setting.end_col,
                severity=self.entry.severity,
            )
