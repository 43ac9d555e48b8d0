"""INF201 import-in-cleanup and INF202 import-in-error-handler, and their hoist-to-module-level fix."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from infralint.api import fix_source, lint_source
from infralint.finding import FixSafety
from infralint.rules.cleanup.cleanup_names import AMBIGUOUS, TEARDOWN, CleanupNames
from infralint.rules.cleanup.hoist_fix import hoist_import
from infralint.rules.cleanup.yield_flow import statements_after_yield

from ...conftest import config_for

HERE = Path(__file__).parent / "fixtures"
CODES = ["INF201", "INF202"]


def lint(text: str, select=CODES, options=None, path: str = "app/service.py"):
    return lint_source(textwrap.dedent(text), path, config_for(select, options), resolve_fixes=True)


# every path kind and the look-alikes: the fixtures, run by tests/rules/test_rule_units.py


def test_cleanup_names_are_configurable():
    path = HERE / "cleanup_names.py"
    extended = assert_fixture_lines(path, {"cleanup.extend-function-names": ["flush"]})
    flush_line = line_of(path, "import io")
    assert flush_line in extended
    replaced = assert_fixture_lines(
        path, {"cleanup.function-names": ["flush"], "cleanup.connection-function-names": [], "cleanup.ambiguous-function-names": []}
    )
    # names no longer count; what a `finally` reaches still does
    assert replaced == {flush_line, line_of(path, "import tempfile")}


def assert_fixture_lines(path, options) -> set[int]:
    findings = lint_source(path.read_text(), "app/cleanup_names.py", config_for(["INF201"], options))
    return {f.line for f in findings}


def line_of(path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


DEFAULT_NAMES = CleanupNames(
    teardown=("shutdown", "teardown", "dispose", "aclose"),
    connection=("close", "disconnect"),
    connection_classes=("client", "connection", "manager", "pool"),
    ambiguous=("cleanup", "clean_up", "purge", "reap", "stop", "terminate", "release", "finalize"),
)


@pytest.mark.parametrize(
    ("name", "owner", "expected"),
    [
        ("shutdown_pool", None, TEARDOWN), ("on_hard_shutdown", None, TEARDOWN), ("graceful_shutdown", None, TEARDOWN),
        ("tearDown", "CacheTests", TEARDOWN), ("tearDownClass", "CacheTests", TEARDOWN), ("aclose", None, TEARDOWN),
        ("close", "RedisClient", TEARDOWN), ("close_all", "ConnectionPool", TEARDOWN), ("_disconnect", "HTTPConnection", TEARDOWN),
        ("close", "Archive", AMBIGUOUS), ("close", None, AMBIGUOUS), ("_emergency_cleanup", None, AMBIGUOUS),
        ("cleanUp", "Registry", AMBIGUOUS), ("__release", None, AMBIGUOUS), ("stop", "Worker", AMBIGUOUS),
        ("get_shutdown_manager", None, None), ("stopwatch", None, None), ("closed", "RedisClient", None),
        ("disconnected", "Client", None), ("is_shutdown", None, None), ("wait_for_shutdown", None, None),
        ("test_graceful_shutdown", "ServerTests", None), ("test_client_close", "TestWebSocketClose", None),
        ("finalize_options", "install", AMBIGUOUS), ("_finalize_success", "BaseWorker", AMBIGUOUS),
    ],
)
def test_cleanup_name_kinds(name, owner, expected):
    assert DEFAULT_NAMES.kind(name, owner) == expected


def test_import_in_cleanup_handler_is_reported_once_as_inf201():
    text = """
    class Service:
        def __exit__(self, *exc):
            try:
                self.flush()
            except OSError:
                import errno
    """
    assert [(f.line, f.code) for f in lint(text)] == [(7, "INF201")]
    # without INF201 the handler rule still sees it
    assert [(f.line, f.code) for f in lint(text, select=["INF202"])] == [(7, "INF202")]


def test_module_level_code_is_never_reported():
    text = """
    try:
        import ujson as json
    except Exception:
        import json
    try:
        pass
    finally:
        import os
    try:
        pass
    except ValueError:
        import sys
    """
    assert lint(text) == []


def test_reached_route_is_named_in_the_message():
    text = """
    class Manager:
        async def __aexit__(self, *exc):
            await self.close()

        async def close(self):
            self._release_all()

        def _release_all(self):
            from .registry import unregister
            unregister(self)
    """
    (finding,) = lint(text)
    assert "reached from `Manager.__aexit__` via `close` → `_release_all`" in finding.message


def test_lambda_registered_with_atexit_reaches_its_callees():
    text = """
    import atexit

    def _dump(state):
        import pickle
        pickle.dumps(state)

    atexit.register(lambda: _dump({}))
    """
    (finding,) = lint(text)
    assert finding.line == 5 and "registered with `atexit.register`" in finding.message


def test_dynamic_import_has_no_fix():
    text = """
    def shutdown(self):
        __import__("gc").collect()
    """
    (finding,) = lint(text)
    assert finding.code == "INF201" and finding.fix is None


# -- which statements of a generator are teardown -------------------------------------------------------


def after_yield_lines(source: str) -> set[int]:
    function = ast.parse(textwrap.dedent(source)).body[0]
    return {s.lineno for s in statements_after_yield(function)}


def test_after_yield_straight_line():
    assert after_yield_lines("def f():\n    a = 1\n    yield a\n    b = 2\n    c = 3\n") == {4, 5}


def test_early_yield_return_branch_does_not_make_startup_teardown():
    source = "def f(t):\n    if t:\n        yield\n        return\n    start()\n    yield\n    stop()\n"
    assert after_yield_lines(source) == {4, 7}


def test_loop_may_not_yield():
    source = "def f(xs):\n    for x in xs:\n        yield x\n    done()\n    while True:\n        yield 1\n        break\n    after()\n"
    assert 4 not in after_yield_lines(source)
    assert 8 in after_yield_lines(source)


def test_handlers_of_a_try_around_setup_are_not_teardown():
    source = "def f():\n    try:\n        setup()\n        yield\n    except Exception:\n        log()\n    done()\n"
    lines = after_yield_lines(source)
    assert 6 not in lines and 7 not in lines


def test_handlers_of_a_bare_yield_are_teardown():
    source = "def f():\n    setup()\n    try:\n        yield\n    except Exception:\n        log()\n    finally:\n        close()\n    done()\n"
    assert {6, 8, 9} <= after_yield_lines(source)


# -- fix safety -------------------------------------------------------------------------------------------


def fix_safety_by_line(path) -> dict[int, FixSafety | None]:
    findings = lint_source(path.read_text(), "app/hoisting.py", config_for(CODES, {"cleanup.report-loaded-modules": True}), resolve_fixes=True)
    return {f.line: (f.fix.safety if f.fix else None) for f in findings}


@pytest.mark.parametrize(
    ("needle", "safety"),
    [
        ("import time", FixSafety.SAFE),
        ("from .models import Group", FixSafety.SAFE),
        ("import xml.etree.ElementTree as ET", FixSafety.SAFE),
        ("from collections import OrderedDict, defaultdict", FixSafety.SAFE),
        ("        import os", FixSafety.SAFE),
        ("import redis", FixSafety.UNSAFE),
        ("import fcntl", FixSafety.UNSAFE),
        ("        import json", None),
        ("import shutil", None),
        ("import msvcrt", None),
        ("import pickle as codec", None),
        ("import readline", None),
        ("from io import open", None),
    ],
)
def test_hoist_safety(needle, safety):
    path = HERE / "hoisting.py"
    assert fix_safety_by_line(path)[line_of(path, needle)] == safety


def test_unsafe_hoist_says_why():
    (finding,) = lint("def shutdown():\n    import redis\n")
    assert finding.fix.safety == FixSafety.UNSAFE
    assert "import cycle" in finding.message


# -- the fix itself ----------------------------------------------------------------------------------------


def fixed(text: str, unsafe: bool = False) -> str:
    text = textwrap.dedent(text)
    outcome = fix_source(text, "app/service.py", config_for(CODES, {"cleanup.report-loaded-modules": True}), unsafe=unsafe)
    assert not outcome.errors
    return outcome.text


def test_hoist_keeps_comments_and_leaves_pass():
    text = '''
    """Connections."""

    import os


    def handle(conn):
        try:
            conn.send(b"x")  # the payload
        finally:
            # report the close
            import logging  # lazily
    '''
    assert fixed(text) == textwrap.dedent('''
    """Connections."""

    import logging
    import os


    def handle(conn):
        try:
            conn.send(b"x")  # the payload
        finally:
            # report the close
            pass  # lazily
    ''')


def test_comment_above_a_hoisted_import_stays_with_the_next_statement():
    text = """
    import os


    def shutdown_workers(pool):
        # stop the fork server if it is running
        from multiprocessing import forkserver
        forkserver._forkserver._stop()
    """
    assert fixed(text) == textwrap.dedent("""
    from multiprocessing import forkserver
    import os


    def shutdown_workers(pool):
        # stop the fork server if it is running
        forkserver._forkserver._stop()
    """)


def test_no_blank_line_is_left_at_the_top_of_the_block():
    text = """
    import os


    def shutdown(pool):
        import gc

        gc.collect()
    """
    assert fixed(text) == textwrap.dedent("""
    import gc
    import os


    def shutdown(pool):
        gc.collect()
    """)


def test_hoist_keeps_aliases_and_merges_from_imports():
    text = """
    from collections import OrderedDict


    def shutdown(self):
        from collections import OrderedDict, deque as queue
        import xml.etree.ElementTree as ET
        return OrderedDict, queue, ET
    """
    assert fixed(text) == textwrap.dedent("""
    from collections import OrderedDict, deque as queue
    import xml.etree.ElementTree as ET


    def shutdown(self):
        return OrderedDict, queue, ET
    """)


def test_unsafe_relative_hoist_only_with_unsafe_fixes():
    text = """
    import os

    from .db import engine


    class Manager:
        async def __aexit__(self, *exc):
            from .metrics import closed
            closed.inc()
    """
    assert fixed(text) == textwrap.dedent(text)
    assert fixed(text, unsafe=True) == textwrap.dedent("""
    import os

    from .db import engine
    from .metrics import closed


    class Manager:
        async def __aexit__(self, *exc):
            closed.inc()
    """)


def test_hoist_import_refuses_a_position_without_an_import():
    from infralint.fixes.cst import FixNotApplicable

    with pytest.raises(FixNotApplicable):
        hoist_import("def f():\n    x = 1\n", 2, 4)


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("*.py")))
@pytest.mark.parametrize("unsafe", [False, True])
def test_fix_on_every_fixture_parses_relints_clean_and_is_idempotent(name, unsafe):
    text = (HERE / name).read_text()
    config = config_for(CODES)
    first = fix_source(text, f"app/{name}", config, unsafe=unsafe)
    assert not first.errors
    ast.parse(first.text)
    allowed = {FixSafety.SAFE, FixSafety.UNSAFE} if unsafe else {FixSafety.SAFE}
    left = lint_source(first.text, f"app/{name}", config, resolve_fixes=True)
    assert not [f for f in left if f.fix and f.fix.safety in allowed], "a fixable finding survived the fix"
    second = fix_source(first.text, f"app/{name}", config, unsafe=unsafe)
    assert second.text == first.text
    # every comment of the original survives (a removed import's own comment moves to its `pass`)
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line and "expect:" not in line]
    for comment in comments:
        assert comment in first.text


def test_hoisting_a_commented_import_keeps_the_comment_on_the_next_statement():
    source = textwrap.dedent(
        '''\
        import logging

        from .errors import ConfigError


        def load(path):
            try:
                return read(path)
            except ConfigError as exc:
                # shown to the user in one line
                from flake8.exceptions import ExecutionError

                raise ExecutionError(str(exc)) from None
        '''
    )
    fixed = hoist_import(source, 11, 8)
    assert fixed == textwrap.dedent(
        '''\
        import logging

        from flake8.exceptions import ExecutionError

        from .errors import ConfigError


        def load(path):
            try:
                return read(path)
            except ConfigError as exc:
                # shown to the user in one line
                raise ExecutionError(str(exc)) from None
        '''
    )


# -- first import or not -------------------------------------------------------------------------------


def lint_package_file(tmp_path, files: dict[str, str], name: str, options=None):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for file_name, text in files.items():
        (package / file_name).write_text(textwrap.dedent(text))
    path = package / name
    return lint_source(path.read_text(), str(path), config_for(["INF201"], options))


CYCLE = {
    "queue.py": """
        from .registry import StartedJobRegistry
    """,
    "registry.py": """
        class StartedJobRegistry:
            def __exit__(self, *exc_info):
                from .queue import Queue
                Queue.forget(self)
    """,
}


def test_local_import_that_breaks_a_cycle_is_not_a_first_import(tmp_path):
    assert lint_package_file(tmp_path, CYCLE, "registry.py") == []


def test_local_import_that_breaks_a_cycle_is_worded_as_such_on_request(tmp_path):
    (finding,) = lint_package_file(tmp_path, CYCLE, "registry.py", {"cleanup.report-loaded-modules": True})
    assert finding.message == (
        "`from .queue import Queue` runs in `StartedJobRegistry.__exit__`: the module is already loaded (`.queue` imports "
        "this module at module level, so the local import only breaks a cycle) and this code runs before CPython empties "
        "`sys.modules` at shutdown: the import is a `sys.modules` lookup that does no disk I/O; it cannot move to module level "
        "(at module level it would make an import cycle: `pkg.queue` imports this module while it loads): bind what it needs "
        "once, when the package has loaded"
    )
    assert finding.fix is None


def test_a_module_that_does_not_import_this_one_is_a_first_import(tmp_path):
    files = {**CYCLE, "queue.py": "import json\n"}
    (finding,) = lint_package_file(tmp_path, files, "registry.py")
    assert "masking the original error" in finding.message


def test_swallowed_failure_message_is_exact():
    text = """
    def handle(conn):
        try:
            conn.send()
        finally:
            try:
                from .metrics import closed
                closed.inc()
            except Exception:
                pass
    """
    (finding,) = lint(text, select=["INF201"])
    assert finding.message == (
        "`from .metrics import closed` runs in the `finally` block of `handle` (line 3): on a cleanup path an import "
        "fails at interpreter shutdown (`ImportError: sys.meta_path is None`); the `except Exception` at line 9 swallows "
        "that failure, so the rest of this cleanup is skipped silently instead of the original error being masked; "
        "import it at module level"
    )


# -- a hoist never makes an import cycle -------------------------------------------------------------


PACKAGE_CYCLE = {
    # the package imports the module, and the module's cleanup takes a name from the package
    "__init__.py": """
        from .events import *
        from .policies import DefaultPolicy
    """,
    "policies.py": """
        class DefaultPolicy:
            pass
    """,
    "events.py": """
        def close_policy():
            try:
                pass
            finally:
                from . import DefaultPolicy
                DefaultPolicy()
    """,
}

TRANSITIVE_CYCLE = {
    "app.py": """
        from .routes import router
    """,
    "routes.py": """
        from .registry import Registry
        router = object()
    """,
    "registry.py": """
        class Registry:
            def __exit__(self, *exc_info):
                from .app import router
                from .metrics import exits
                exits.inc(router)
    """,
    "metrics.py": """
        exits = None
    """,
}


def test_package_relative_import_that_breaks_a_cycle_gets_no_fix(tmp_path):
    (finding,) = lint_package_file(tmp_path, PACKAGE_CYCLE, "events.py", {"cleanup.report-loaded-modules": True})
    assert finding.fix is None
    assert "cannot move to module level (at module level it would make an import cycle: `pkg` imports this module while it loads)" in finding.message


def test_import_cycle_through_other_modules_gets_no_fix(tmp_path):
    findings = {f.line: f for f in lint_package_file(tmp_path, TRANSITIVE_CYCLE, "registry.py")}
    cyclic, plain = findings[4], findings[5]
    assert cyclic.fix is None and "`pkg.app` imports this module while it loads" in cyclic.message
    assert plain.fix is not None and plain.fix.safety == FixSafety.UNSAFE  # `.metrics` imports nothing back
