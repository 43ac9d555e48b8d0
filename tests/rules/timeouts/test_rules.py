"""INF301 redis-timeout-too-long, INF302 redis-timeout-missing, INF303 health-check-budget."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from infralint.analysis import project_modules
from infralint.analysis.constants import ValueResolver
from infralint.api import fix_source, lint_source
from infralint.source import SourceFile

from ...conftest import assert_fixture, config_for

HERE = Path(__file__).parent / "fixtures"
CODES = ["INF301", "INF302", "INF303"]


def codes(text: str, path: str = "app/service.py", select=CODES, options=None) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_source(text, path, config_for(select, options))]


# -- fixtures: run by tests/rules/test_rule_units.py; here under other paths ------------------------


def test_legacy_clients_and_settings_without_timeouts():
    assert_fixture(HERE / "legacy_and_settings.py", ["INF302"], display_path="app/settings.py")


def test_connect_timeouts_bound_each_connection_attempt():
    text = "import redis\nclient = redis.Redis(socket_timeout=1, socket_connect_timeout=20)\n"
    (finding,) = lint_source(text, "app/cache.py", config_for(["INF301"]))
    assert finding.message == (
        "`socket_connect_timeout=20.0` on `redis.Redis` lets an unreachable server block each connection attempt for 20.0 s, "
        "over the 5.0 s limit (max-redis-timeout)"
    )


def test_legacy_aioredis_timeout_is_a_connect_timeout():
    text = "import aioredis\npool = aioredis.create_redis_pool('redis://cache', timeout=30)\n"
    (finding,) = lint_source(text, "app/cache.py", config_for(["INF301"]))
    assert "lets an unreachable server block each connection attempt for 30.0 s" in finding.message


@pytest.mark.parametrize("path", ["docs/examples/cache.py", "benchmarks/redis_bench.py", "bench/run.py", "tests/test_cache.py"])
def test_non_production_paths_are_skipped(path):
    text = "import redis\nclient = redis.Redis(host='cache')\n"
    assert codes(text, path) == []
    assert codes(text, "app/cache.py") == [(2, "INF302")]


def test_non_production_paths_are_configurable():
    text = "import redis\nclient = redis.Redis(host='cache')\n"
    assert codes(text, "docs/cache.py", options={"paths.non-production": ["scripts"]}) == [(2, "INF302")]
    assert codes(text, "scripts/cache.py", options={"paths.non-production": ["scripts"]}) == []


def test_constants_imported_from_the_project(tmp_path):
    # copied out of tests/ so the file is not a test file (INF303 skips those)
    shutil.copytree(HERE / "project", tmp_path / "project")
    path = tmp_path / "project" / "app" / "health.py"
    project_modules.clear_cache()
    assert_fixture(path, ["INF301", "INF303"], display_path=str(path))


# -- value resolution ---------------------------------------------------------------------------


def _value(source: str, expression: str):
    text = f"{source}\nRESULT = {expression}\n"
    resolver = ValueResolver(SourceFile("<memory>", text))
    return resolver.resolve(resolver.source.tree.body[-1].value)


@pytest.mark.parametrize(
    "source, expression, number",
    [
        ("", "30", 30.0),
        ("", "-(-7)", 7.0),
        ("A = 10", "A * 3 + 1", 31.0),
        ("import os", "int(os.getenv('X', '30'))", 30.0),
        ("import os", "float(os.environ.get('X', 12))", 12.0),
        ("", "settings.get('REDIS_TIMEOUT', 9)", 9.0),
        ("flag = True", "30.0 if flag else 10.0", 30.0),
        ("flag = True", "1 if flag else 8", 8.0),
        ("class C:\n    T = 4", "C.T", 4.0),
        ("from dataclasses import dataclass\n@dataclass\nclass S:\n    t: float = 6.5\ns = S()", "s.t", 6.5),
        ("from datetime import timedelta", "timedelta(minutes=1).total_seconds() if False else timedelta(seconds=90)", 90.0),
        ("A = 1\nif x:\n    A = 20", "A", 20.0),
    ],
)
def test_values_resolve(source, expression, number):
    value = _value(source, expression)
    assert value is not None and value.number == number


@pytest.mark.parametrize(
    "source, expression",
    [("", "compute()"), ("", "True"), ("", "os.getenv('X')"), ("def f(t=3):\n    pass", "undefined_name"), ("", "'30'")],
)
def test_unresolvable_values_are_not_guessed(source, expression):
    assert _value(source, expression) is None


def test_conditional_names_its_condition():
    value = _value("is_gcp = True", "30.0 if is_gcp else 10.0")
    assert "when `is_gcp`" in value.provenance()


def test_environment_default_is_named():
    value = _value("import os", "int(os.getenv('REDIS_TIMEOUT', '30'))")
    assert "the default of environment variable `REDIS_TIMEOUT`" in value.provenance()


# -- astroid is lazy ----------------------------------------------------------------------------


def test_astroid_never_runs_without_a_candidate(tmp_path):
    project_modules.clear_cache()
    (tmp_path / "settings.py").write_text("REDIS_TIMEOUT = 30\n")
    quiet = tmp_path / "views.py"
    quiet.write_text("from settings import REDIS_TIMEOUT\n\ndef view():\n    return REDIS_TIMEOUT\n")
    before = project_modules.stats["modules_loaded"]
    lint_source(quiet.read_text(), str(quiet), config_for(CODES))
    assert project_modules.stats["modules_loaded"] == before

    candidate = tmp_path / "cache.py"
    candidate.write_text("import redis\nfrom settings import REDIS_TIMEOUT\nr = redis.Redis(socket_timeout=REDIS_TIMEOUT)\n")
    found = lint_source(candidate.read_text(), str(candidate), config_for(["INF301"]))
    assert [(f.line, f.code) for f in found] == [(3, "INF301")]
    assert project_modules.stats["modules_loaded"] == before + 1
    lint_source(candidate.read_text(), str(candidate), config_for(["INF301"]))
    assert project_modules.stats["modules_loaded"] == before + 1  # served from the cache


def test_astroid_infers_what_the_local_rules_cannot(tmp_path):
    project_modules.clear_cache()
    (tmp_path / "settings.py").write_text("TIMEOUTS = {'redis': 30, 'db': 2}\nREDIS_TIMEOUT = TIMEOUTS['redis']\n")
    candidate = tmp_path / "cache.py"
    candidate.write_text("import redis\nfrom settings import REDIS_TIMEOUT\nr = redis.Redis(socket_timeout=REDIS_TIMEOUT)\n")
    before = project_modules.stats["astroid_modules"]
    found = lint_source(candidate.read_text(), str(candidate), config_for(["INF301"]))
    assert [(f.line, f.code) for f in found] == [(3, "INF301")]
    assert "`REDIS_TIMEOUT` from `settings`" in found[0].message
    assert project_modules.stats["astroid_modules"] == before + 1


def test_a_client_imported_from_another_module_is_judged(tmp_path):
    project_modules.clear_cache()
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cache.py").write_text(
        "import redis.asyncio as aioredis\n\nclient = aioredis.from_url('redis://cache')\n"
        "bounded = aioredis.from_url('redis://cache', socket_timeout=1)\n"
    )
    probes = package / "probes.py"
    probes.write_text(
        "from .cache import bounded, client\nfrom .web import app\n\n"
        "@app.get('/readiness')\nasync def readiness():\n    await client.ping()\n\n"
        "@app.get('/liveness')\nasync def liveness():\n    await bounded.ping()\n"
    )
    found = lint_source(probes.read_text(), str(probes), config_for(["INF303"]))
    assert [(f.line, f.code) for f in found] == [(6, "INF303")]
    assert "built at " in found[0].message and "cache.py line 3 without socket_timeout" in found[0].message


def test_nothing_is_imported_or_executed(tmp_path):
    (tmp_path / "settings.py").write_text("raise SystemExit('executed')\nREDIS_TIMEOUT = 30\n")
    candidate = tmp_path / "cache.py"
    candidate.write_text("import redis\nfrom settings import REDIS_TIMEOUT\nr = redis.Redis(socket_timeout=REDIS_TIMEOUT)\n")
    found = lint_source(candidate.read_text(), str(candidate), config_for(["INF301"]))
    assert [f.code for f in found] == ["INF301"]


# -- redis-ness comes from imports ----------------------------------------------------------------


def test_a_redis_named_class_from_elsewhere_is_not_redis():
    text = "from myhttp import Redis\nclient = Redis(socket_timeout=30)\n"
    assert codes(text, select=["INF301", "INF302"]) == []


def test_an_aliased_import_is_redis():
    text = "import redis.asyncio as cache_lib\nclient = cache_lib.Redis(socket_timeout=30, socket_connect_timeout=1)\n"
    assert codes(text, select=["INF301"]) == [(2, "INF301")]


def test_http_timeouts_are_not_redis():
    text = "import httpx, redis\nclient = httpx.Client(timeout=30)\nrequests.get('http://redis', timeout=30)\n"
    assert codes(text, select=["INF301"]) == []


def test_test_files_are_skipped():
    text = "import redis\nclient = redis.Redis(socket_timeout=30)\n"
    assert codes(text, "tests/test_cache.py") == []
    assert codes(text, "app/cache.py", select=["INF301"]) == [(2, "INF301")]


def test_inf302_skips_test_files():
    text = "import redis\nclient = redis.Redis()\n"
    assert codes(text, "tests/test_cache.py", select=["INF302"]) == []
    assert codes(text, "app/cache.py", select=["INF302"]) == [(2, "INF302")]


# -- options ------------------------------------------------------------------------------------


def test_max_redis_timeout_option():
    text = "import redis\nclient = redis.Redis(socket_timeout=30, socket_connect_timeout=1)\n"
    assert codes(text, select=["INF301"]) == [(2, "INF301")]
    assert codes(text, select=["INF301"], options={"timeouts.max-redis-timeout": 30.0}) == []


def test_health_budget_and_pattern_options():
    text = "import asyncio\n\n@app.get('/readiness')\nasync def readiness():\n    await asyncio.sleep(3)\n    await asyncio.sleep(3)\n"
    assert codes(text, select=["INF303"]) == [(4, "INF303")]
    assert codes(text, select=["INF303"], options={"timeouts.health-budget": 10.0}) == []
    assert codes(text, select=["INF303"], options={"timeouts.health-name-pattern": "probe"}) == []
    custom = text.replace("/readiness", "/probe").replace("def readiness", "def check")
    assert codes(custom, select=["INF303"]) == []
    assert codes(custom, select=["INF303"], options={"timeouts.health-name-pattern": "probe"}) == [(4, "INF303")]


@pytest.mark.parametrize(
    ("path", "name", "health"),
    [
        ("/health", "anything", True),
        ("/api/v1/healthz", "x", True),
        ("/health/{component}", "x", True),
        ("/ready", "x", True),
        ("/api/ready", "x", True),
        ("/internal/status", "x", True),
        ("/ping", "x", True),
        ("/", "health_check", True),
        ("/", "ping", True),
        ("/orders/status", "x", False),
        ("/orders/{order_id}/status", "status", False),
        ("/admin/providers/{provider}/probe", "probe_provider", False),
        ("/startup-guide", "x", False),
        ("/media/ffprobe", "ffprobe_info", False),
        ("/deliveries/live", "live_feed", False),
        ("/already", "x", False),
    ],
)
def test_health_routes(path, name, health):
    from infralint.rules.timeouts.health import HealthWords
    from infralint.rules.timeouts.health_check_budget import _DEFAULT_HEALTH_PATTERN

    assert HealthWords(_DEFAULT_HEALTH_PATTERN).route_is_health(path, name) is health


@pytest.mark.parametrize(
    ("name", "seconds"),
    [("timeout", 1.0), ("timeout_seconds", 1.0), ("timeout_ms", 0.001), ("connectTimeoutMS", 0.001), ("request_timeout_millis", 0.001),
     ("HEALTH_TIMEOUT_MSEC", 0.001), ("timeout_minutes", 60.0), ("min_timeout", 1.0), ("timeout_us", 1e-6)],
)
def test_timeout_units_from_names(name, seconds):
    from infralint.analysis.units import seconds_per_unit

    assert seconds_per_unit(name) == seconds


def test_a_millisecond_redis_setting_is_not_taken_for_seconds():
    text = "REDIS_TIMEOUT_MS = 2000\nREDIS_SLOW_TIMEOUT_MS = 20000\n"
    found = lint_source(text, "app/settings.py", config_for(["INF301"]))
    assert [(f.line, f.code) for f in found] == [(2, "INF301")]
    assert "= 20.0 s" in found[0].message and "is in milliseconds" in found[0].message
    outcome = fix_source(text, "app/settings.py", config_for(["INF301"]), unsafe=True)
    assert outcome.text == "REDIS_TIMEOUT_MS = 2000\nREDIS_SLOW_TIMEOUT_MS = 5000\n"


def test_redis_context_words_option():
    text = "registry.register(name='valkey', timeout_seconds=30)\n"
    assert codes(text, select=["INF301"]) == []
    assert codes(text, select=["INF301"], options={"timeouts.redis-context-words": ["valkey"]}) == [(1, "INF301")]


def test_names_are_matched_as_whole_words():
    text = "import asyncio\n\nasync def delivery_report():\n    await asyncio.sleep(60)\n\nasync def alive_check():\n    await asyncio.sleep(60)\n"
    assert codes(text, select=["INF303"]) == []


def test_applies_to_rejects_unrelated_files():
    from infralint.context import FileContext
    from infralint.rules.timeouts.health_check_budget import HealthCheckBudget
    from infralint.rules.timeouts.redis_timeout_missing import RedisTimeoutMissing
    from infralint.rules.timeouts.redis_timeout_too_long import RedisTimeoutTooLong

    config = config_for(CODES)
    ctx = FileContext(SourceFile("app/x.py", "import json\nprint(json.dumps({}))\n"), config, "app/x.py")
    assert not any(rule(config).applies_to(ctx) for rule in (RedisTimeoutTooLong, RedisTimeoutMissing, HealthCheckBudget))


@pytest.mark.parametrize(
    "text, mentions",
    [
        ("# you can redistribute it and/or modify it\nimport json\n", False),  # the GPL header
        ("# Redistribution and use in source and binary forms\n# Redistributions of source code\n", False),  # BSD
        ("# REDISTRIBUTED under the terms\n", False),
        ("# you can redistribute it\nimport redis\n", True),
        ("CACHE = 'django_redis.cache.RedisCache'\n", True),
        ("REDIS_URL = env('X')\n", True),
        ("client = Redis()\n", True),
        ("# © the authors; you can redistribute it\nimport json\n", False),  # not ASCII: another search
        ("# © the authors; you can redistribute it\nimport redis\n", True),
    ],
)
def test_a_license_header_saying_redistribute_is_no_mention_of_redis(text, mentions):
    from infralint.context import FileContext
    from infralint.rules.timeouts.redis_timeout_missing import RedisTimeoutMissing
    from infralint.rules.timeouts.redis_timeout_too_long import RedisTimeoutTooLong

    config = config_for(CODES)
    ctx = FileContext(SourceFile("app/x.py", text), config, "app/x.py")
    assert [rule(config).applies_to(ctx) for rule in (RedisTimeoutTooLong, RedisTimeoutMissing)] == [mentions, mentions]


# -- fixes --------------------------------------------------------------------------------------


def test_inf301_fix_sets_the_limit():
    text = "import redis\nclient = redis.Redis(socket_timeout=30, socket_connect_timeout=1.0)\n"
    assert fix_source(text, "app/c.py", config_for(["INF301"])).text == text  # unsafe: not applied by --fix
    outcome = fix_source(text, "app/c.py", config_for(["INF301"]), unsafe=True)
    assert outcome.text == "import redis\nclient = redis.Redis(socket_timeout=5, socket_connect_timeout=1.0)\n"
    assert not outcome.remaining


def test_inf301_fix_counts_characters_not_bytes():
    text = "import redis\nclient = redis.Redis(host='caché', socket_timeout=30, socket_connect_timeout=1)\n"
    outcome = fix_source(text, "app/c.py", config_for(["INF301"]), unsafe=True)
    assert outcome.text == "import redis\nclient = redis.Redis(host='caché', socket_timeout=5, socket_connect_timeout=1)\n"


def test_inf301_fix_adds_the_keyword_a_class_default_supplies():
    text = (
        "from dataclasses import dataclass\n\n@dataclass\nclass RedisCheck:\n    timeout_seconds: float = 30.0\n\n"
        "registry.add(RedisCheck(), name='redis')\n"
    )
    outcome = fix_source(text, "app/c.py", config_for(["INF301"]), unsafe=True)
    assert "registry.add(RedisCheck(timeout_seconds=5), name='redis')" in outcome.text
    assert not outcome.remaining


def test_inf301_constant_passed_to_a_client_is_judged_at_the_call_without_a_fix():
    text = "import redis\nclient = redis.Redis(socket_timeout=REDIS_T, socket_connect_timeout=1)\nREDIS_T = 30\n"
    findings = lint_source(text, "app/c.py", config_for(["INF301"]), resolve_fixes=True)
    assert [(f.line, f.fix is None) for f in findings] == [(2, True)]


def test_inf302_fix_adds_both_timeouts():
    text = "import redis\nclient = redis.Redis(\n    host='cache',\n)\n"
    outcome = fix_source(text, "app/c.py", config_for(["INF302"]), unsafe=True)
    tree = ast.parse(outcome.text)
    call = tree.body[1].value
    assert {k.arg: k.value.value for k in call.keywords} == {"host": "cache", "socket_timeout": 5, "socket_connect_timeout": 5}
    assert not outcome.remaining
    assert fix_source(outcome.text, "app/c.py", config_for(["INF302"]), unsafe=True).text == outcome.text


def test_inf302_fix_uses_the_configured_default():
    text = "import redis\nclient = redis.Redis(socket_connect_timeout=1)\n"
    config = config_for(["INF302"], {"timeouts.default-socket-timeout": 2.5})
    assert fix_source(text, "app/c.py", config, unsafe=True).text == "import redis\nclient = redis.Redis(socket_connect_timeout=1, socket_timeout=2.5)\n"


def test_examples_have_the_incident():
    from ...conftest import ROOT

    path = ROOT / "examples" / "service" / "app" / "health.py"
    findings = lint_source(path.read_text(), str(path), config_for(CODES))
    messages = [f.message for f in findings if f.code == "INF303"]
    assert any("30.0 s × 4 attempts + 1.5 s × 3 delays = 124.5 s > 5.0 s health budget" in m for m in messages)
    assert any("`REDIS_HEALTH_TIMEOUT` from `app.settings`" in f.message for f in findings)
