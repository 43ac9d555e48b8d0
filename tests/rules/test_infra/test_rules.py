"""INF401 disabled-service-requirement, INF402 skip-on-missing-service, INF403 real-services-disabled,
INF404 test-cannot-fail."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from infralint.api import fix_source, lint_source
from infralint.catalog import load_catalog
from infralint.engine import Linter

from ...conftest import assert_fixture, config_for, expectations, run_infralint

HERE = Path(__file__).parent / "fixtures"
CRITICAL = "tests/mission_critical/test_suite.py"


def findings(text: str, code: str, path: str = CRITICAL, options=None):
    return [f for f in lint_source(textwrap.dedent(text), path, config_for([code], options)) if f.code == code]


def fixed(text: str, code: str, path: str = CRITICAL, unsafe: bool = False) -> str:
    outcome = fix_source(textwrap.dedent(text), path, config_for([code]), unsafe=unsafe)
    assert not outcome.errors, outcome.errors
    return outcome.text


def assert_round_trip(text: str, code: str, path: str = CRITICAL, unsafe: bool = False) -> str:
    """The fix parses, a second run changes nothing, and the rule no longer fires where it was fixed."""
    once = fixed(text, code, path, unsafe)
    ast.parse(once)
    assert fixed(once, code, path, unsafe) == once
    return once


# -- fixtures: run by tests/rules/test_rule_units.py, each under its `# fixture-path:`; here the same
# files under other paths -------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["tests/unit", "tests", "app/tests/api"])
def test_skips_outside_critical_suites_are_clean(folder):
    text = (HERE / "critical_skips.py").read_text(encoding="utf-8")
    assert findings(text, "INF402", f"{folder}/test_skips.py") == []


@pytest.mark.parametrize("folder", ["tests/e2e", "tests/integration", "t/integration", "tests/golden_path/ws", "tests/api_integration"])
def test_every_default_critical_path_is_critical(folder):
    text = "import pytest\n\n@pytest.mark.skip\ndef test_x():\n    pass\n"
    assert [f.line for f in findings(text, "INF402", f"{folder}/test_x.py")] == [3]


def test_a_critical_suite_named_by_its_file_name():
    assert_fixture(HERE / "critical_file_skips.py", ["INF402"], display_path="tests/test_checkout_e2e.py")


def test_rules_ignore_files_that_are_not_tests():
    for name, code in [("disabled_requirements.py", "INF401"), ("env_conftest.py", "INF403"), ("vacuous_tests.py", "INF404")]:
        # without fixtures the module is not test-support code either (see the test below)
        text = (HERE / name).read_text(encoding="utf-8").replace("pytest.fixture", "functools.cache")
        assert findings(text, code, "app/service.py") == [], name


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("test_framework/services.py", "import os\nimport pytest\n\n@pytest.fixture\ndef env():\n    yield\n\nos.environ['USE_REAL_SERVICES'] = 'false'\n"),
        ("app/conftest_base.py", "import os\nos.environ['USE_REAL_SERVICES'] = 'false'\n"),
        ("app/conftest_redis.py", "import os\nos.environ['USE_REAL_SERVICES'] = 'false'\n"),
    ],
)
def test_test_support_code_outside_tests_is_test_code(path, text):
    assert [f.code for f in findings(text, "INF403", path)] == ["INF403"]


def test_a_module_that_only_imports_pytest_is_not_test_code():
    text = "import os\nimport pytest\n\nos.environ['USE_REAL_SERVICES'] = 'false'\n"
    assert findings(text, "INF403", "test_framework/helpers.py") == []


# -- INF401 ---------------------------------------------------------------------------------------


def test_reason_after_the_code_is_quoted():
    [finding] = findings(
        """
        from tests.helpers import require_docker_services

        # @require_docker_services()  # Temporarily disabled - integration regression
        def test_ws(client):
            assert client
        """,
        "INF401",
    )
    assert '(reason given: "Temporarily disabled - integration regression")' in finding.message
    assert "`@require_docker_services()` is commented out above test `test_ws`" in finding.message


def test_reason_on_the_prose_line_above_is_quoted():
    [finding] = findings(
        """
        # flaky until the redis cluster is upgraded
        # @needs_redis()  # noqa: E501
        def test_cache(client):
            assert client
        """,
        "INF401",
    )
    assert '(reason given: "flaky until the redis cluster is upgraded")' in finding.message


def test_requirement_names_option():
    text = """
    # @with_live_stack()
    def test_ws(client):
        assert client
    """
    assert findings(text, "INF401") == []
    options = {"test-infra.requirement-names": ["with_live_*"]}
    assert [f.line for f in findings(text, "INF401", options=options)] == [2]


def test_fix_uncomments_decorator_and_its_import():
    text = """\
    import pytest

    # from tests.helpers import require_docker_services


    class TestRooms:
        @pytest.mark.asyncio
        # @require_docker_services()  # Temporarily disabled - integration regression
        async def test_ws(self, client):
            assert client
    """
    result = assert_round_trip(text, "INF401")
    assert "\nfrom tests.helpers import require_docker_services\n" in result
    # the note that explained the disabling is no longer true once the decorator is back
    assert "\n    @require_docker_services()\n    async def test_ws" in result
    assert "Temporarily" not in result
    assert findings(result, "INF401") == []


def test_fix_removes_the_notes_above_that_explain_the_disabling():
    text = """\
    from tests.helpers import require_docker_services


    # Regression test for the reconnect storm of March
    # TODO: re-enable once the staging cluster is rebuilt
    # Temporarily disabled - integration regression
    # @require_docker_services()  # noqa: E501 - flaky on CI
    def test_ws(client):
        assert client
    """
    result = assert_round_trip(text, "INF401")
    assert result.endswith(
        "# Regression test for the reconnect storm of March\n@require_docker_services()  # noqa: E501 - flaky on CI\ndef test_ws(client):\n    assert client\n"
    )


@pytest.mark.integration
def test_check_fix_restores_the_decorator_without_its_disabling_note(tmp_path):
    """`infralint check --fix`, as a user runs it, on the shape of the rule's own example."""
    target = tmp_path / "tests" / "mission_critical" / "test_ws.py"
    target.parent.mkdir(parents=True)
    target.write_text(
        "from tests.helpers import require_docker_services\n\n\n"
        "# Temporarily disabled - integration regression\n"
        "# @require_docker_services()\n"
        "def test_ws(client):\n    assert client\n",
        encoding="utf-8",
    )
    done = run_infralint("check", "--no-cache", "--fix", "--select", "INF401", "tests", cwd=tmp_path)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert target.read_text(encoding="utf-8") == (
        "from tests.helpers import require_docker_services\n\n\n@require_docker_services()\ndef test_ws(client):\n    assert client\n"
    )


