"""`lint_rules/families.toml` and the catalog agree with the packages under `rules/`, family
options reach every rule they change, and the rule pages show each example as it is."""

from __future__ import annotations

import dataclasses
import importlib.util
import re

import pytest

from infralint import rules as rules_package
from infralint.catalog import CatalogError, RuleEntry, load_catalog, load_families, parse_entry, parse_families
from infralint.rule_docs import render_example, render_rule
from infralint.rules import rule_classes

from .conftest import run_infralint

CATALOG = load_catalog()
FAMILIES = load_families()


@pytest.mark.parametrize("family_id", sorted(FAMILIES))
def test_a_family_id_is_a_package_under_rules(family_id):
    assert importlib.util.find_spec(f"{rules_package.__name__}.{family_id}") is not None, f"no rules/{family_id}"


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_code_belongs_to_exactly_one_family_and_lives_in_its_package(code):
    owners = [family for family in FAMILIES.values() if code.startswith(family.prefix)]
    assert [family.id for family in owners] == [CATALOG[code].family]
    module = rule_classes()[code].__module__
    package = f"{rules_package.__name__}.{CATALOG[code].family}"
    assert module == package or module.startswith(package + "."), f"{code} is implemented in {module}, outside {package}"


def test_every_family_option_changes_rules_that_exist_and_is_listed_on_each():
    for family in FAMILIES.values():
        for option in family.options:
            assert option.codes and all(code in CATALOG and code.startswith(family.prefix) for code in option.codes)
            for code in option.codes:
                assert option in CATALOG[code].options, f"{option.group}.{option.name} missing from {code}"
    shared = {option.key for family in FAMILIES.values() for option in family.options}
    for entry in CATALOG.values():
        own = [option for option in entry.options if not option.codes]
        assert not {option.key for option in own} & shared, f"{entry.code} redeclares a family option"


def test_options_several_rules_read_are_family_options():
    options = {option.key: option for entry in CATALOG.values() for option in entry.options}
    assert set(options[("paths", "non-production")].codes) == {"INF301", "INF302", "INF303"}
    assert set(options[("timeouts", "redis-context-words")].codes) == {"INF301", "INF302"}


def _entry_data(family: str, code: str = "INF499") -> dict:
    return {
        "code": code,
        "name": "made-up-rule",
        "family": family,
        "summary": "s",
        "explanation": {"what": "w", "why": "y"},
        "examples": {"bad": "x = 1", "good": "x = 2"},
    }


def test_a_renamed_family_id_is_a_clear_error():
    with pytest.raises(CatalogError, match="family 'test-infra' is now called 'test_infra'"):
        parse_entry(_entry_data("test-infra"), "INF499.toml", FAMILIES)
    with pytest.raises(CatalogError, match="unknown family 'nope'"):
        parse_entry(_entry_data("nope"), "INF499.toml", FAMILIES)
    assert parse_entry(_entry_data("test_infra"), "INF499.toml", FAMILIES).family == "test_infra"


def test_a_rule_cannot_redeclare_a_family_option():
    data = _entry_data("timeouts", "INF399")
    data["options"] = [{"group": "paths", "name": "non-production", "type": "list[str]", "default": []}]
    with pytest.raises(CatalogError, match="is a family option"):
        parse_entry(data, "INF399.toml", FAMILIES)


def test_a_family_option_must_name_codes_of_its_family():
    option = {"group": "g", "name": "n", "type": "bool", "default": False, "codes": ["INF101"]}
    raw = {"family": [{"id": "timeouts", "prefix": "INF3", "title": "t", "summary": "s", "options": [option]}]}
    with pytest.raises(CatalogError, match="must name rules of the family"):
        parse_families(raw)


@pytest.mark.integration
def test_rule_command_lists_the_family_options_that_change_a_rule():
    proc = run_infralint("rule", "INF303")
    text = re.sub(r"\s+", " ", proc.stdout.decode())
    assert proc.returncode == 0
    assert "[tool.infralint.paths] non-production" in text
    assert "Family option: changes INF301, INF302, INF303" in text
    assert "[tool.infralint.timeouts] redis-context-words" not in text  # read by INF301/INF302 only


def test_rule_explanation_lists_the_family_options_in_process(capsys, monkeypatch):
    from infralint.commands.explain import explain_rule, rule_json

    monkeypatch.setenv("COLUMNS", "200")
    explain_rule("INF303")
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert "[tool.infralint.paths] non-production" in text and "Family option: changes INF301, INF302, INF303" in text
    options = {o["name"]: o for o in rule_json(CATALOG["INF303"])["options"]}
    assert options["paths.non-production"]["family_codes"] == ["INF301", "INF302", "INF303"]
    assert options["timeouts.health-budget"]["family_codes"] == []


def _example_entry(path: str, bad: str, good: str, files: tuple[tuple[str, str], ...] = ()) -> RuleEntry:
    return dataclasses.replace(CATALOG["INF101"], example_path=path, bad_example=bad, good_example=good, example_files=files)


def test_a_yaml_example_is_rendered_as_yaml():
    entry = _example_entry("deploy/api.yaml", "kind: Deployment\nspec: {}\n", "kind: Service\n")
    text = render_example(entry)
    assert "```yaml\nkind: Deployment\nspec: {}\n```" in text and "```yaml\nkind: Service\n```" in text
    assert "```python" not in text


def test_a_multi_file_example_shows_every_file_in_its_own_language():
    files = (("deploy/api.yaml", "livenessProbe:\n  httpGet:\n    path: /health\n"), ("deploy/lb.tf", 'resource "aws_lb" "api" {}\n'))
    text = render_example(_example_entry("app/health.py", "import redis\n", "import os\n", files))
    assert "```python\nimport redis\n```" in text
    assert "`deploy/api.yaml`:\n\n```yaml\nlivenessProbe:\n  httpGet:\n    path: /health\n```" in text
    assert '`deploy/lb.tf`:\n\n```hcl\nresource "aws_lb" "api" {}\n```' in text


@pytest.mark.parametrize("code", sorted(code for code, entry in CATALOG.items() if entry.example_files or entry.example_language != "python"))
def test_catalog_pages_carry_every_example_file_in_its_language(code):
    entry = CATALOG[code]
    page = render_rule(entry)
    assert f"```{entry.example_language}\n{entry.bad_example.strip()}\n```" in page
    for path, content in entry.example_files:
        assert path in page and content.strip() in page
