"""A rule is a unit found by its name: module, class, fixtures and fix records, for every catalog rule.

INF302 `redis-timeout-missing` is `infralint/rules/timeouts/redis_timeout_missing.py`, class
`RedisTimeoutMissing`, documented in `lint_rules/INF302.toml` (→ `docs/rules/INF302.md`), its
fixtures the ones under `tests/rules/timeouts/fixtures/` whose markers name INF302, all run by
`test_fixture` and `test_project_fixture` below without being listed.
"""

from __future__ import annotations

import dataclasses
import json
import pkgutil
from pathlib import Path

import pytest

import infralint.rules
from infralint.catalog import load_catalog, load_families
from infralint.finding import Fix, FixSafety
from infralint.fix_data import kinds
from infralint.rules import rule_class_name, rule_classes, rule_module

from ..conftest import ROOT, assert_fixture
from ..project.helpers import assert_project_fixture
from .rule_fixtures import family_codes, file_fixtures, marked_codes, project_fixtures

CATALOG = load_catalog()
FAMILIES = sorted(load_families())
RULES = sorted(CATALOG)
RULES_PACKAGE = Path(infralint.rules.__file__).parent


@pytest.mark.parametrize("code", RULES)
def test_rule_lives_in_the_module_named_after_it_as_the_class_named_after_it(code):
    entry, cls = CATALOG[code], rule_classes()[code]
    assert (cls.__module__, cls.__name__) == (rule_module(entry), rule_class_name(entry.name))
    assert cls.__doc__ and cls.__doc__.strip(), f"{cls.__name__} says what it finds in its docstring"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_module_of_a_family_is_named_for_what_it_holds(family):
    """No module named after its kind (`rules.py`, `registry.py`) rather than what it holds, and every
    class with a rule code in the module of that rule."""
    modules = {m.name for m in pkgutil.iter_modules([str(RULES_PACKAGE / family)])}
    assert not modules & {"rules", "registry", "helpers", "utils"}, modules
    names = {rule_module(entry).rsplit(".", 1)[1] for entry in CATALOG.values() if entry.family == family}
    assert names <= modules, f"rule modules missing: {sorted(names - modules)}"


@pytest.mark.parametrize(
    ("name", "class_name"),
    [
        ("redis-timeout-missing", "RedisTimeoutMissing"),
        ("websocket-cut-by-proxy-timeout", "WebsocketCutByProxyTimeout"),
        ("syntax-error", "SyntaxErrorRule"),  # `SyntaxError` is a builtin: the class would hide it
    ],
)
def test_class_names_are_the_pascal_case_of_the_catalog_name(name, class_name):
    assert rule_class_name(name) == class_name


# -- fixtures, found by the family's folder and the codes in their markers ----------------------------


@pytest.mark.parametrize("code", RULES)
def test_every_rule_has_a_flagged_fixture(code):
    family = CATALOG[code].family
    if CATALOG[code].family == "meta":
        pytest.skip("the engine's own findings (files that do not parse or decode) are tested in tests/reliability")
    assert code in marked_codes(family), f"no fixture under tests/rules/{family}/fixtures marks {code}"


FILE_FIXTURES = [(family, fixture) for family in FAMILIES for fixture in file_fixtures(family)]
PROJECT_FIXTURES = [(family, folder) for family in FAMILIES for folder in project_fixtures(family)]


@pytest.mark.parametrize(("family", "fixture"), FILE_FIXTURES, ids=[f"{f}/{x.path.name}" for f, x in FILE_FIXTURES])
def test_fixture(family, fixture):
    findings = assert_fixture(fixture.path, family_codes(family), display_path=fixture.display_path, options=fixture.options)
    if fixture.path.parent.name == "clean":
        assert findings == []


@pytest.mark.parametrize(("family", "folder"), PROJECT_FIXTURES, ids=[f"{f}/{x.name}" for f, x in PROJECT_FIXTURES])
def test_project_fixture(family, folder, tmp_path):
    assert_project_fixture(folder, family_codes(family), tmp_path)


# -- fix records -------------------------------------------------------------------------------------


#: a value for each field type the records use (they are plain data: ints, strings, tuples of them)
_VALUES = {"int": 3, "str": "x", "tuple[tuple[int, int], ...]": ((1, 2),), "tuple[int, ...]": (4,), "tuple[tuple[str, str], ...]": (("timeout", "5"),)}


def _example(kind):
    return kind(*(_VALUES[field.type] for field in dataclasses.fields(kind)))


@pytest.mark.parametrize("name", sorted(name for name, kind in kinds().items() if kind.__module__ == "infralint.fix_data"))
def test_every_fix_record_comes_back_from_the_cache_equal(name):
    record = _example(kinds()[name])
    fix = Fix(FixSafety.UNSAFE, "t", data=record)
    assert Fix.from_dict(json.loads(json.dumps(fix.to_dict()))) == fix
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.__setattr__(dataclasses.fields(record)[0].name, None)


@pytest.mark.parametrize("code", RULES)
def test_every_rule_page_names_the_file_that_holds_the_rule(code):
    from infralint.rule_docs import render_source

    path = render_source(CATALOG[code]).split("`")[1]
    assert (ROOT / path).is_file(), path  # the checkout's file (the package may be installed elsewhere)
    assert rule_classes()[code].__module__.replace(".", "/") in path
