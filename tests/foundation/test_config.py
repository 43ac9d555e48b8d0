"""Configuration parsing and validation (per-rule options come from the catalog)."""

from __future__ import annotations

import pytest

from infralint.catalog import all_options
from infralint.config import Config, ConfigError, apply_overrides, parse_table


def parse(table):
    return parse_table(table, "pyproject.toml", root=__import__("pathlib").Path("."))


def test_prefix_selects_default_rules_and_exact_codes_select_any():
    assert "INF003" not in Config(select=["INF0"]).enabled_codes()
    assert {"INF001", "INF002"} <= Config(select=["INF0"]).enabled_codes()
    assert "INF003" in Config(extend_select=["INF003"]).enabled_codes()
    assert Config(select=["INF0"], ignore=["INF00"]).enabled_codes() == set()


def test_command_line_overrides_the_file():
    config = parse({"select": ["INF001"], "ignore": ["INF002"]})
    apply_overrides(config, select=["INF0"], extend_select=["INF003"], ignore=["INF001"])
    assert config.enabled_codes() == {"INF003"}


def test_codes_are_case_insensitive():
    assert parse({"select": ["inf001"]}).select == ["INF001"]


@pytest.mark.parametrize(
    "table, message",
    [
        ({"exclude": "build"}, "`exclude` must be a list of strings"),
        ({"respect-gitignore": "yes"}, "`respect-gitignore` must be true or false"),
        ({"per-file-ignores": ["x"]}, "`per-file-ignores` must be a table"),
        ({"extend-select": ["XYZ1"]}, "unknown rule code `XYZ1`"),
        ({"nosuchgroup": {"a": 1}}, "unknown key `nosuchgroup`"),
    ],
)
def test_errors_name_the_key(table, message):
    with pytest.raises(ConfigError, match=message.replace("`", ".").replace("(", ".").replace(")", ".")):
        parse(table)


def test_option_groups_are_validated_from_the_catalog():
    options = all_options()
    if not options:
        pytest.skip("no rule declares options yet")
    (group, name), option = sorted(options.items())[0]
    with pytest.raises(ConfigError, match="unknown option"):
        parse({group: {name + "-typo-xyz": 1}})
    wrong = {"bool": "nope", "int": "x", "float": "x", "number": "x", "str": 3, "list[str]": [1]}[option.type]
    with pytest.raises(ConfigError, match=f"`{group}.{name}` must be"):
        parse({group: {name: wrong}})
    config = parse({group: {name: option.default}})
    assert config.option(group, name) == option.default


def test_an_option_with_choices_accepts_only_those():
    assert parse({"scope": {"possibly-unbound": "all"}}).option("scope", "possibly-unbound") == "all"
    assert parse({}).option("scope", "possibly-unbound") == "likely"
    with pytest.raises(ConfigError, match="`scope.possibly-unbound` must be one of 'likely', 'all', got 'every'"):
        parse({"scope": {"possibly-unbound": "every"}})