def test_fix_keeps_comments_that_do_not_explain_the_disabling():
    text = """\
    from tests.helpers import require_docker_services


    # Checks the websocket handshake against the real stack
    # @require_docker_services()  # needs `docker compose up`
    def test_ws(client):
        assert client
    """
    result = assert_round_trip(text, "INF401")
    assert "# Checks the websocket handshake against the real stack\n@require_docker_services()  # needs `docker compose up`\ndef test_ws" in result


def test_fix_restores_a_multi_line_decorator_and_an_import_list_item():
    text = """\
    from tests.helpers import (
        docker_client,
        # require_real_services,
    )


    # @require_real_services(
    #     services=["redis"],
    # )
    def test_ws(client):
        assert client
    """
    result = assert_round_trip(text, "INF401")
    assert "    require_real_services,\n)" in result
    assert '@require_real_services(\n    services=["redis"],\n)\ndef test_ws' in result


def test_no_fix_when_the_name_would_not_resolve():
    text = """
    # @require_docker_services()
    def test_ws(client):
        assert client
    """
    [finding] = lint_source(textwrap.dedent(text), CRITICAL, config_for(["INF401"]), resolve_fixes=True)
    assert finding.fix is None
    assert fixed(text, "INF401") == textwrap.dedent(text)


def test_no_fix_when_the_uncommented_code_would_not_parse():
    # the `#` sits at column 0 but the code is indented for the class body: uncommenting leaves a
    # three-space indent, which does not parse, so the fix is dropped (the finding stays)
    text = "import pytest\n\n\nclass TestX:\n#    @pytest.mark.docker\n    def test_ws(self):\n        assert self\n"
    result = lint_source(text, CRITICAL, config_for(["INF401"]), resolve_fixes=True)
    assert [f.line for f in result] == [5] and result[0].fix is None


# -- INF402 ---------------------------------------------------------------------------------------


