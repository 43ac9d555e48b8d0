"""Find and validate configuration: `[tool.infralint]` in the nearest `pyproject.toml`.

Every bad key or value is a `ConfigError` whose message names the file, the key and, where it
helps, the closest valid spelling; the CLI turns it into one line and exit code 2.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import _toml
from .catalog import RuleOption, all_options, load_catalog
from .source import path_matches

DEFAULT_EXCLUDES = [
    ".git", ".hg", ".svn", ".venv", "venv", "build", "dist", "node_modules",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".infralint_cache", "*.egg-info", ".eggs", "site-packages",
]
TOP_LEVEL_KEYS = {"select", "extend-select", "ignore", "exclude", "extend-exclude", "per-file-ignores", "respect-gitignore"}
LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude")


class ConfigError(Exception):
    """Invalid configuration; the message is one line and says how to fix it."""


def _closest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


def validate_codes(codes: Iterable[str], where: str) -> list[str]:
    """Codes or prefixes (`INF`, `INF1`, `INF101`); anything that selects no rule is an error."""
    known = load_catalog()
    result = []
    for code in codes:
        if not isinstance(code, str):
            raise ConfigError(f"{where}: expected rule codes as strings, got {code!r}")
        code = code.strip().upper()
        if not code.startswith("INF") or not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: unknown rule code `{code}`{_closest(code, known)}")
        result.append(code)
    return result


def _check_option(option: RuleOption, value: Any, where: str) -> Any:
    kind = option.type
    ok = {
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[kind]
    if not ok:
        raise ConfigError(f"{where}: `{option.group}.{option.name}` must be {kind}, got {value!r}")
    if option.choices and value not in option.choices:
        raise ConfigError(
            f"{where}: `{option.group}.{option.name}` must be one of {', '.join(map(repr, option.choices))}, got {value!r}"
        )
    if kind in ("float", "number") and value != value:
        raise ConfigError(f"{where}: `{option.group}.{option.name}` must be a number, got nan")
    if kind in ("int", "float", "number") and value < 0:
        raise ConfigError(f"{where}: `{option.group}.{option.name}` must not be negative, got {value!r}")
    return float(value) if kind in ("float", "number") else value


@dataclass
class Config:
    """The effective configuration of one run (file settings with command-line overrides applied)."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    respect_gitignore: bool = True
    options: dict[tuple[str, str], Any] = field(default_factory=dict)
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None

    def enabled_codes(self) -> set[str]:
        """Rules that run. A prefix selects the rules that are on by default; exact codes select any rule."""
        catalog = load_catalog()

        def chosen(selectors: list[str], code: str) -> bool:
            return any(code == s or (code.startswith(s) and catalog[code].default_enabled) for s in selectors)

        if self.select is None:
            base = {code for code, entry in catalog.items() if entry.default_enabled}
        else:
            base = {code for code in catalog if chosen(self.select, code)}
        base |= {code for code in catalog if chosen(self.extend_select, code)}
        return {code for code in base if not any(code.startswith(i) for i in self.ignore)}

    def ignored_for_path(self, relative_posix: str) -> list[str]:
        ignored: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if path_matches(relative_posix, pattern):
                ignored.extend(codes)
        return ignored

    def option(self, group: str, name: str) -> Any:
        if (group, name) in self.options:
            return self.options[(group, name)]
        return all_options()[(group, name)].default

    def fingerprint(self) -> str:
        """A digest of everything that changes findings (for the result cache)."""
        payload = {
            "codes": sorted(self.enabled_codes()),
            "pfi": sorted((k, sorted(v)) for k, v in self.per_file_ignores.items()),
            "options": sorted((f"{g}.{n}", v) for (g, n), v in self.options.items()),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def find_config(start: Path) -> Path | None:
    """The nearest `pyproject.toml` with a `[tool.infralint]` table, walking up from `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            try:
                data = _toml.loads(text)
            except _toml.TOMLDecodeError as exc:
                if "infralint" in text:  # ours, but broken: say so rather than run with defaults
                    raise ConfigError(f"{candidate}: invalid TOML: {exc}") from exc
                continue
            if isinstance(data.get("tool"), dict) and "infralint" in data["tool"]:
                return candidate
    return None


def read_table(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: configuration is not UTF-8") from exc
    try:
        data = _toml.loads(text)
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    tool = data.get("tool", {})
    if path.name != "pyproject.toml" and "infralint" not in (tool if isinstance(tool, dict) else {}):
        # a dedicated file may hold the settings at top level
        return data
    table = tool.get("infralint", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.infralint] must be a table")
    return table


def parse_table(table: dict[str, Any], where: str, root: Path) -> Config:
    config = Config(root=root)
    groups = {group for group, _ in all_options()}
    for key, value in table.items():
        if key in groups:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [tool.infralint.{key}] must be a table")
            _parse_group(config, key, value, where)
            continue
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(f"{where}: unknown key `{key}`{_closest(key, TOP_LEVEL_KEYS | groups)}")
        if key in LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: `{key}` must be a list of strings, got {value!r}")
        if key == "select":
            config.select = validate_codes(value, f"{where}: select")
        elif key == "extend-select":
            config.extend_select = validate_codes(value, f"{where}: extend-select")
        elif key == "ignore":
            config.ignore = validate_codes(value, f"{where}: ignore")
        elif key == "exclude":
            config.exclude = list(value)
        elif key == "extend-exclude":
            config.extend_exclude = list(value)
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `respect-gitignore` must be true or false, got {value!r}")
            config.respect_gitignore = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
            for pattern, codes in value.items():
                if not isinstance(codes, list):
                    raise ConfigError(f"{where}: per-file-ignores `{pattern}` must be a list of codes")
                config.per_file_ignores[pattern] = validate_codes(codes, f"{where}: per-file-ignores `{pattern}`")
    return config


def _parse_group(config: Config, group: str, values: dict[str, Any], where: str) -> None:
    known = {name: opt for (g, name), opt in all_options().items() if g == group}
    for name, value in values.items():
        if name not in known:
            raise ConfigError(f"{where}: unknown option `{group}.{name}`{_closest(name, known)}")
        config.options[(group, name)] = _check_option(known[name], value, where)


def load_config(config_path: Path | None = None, start: Path | None = None) -> Config:
    """Configuration from `config_path`, or the nearest one above `start` (default: cwd), or defaults."""
    if config_path is None:
        config_path = find_config(start or Path.cwd())
    if config_path is None:
        return Config(root=(start or Path.cwd()).resolve())
    config_path = Path(config_path)
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    table = read_table(config_path)
    config = parse_table(table, str(config_path), config_path.resolve().parent)
    config.source = config_path
    return config


def apply_overrides(config: Config, *, select=None, extend_select=None, ignore=None) -> Config:
    """Command-line options win over the file: `--select` replaces, the others extend."""
    if select is not None:
        config.select = validate_codes(select, "--select")
    if extend_select:
        config.extend_select = config.extend_select + validate_codes(extend_select, "--extend-select")
    if ignore:
        config.ignore = config.ignore + validate_codes(ignore, "--ignore")
    return config
