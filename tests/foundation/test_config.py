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


# -- the resolver: each file's nearest configuration ---------------------------------------------

from pathlib import Path  # noqa: E402

from infralint.api import lint_paths  # noqa: E402
from infralint.config import ConfigResolver, find_config  # noqa: E402


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_nearest_configuration_wins_and_dedicated_files_come_first(tmp_path):
    root = write(tmp_path, {
        "pyproject.toml": "[tool.infralint]\n",
        "a/pyproject.toml": "[project]\nname = 'no-infralint-table'\n",  # not a configuration
        "b/pyproject.toml": "[tool.infralint]\n",
        "b/infralint.toml": "ignore = ['INF1']\n",
        "c/infralint.toml": "ignore = ['INF1']\n",
        "c/.infralint.toml": "ignore = ['INF2']\n",
    })
    assert find_config(root / "a") == root / "pyproject.toml"
    assert find_config(root / "b") == root / "b" / "infralint.toml"
    assert find_config(root / "c" / "deeper") == root / "c" / ".infralint.toml"
    resolver = ConfigResolver(ignore=["INF3"])
    assert resolver.config_for(root / "c" / "x.py").ignore == ["INF2", "INF3"]
    assert resolver.config_for(root / "b" / "x.py").root == (root / "b").resolve()
    assert resolver.config_for(root / "c" / "x.py") is resolver.config_for(root / "c" / "y.py")  # cached


def test_override_applies_to_every_file(tmp_path):
    root = write(tmp_path, {"pyproject.toml": "[tool.infralint]\n", "b/infralint.toml": "ignore = ['INF1']\n", "ci.toml": "ignore = ['INF4']\n"})
    resolver = ConfigResolver(root / "ci.toml")
    assert resolver.config_for(root / "b" / "x.py").ignore == ["INF4"]
    assert resolver.config_for(root / "x.py").ignore == ["INF4"]


def test_broken_toml_that_mentions_infralint_is_an_error_not_the_defaults(tmp_path):
    root = write(tmp_path, {"pyproject.toml": "[tool.infralint\nselect = 1\n"})
    resolver = ConfigResolver()
    assert resolver.config_file_for(root / "x.py") == root / "pyproject.toml"
    with pytest.raises(ConfigError, match="invalid TOML"):
        resolver.config_for(root / "x.py")


def test_forget_rereads_a_changed_file(tmp_path):
    root = write(tmp_path, {"infralint.toml": "ignore = ['INF1']\n"})
    resolver = ConfigResolver()
    assert resolver.config_for(root / "x.py").ignore == ["INF1"]
    (root / "infralint.toml").write_text("ignore = ['INF2']\n", encoding="utf-8")
    assert resolver.config_for(root / "x.py").ignore == ["INF1"]
    resolver.forget(root / "infralint.toml")
    assert resolver.config_for(root / "x.py").ignore == ["INF2"]


def test_lint_paths_uses_each_files_configuration(tmp_path, monkeypatch):
    code = "def f():\n    return time.time()\n"
    root = write(tmp_path, {"pyproject.toml": "[tool.infralint]\n", "a.py": code, "svc/infralint.toml": "ignore = ['INF101']\n", "svc/b.py": code})
    monkeypatch.chdir(root)
    assert [(Path(f.path).as_posix(), f.code) for f in lint_paths(["."])] == [("a.py", "INF101")]


def test_an_option_with_choices_accepts_only_those():
    assert parse({"scope": {"possibly-unbound": "all"}}).option("scope", "possibly-unbound") == "all"
    assert parse({}).option("scope", "possibly-unbound") == "likely"
    with pytest.raises(ConfigError, match="`scope.possibly-unbound` must be one of 'likely', 'all', got 'every'"):
        parse({"scope": {"possibly-unbound": "every"}})