def test_unsafe_fix_turns_skips_into_failures():
    text = """\
    import unittest

    import pytest

    from tests.helpers import docker_available

    if not docker_available():
        pytest.skip("Docker not available", allow_module_level=True)
    if not docker_available():
        pytest.skip("Docker — nicht verfügbar", allow_module_level=True)


    def test_ws(client):
        if not client.connected:
            pytest.skip(reason="websocket service unavailable")  # keep this comment
        assert client


    class TestRooms(unittest.TestCase):
        def test_rooms(self):
            if not docker_available():
                self.skipTest("docker not running")
            if not docker_available():
                raise unittest.SkipTest("real services unavailable")
    """
    assert fixed(text, "INF402") == textwrap.dedent(text)  # unsafe: not applied by a plain --fix
    result = assert_round_trip(text, "INF402", unsafe=True)
    assert 'pytest.fail("Docker not available")\n' in result
    assert 'pytest.fail("Docker — nicht verfügbar")\n' in result
    assert 'pytest.fail(reason="websocket service unavailable")  # keep this comment' in result
    assert 'self.fail("docker not running")' in result
    assert 'raise AssertionError("real services unavailable")' in result
    assert findings(result, "INF402") == []


def test_critical_paths_and_markers_options():
    text = """
    import pytest

    @pytest.mark.smoke
    def test_ws(client):
        pytest.skip("redis unavailable")
    """
    assert findings(text, "INF402", "checks/test_ws.py") == []
    assert len(findings(text, "INF402", "checks/test_ws.py", {"test-infra.critical-paths": ["checks/**"]})) == 1
    assert len(findings(text, "INF402", "checks/test_ws.py", {"test-infra.critical-markers": ["smoke"]})) == 1


# -- INF403: test configuration files -------------------------------------------------------------


@pytest.mark.parametrize("name", ["pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml"])
def test_config_file_settings_are_reported_at_their_lines(name):
    path = HERE / "ini" / name
    result = Linter(config_for(["INF403"])).lint_bytes(path.read_bytes(), f"project/{name}")
    assert not result.errors
    assert [(f.line, f.code, f.path) for f in result.findings] == [
        (line, code, f"project/{name}") for line, code, _ in expectations(path.read_text(encoding="utf-8"))
    ]


@pytest.mark.integration
def test_config_files_are_discovered_only_when_they_set_test_environment(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.infralint]\nselect = ["INF403"]\n', encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_ok.py").write_text("def test_ok():\n    assert 1 == 1\n", encoding="utf-8")
    (tmp_path / "tests" / "setup.cfg").write_text("[flake8]\nmax-line-length = 100\n", encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nenv =\n    LOG_LEVEL=debug\n    USE_REAL_SERVICES=false\n", encoding="utf-8")
    proc = run_infralint("check", "--no-cache", "--format", "concise", cwd=tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 1, proc.stderr
    assert out.splitlines() == [
        "pytest.ini:4:5: INF403 [pytest] env sets `USE_REAL_SERVICES=false`, which turns real services off for every "
        "test this configuration runs: the suite passes against mocks whether or not the real services work"
    ]
    (tmp_path / "pytest.ini").write_text("[pytest]\nenv =\n    USE_REAL_SERVICES=true\n", encoding="utf-8")
    proc = run_infralint("check", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0 and "(2 files)" in proc.stdout.decode()


@pytest.mark.integration
def test_config_file_rule_disabled_means_not_discovered(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.infralint]\nselect = ["INF404"]\n', encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nenv =\n    USE_REAL_SERVICES=false\n", encoding="utf-8")
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    assert 1 == 1\n", encoding="utf-8")
    proc = run_infralint("check", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0 and "(1 file)" in proc.stdout.decode()


def test_flag_pattern_options():
    text = 'import os\nos.environ["STACK_MODE"] = "mock"\n'
    assert findings(text, "INF403", "tests/conftest.py") == []
    options = {"test-infra.real-flag-patterns": ["STACK_MODE"]}
    assert len(findings(text, "INF403", "tests/conftest.py", options)) == 1


# -- the catalog ------------------------------------------------------------------------------------


def test_shared_options_have_one_default():
    catalog = load_catalog()
    defaults = {
        code: option.default
        for code in ("INF402", "INF403", "INF404")
        for option in catalog[code].options
        if option.name == "service-words"
    }
    assert len(defaults) == 3 and len({tuple(v) for v in defaults.values()}) == 1
