"""Find and validate configuration: the nearest configuration file above each linted file.

A configuration file is a `pyproject.toml` with a `[tool.infralint]` table, or an `infralint.toml`
/ `.infralint.toml` (settings at top level). Each file uses the nearest one above it, as ruff
does; `--config` names one file for all. `ConfigResolver` is the one place that decides this,
shared by the CLI, the flake8 plugin and the language server, so all three agree on every file.

Every bad key or value is a `ConfigError` whose message names the file, the key and, where it
helps, the closest valid spelling; the CLI turns it into one line and exit code 2.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from . import _toml
from .catalog import RuleOption, all_options, load_catalog
from .safe_files import read_regular_file
from .source import path_matches

DEFAULT_EXCLUDES = [
    ".git", ".hg", ".svn", ".venv", "venv", "build", "dist", "node_modules",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".infralint_cache", "*.egg-info", ".eggs", "site-packages",
]
TOP_LEVEL_KEYS = {
    "extend", "select", "extend-select", "ignore", "exclude", "extend-exclude", "per-file-ignores",
    "extend-per-file-ignores", "respect-gitignore",
}
LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude")
#: configuration files, in order of precedence within one folder (as ruff: dedicated files first)
CONFIG_FILE_NAMES = (".infralint.toml", "infralint.toml", "pyproject.toml")
#: finding columns are 0-based characters (code points) since the column rework; cached results
#: from before it counted UTF-8 bytes, so the unit is part of the cache key
COLUMN_UNIT = "characters"


class ConfigError(Exception):
    """Invalid configuration; the message is one line and says how to fix it."""


def _closest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only for a configuration mistake

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


#: selects every rule, including the ones off by default (as ruff's `ALL`)
ALL = "ALL"


def validate_codes(codes: Iterable[str], where: str) -> list[str]:
    """Codes or prefixes (`INF`, `INF1`, `INF101`) or `ALL`; anything that selects no rule is an error."""
    known = load_catalog()
    result = []
    for code in codes:
        if not isinstance(code, str):
            raise ConfigError(f"{where}: expected rule codes as strings, got {code!r}")
        code = code.strip().upper()
        if code == ALL:
            result.append(code)
            continue
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
        "regex": isinstance(value, str),
        "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[kind]
    if not ok:
        raise ConfigError(f"{where}: `{option.group}.{option.name}` must be {kind}, got {value!r}")
    if kind == "regex":
        _check_regex(option, value, where)
    if option.choices and value not in option.choices:
        raise ConfigError(
            f"{where}: `{option.group}.{option.name}` must be one of {', '.join(map(repr, option.choices))}, got {value!r}"
        )
    if kind in ("float", "number") and not math.isfinite(value):
        # `nan`, `inf` and literals too large for a float (`1e400`) are no timeout anyone meant
        raise ConfigError(f"{where}: `{option.group}.{option.name}` must be a finite number, got {value!r}")
    if kind in ("int", "float", "number") and value < 0:
        raise ConfigError(f"{where}: `{option.group}.{option.name}` must not be negative, got {value!r}")
    return float(value) if kind in ("float", "number") else value


def _check_regex(option: RuleOption, value: str, where: str) -> None:
    """A bad pattern is the configuration's fault: say which key and what the regex engine said."""
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ConfigError(f"{where}: `{option.group}.{option.name}` is not a valid regular expression: {exc}") from exc


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
    #: the lowest Python the project declares (`requires-python`), e.g. (3, 12); None if unknown
    requires_python: tuple[int, int] | None = None
    #: the folders a command line named, when it named several (absolute): outside any checkout,
    #: each is a tree of its own for the project's joins (`project/repositories.py`)
    named_folders: tuple[str, ...] = ()

    def needs_newer_python(self) -> bool:
        """The project declares a Python newer than the one running infralint (its syntax may not parse here)."""
        return self.requires_python is not None and self.requires_python > sys.version_info[:2]

    def enabled_codes(self) -> set[str]:
        """Rules that run. A prefix selects the rules that are on by default; exact codes select any rule."""
        catalog = load_catalog()

        def chosen(selectors: list[str], code: str) -> bool:
            return any(code == s or s == ALL or (code.startswith(s) and catalog[code].default_enabled) for s in selectors)

        if self.select is None:
            base = {code for code, entry in catalog.items() if entry.default_enabled}
        else:
            base = {code for code in catalog if chosen(self.select, code)}
        base |= {code for code in catalog if chosen(self.extend_select, code)}
        return {code for code in base if not any(code.startswith(i) or i == ALL for i in self.ignore)}

    def ignored_for_path(self, relative_posix: str) -> list[str]:
        ignored: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if path_matches(relative_posix, pattern):
                ignored.extend("INF" if code == ALL else code for code in codes)  # codes are prefixes here
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
            "columns": COLUMN_UNIT,
            "requires-python": self.requires_python,
            "named-folders": list(self.named_folders),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above the folder `start`.

    In one folder `.infralint.toml` wins over `infralint.toml`, which wins over a `pyproject.toml`
    (which counts only when it has a `[tool.infralint]` table).
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        found = config_file_in(folder)
        if found is not None:
            return found
    return None


def config_file_in(folder: Path) -> Path | None:
    """The configuration file of the folder itself (none above it is looked at)."""
    for name in CONFIG_FILE_NAMES:
        candidate = folder / name
        if candidate.is_file() and (name != "pyproject.toml" or _has_infralint_table(candidate)):
            return candidate
    return None


def _config_file_or_unstated(folder: str) -> Any:
    return config_file_in(Path(folder)) or _UNSTATED


def _read_toml(path: Path) -> tuple[str, dict[str, Any]] | None:
    """The text and data of a TOML file; None when it cannot be read; ({}) data when it is not TOML."""
    try:
        text = decode_config_bytes(read_regular_file(path))
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return text, _toml.loads(text)
    except (_toml.TOMLDecodeError, RecursionError):  # unreadable: loading it (if ours) says why
        return text, {}


def _has_infralint_table(pyproject: Path) -> bool:
    """A `[tool.infralint]` table, or invalid TOML that mentions infralint (ours, but broken: reading
    it then says so, rather than running with the defaults)."""
    read = _read_toml(pyproject)
    if read is None:
        # not UTF-8 (a UTF-16 file from a Windows editor) but names infralint: ours, unreadable —
        # loading it says so (exit 2) rather than running with the defaults
        try:
            return _mentions_infralint(read_regular_file(pyproject))
        except OSError:
            return False
    text, data = read
    tool = data.get("tool")
    return (isinstance(tool, dict) and "infralint" in tool) or (not data and "infralint" in text)


# `>=3.12`, `~=3.12.1`, `==3.12.*`, `>3.11`: the lower bounds a `requires-python` can state
_LOWER_BOUND_RE = re.compile(r"(>=|~=|==|>)\s*(\d+)\.(\d+)")


def parse_requires_python(spec: str) -> tuple[int, int] | None:
    """The lowest (major, minor) a `requires-python` specifier allows, or None if it sets no bound."""
    bounds = []
    for clause in spec.split(","):
        match = _LOWER_BOUND_RE.search(clause)
        if match:
            bounds.append((int(match.group(2)), int(match.group(3))))
    return max(bounds) if bounds else None


def find_requires_python(start: Path) -> tuple[int, int] | None:
    """The Python the project targets, from the nearest folder at or above `start` that states one:
    ruff's `target-version` (`.ruff.toml`, `ruff.toml`, `[tool.ruff]`), `[project] requires-python`,
    or `.python-version` — in that order within one folder, as ruff prefers its own setting."""
    start = start.resolve()
    for folder in (start, *start.parents):
        found = _declared_python(folder)
        if found is not _UNSTATED:
            return found
    return None


@lru_cache(maxsize=4096)
def target_python_of_folder(folder: str) -> tuple[int, int] | None:
    """`find_requires_python` for the files of one folder, remembered (a monorepo's services each
    state their own Python below the configuration root)."""
    return _target_python_at_or_above(str(Path(folder).resolve()))


def _target_python_at_or_above(folder: str) -> tuple[int, int] | None:
    """`find_requires_python` of a resolved folder, each folder above it asked once for all the
    folders below (a deep tree asked every ancestor for every folder)."""
    answer = _nearest_answer(folder, _TARGET_OF_FOLDER, lambda asked: _declared_python(Path(asked)))
    if len(_TARGET_OF_FOLDER) > 16_384:  # a long-lived process over many trees: start again
        _TARGET_OF_FOLDER.clear()
    return answer


def _nearest_answer(folder: str, known: dict[str, Any], ask: Callable[[str], Any]) -> Any:
    """What the nearest folder at or above the resolved `folder` says (`ask` gives `_UNSTATED`
    for a folder that says nothing; None when none does), each folder asked once for every folder
    below it: `known` keeps each folder's answer."""
    unanswered: list[str] = []
    while folder not in known:
        found = ask(folder)
        if found is not _UNSTATED:
            known[folder] = found
            break
        unanswered.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            known[folder] = None
            break
        folder = parent
    answer = known[folder]
    known.update(dict.fromkeys(unanswered, answer))
    return answer


#: resolved folder → the Python its files target (what `_target_python_at_or_above` learned)
_TARGET_OF_FOLDER: dict[str, tuple[int, int] | None] = {}


def forget_target_pythons() -> None:
    """Read the files that state a target Python again (a long-lived process saw one change)."""
    target_python_of_folder.cache_clear()
    _TARGET_OF_FOLDER.clear()


_UNSTATED: Any = object()
#: the files `_declared_python` reads (a change to one changes the target of the folders below)
TARGET_PYTHON_FILE_NAMES = (".ruff.toml", "ruff.toml", "pyproject.toml", ".python-version")
_RUFF_TARGET_RE = re.compile(r"py(\d)(\d+)$")
_PYTHON_VERSION_RE = re.compile(r"(?:^|[^\d.])(\d)\.(\d+)")


def _declared_python(folder: Path) -> Any:
    """The target Python this folder's files state (None: a project here states no bound), or
    `_UNSTATED` when no file here speaks of it."""
    for name in (".ruff.toml", "ruff.toml"):
        read = _read_toml(folder / name) if (folder / name).is_file() else None
        if read and isinstance(read[1].get("target-version"), str):
            return _ruff_target(read[1]["target-version"])
    pyproject = folder / "pyproject.toml"
    read = _read_toml(pyproject) if pyproject.is_file() else None
    if read:
        tool = read[1].get("tool")
        ruff = tool.get("ruff") if isinstance(tool, dict) else None
        if isinstance(ruff, dict) and isinstance(ruff.get("target-version"), str):
            return _ruff_target(ruff["target-version"])
        project = read[1].get("project")
        if isinstance(project, dict):
            spec = project.get("requires-python")
            return parse_requires_python(spec) if isinstance(spec, str) else None
    pinned = folder / ".python-version"
    if pinned.is_file():
        try:
            with pinned.open(encoding="utf-8", errors="replace") as handle:
                first = handle.read(200).strip().splitlines()
        except OSError:
            return _UNSTATED
        match = _PYTHON_VERSION_RE.search(first[0]) if first else None
        return (int(match.group(1)), int(match.group(2))) if match else _UNSTATED
    return _UNSTATED


def _ruff_target(value: str) -> tuple[int, int] | None:
    match = _RUFF_TARGET_RE.match(value.strip().lower())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _load_toml(text: str, path: Path) -> dict[str, Any]:
    """TOML whose nesting defeats the parser (arrays thousands deep) is an error with words."""
    try:
        return _toml.loads(text)
    except RecursionError as exc:
        raise ConfigError(f"{path}: invalid TOML: values are nested too deeply to read") from exc


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def decode_config_bytes(data: bytes) -> str:
    """A TOML file's text as Python's own tools read it: UTF-8, with or without a BOM.

    Anything else raises UnicodeDecodeError, whose reason names UTF-16/32 when the bytes are
    (a file saved by a Windows editor), so the message can say what to do.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom) or (name == "UTF-16" and len(data) > 1 and (data[0] == 0) != (data[1] == 0)):
            raise UnicodeDecodeError(name, data, 0, 1, f"the file is {name} text; save it as UTF-8")
    return data.decode("utf-8")


def _mentions_infralint(data: bytes) -> bool:
    """The word in any of the encodings a configuration file is likely to have been saved in."""
    return any("infralint".encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))


def read_table(path: Path) -> dict[str, Any]:
    try:
        text = decode_config_bytes(read_regular_file(path))  # a FIFO named pyproject.toml never blocks
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        if exc.reason.startswith("the file is"):
            raise ConfigError(f"{path}: configuration is not UTF-8: {exc.reason}") from exc
        raise ConfigError(f"{path}: configuration is not valid UTF-8 (byte {exc.start})") from exc
    try:
        data = _load_toml(text, path)
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
    # `extend-per-file-ignores` adds to `per-file-ignores`, whichever comes first in the file
    for key, value in sorted(table.items(), key=lambda item: item[0] == "extend-per-file-ignores"):
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
        elif key in ("per-file-ignores", "extend-per-file-ignores"):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `{key}` must be a table of glob = [codes]")
            for pattern, codes in value.items():
                if not isinstance(codes, list):
                    raise ConfigError(f"{where}: {key} `{pattern}` must be a list of codes")
                known = config.per_file_ignores.get(pattern, [])
                config.per_file_ignores[pattern] = known + validate_codes(codes, f"{where}: {key} `{pattern}`")
        elif key == "extend" and not isinstance(value, str):  # followed by `resolve_extends`
            raise ConfigError(f"{where}: `extend` must be the path of a configuration file, got {value!r}")
    return config


def _parse_group(config: Config, group: str, values: dict[str, Any], where: str) -> None:
    known = {name: opt for (g, name), opt in all_options().items() if g == group}
    for name, value in values.items():
        if name not in known:
            raise ConfigError(f"{where}: unknown option `{group}.{name}`{_closest(name, known)}")
        config.options[(group, name)] = _check_option(known[name], value, where)


def resolve_extends(config_path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The table of `config_path` on top of the one its `extend` names (a path relative to its
    folder), recursively: the extending file's keys win; `extend-select`, `extend-exclude` and
    `extend-per-file-ignores` add up (a `select` of its own drops the base's `extend-select`).
    The base's path patterns are rebased onto the extending file's folder."""
    here = config_path.resolve()
    if here in chain:
        cycle = " → ".join(str(p) for p in (*chain[chain.index(here):], here))
        raise ConfigError(f"{chain[-1]}: `extend` makes a cycle: {cycle}")
    table = read_table(config_path)
    target = table.get("extend")
    if target is None:
        return table
    where = str(config_path)
    if not isinstance(target, str):
        raise ConfigError(f"{where}: `extend` must be the path of a configuration file, got {target!r}")
    base_path = (here.parent / Path(target).expanduser()).resolve()
    if not base_path.is_file():
        raise ConfigError(f"{where}: `extend` names {base_path}, which is not a file")
    base = resolve_extends(base_path, (*chain, here))
    parse_table(base, str(base_path), base_path.parent)  # its mistakes name its own file
    return _merged(_rebased(base, base_path.parent, here.parent), table)


_ADDING_KEYS = ("extend-select", "extend-exclude")


def _merged(base: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    merged = {key: value for key, value in base.items() if key != "extend"}
    if "select" in table:
        merged.pop("extend-select", None)
    for key, value in table.items():
        known = merged.get(key)
        if key in _ADDING_KEYS and isinstance(known, list) and isinstance(value, list):
            merged[key] = known + value
        elif isinstance(known, dict) and isinstance(value, dict) and key != "per-file-ignores":
            # a rule-option group or `extend-per-file-ignores`: key by key (codes add up)
            merged[key] = {**known, **value} if key != "extend-per-file-ignores" else _joined(known, value)
        else:
            merged[key] = value
    return merged


def _joined(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    joined = dict(base)
    for pattern, codes in extra.items():
        known = joined.get(pattern)
        joined[pattern] = known + codes if isinstance(known, list) and isinstance(codes, list) else codes
    return joined


def _rebased(table: dict[str, Any], base_dir: Path, new_dir: Path) -> dict[str, Any]:
    """Path patterns written relative to `base_dir`, made relative to `new_dir`. A name pattern
    (`migrations`, `*_pb2.py`) or a `**/` one means the same anywhere; an anchored one for another
    part of the tree no longer applies."""
    try:
        prefix = new_dir.resolve().relative_to(base_dir).as_posix()
    except ValueError:
        return table  # not below the base: its patterns are taken as they are
    if prefix == ".":
        return table

    def rebase(pattern: str) -> str | None:
        plain = pattern.replace("\\", "/")
        while plain.startswith("./"):
            plain = plain[2:]
        if "/" not in plain.strip("/") or plain.startswith("**/"):
            return pattern
        return plain[len(prefix) + 1 :] if plain.startswith(prefix + "/") else None

    rebased = dict(table)
    for key in ("exclude", "extend-exclude"):
        if isinstance(table.get(key), list):
            rebased[key] = [r for r in map(rebase, table[key]) if r is not None]
    for key in ("per-file-ignores", "extend-per-file-ignores"):
        if isinstance(table.get(key), dict):
            rebased[key] = {r: codes for pattern, codes in table[key].items() if (r := rebase(pattern)) is not None}
    return rebased


def load_config(config_path: Path | None = None, start: Path | None = None) -> Config:
    """Configuration from `config_path`, or the nearest one above `start` (default: cwd), or defaults."""
    if config_path is None:
        config_path = find_config(start or Path.cwd())
    if config_path is None:
        root = (start or Path.cwd()).resolve()
        return Config(root=root, requires_python=find_requires_python(root))
    config_path = Path(config_path)
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    table = resolve_extends(config_path)
    config = parse_table(table, str(config_path), config_path.resolve().parent)
    config.source = config_path
    config.requires_python = find_requires_python(config.root)
    return config


class ConfigResolver:
    """The configuration of each file: the nearest configuration file above it, or `override` for all.

    Command-line `select`/`extend_select`/`ignore` apply on top of every file's configuration.
    Lookups are cached per folder and per configuration file; `clear()` forgets them (the
    language server calls it when a configuration file changes).
    """

    def __init__(self, override: Path | None = None, *, select=None, extend_select=(), ignore=(), exclude=None, extend_exclude=()) -> None:
        self.override = Path(override) if override is not None else None
        self._overrides = {
            "select": select,
            "extend_select": list(extend_select or ()),
            "ignore": list(ignore or ()),
            "exclude": exclude,
            "extend_exclude": list(extend_exclude or ()),
        }
        self._file_for_folder: dict[Path, Path | None] = {}
        self._file_for_real_folder: dict[str, Path | None] = {}  # folders symbolic links resolved
        self._configs: dict[Path | None, Config] = {}

    def clear(self) -> None:
        self._file_for_folder.clear()
        self._file_for_real_folder.clear()
        forget_target_pythons()
        self._configs.clear()

    def forget(self, config_file: Path | None) -> None:
        """Read `config_file` again on next use (it changed on disk)."""
        self._configs.pop(config_file, None)

    def config_file_for(self, path: Path) -> Path | None:
        """The configuration file that governs `path` (a file, a folder, or a name that need not exist)."""
        if self.override is not None:
            return self.override
        path = Path(path).absolute()
        folder = path if path.is_dir() else path.parent
        if folder not in self._file_for_folder:
            # `find_config`, asking each real folder once however many folders below it ask
            self._file_for_folder[folder] = _nearest_answer(str(folder.resolve()), self._file_for_real_folder, _config_file_or_unstated)
        return self._file_for_folder[folder]

    def config_for(self, path: Path) -> Config:
        """The effective configuration of `path`; raises ConfigError when its file is invalid."""
        return self.load(self.config_file_for(path))

    def load(self, config_file: Path | None) -> Config:
        """The effective configuration read from `config_file` (None: the defaults), cached."""
        if config_file not in self._configs:
            if config_file is None:  # no configuration file anywhere above: the defaults
                root = Path.cwd().resolve()
                config = Config(root=root, requires_python=find_requires_python(root))
            else:
                config = load_config(config_file)
            self._configs[config_file] = apply_overrides(config, **self._overrides)
        return self._configs[config_file]


def apply_overrides(config: Config, *, select=None, extend_select=None, ignore=None, exclude=None, extend_exclude=None) -> Config:
    """Command-line options win over the file: `--select` and `--exclude` replace, the others extend."""
    if exclude is not None:
        config.exclude = list(exclude)
    if extend_exclude:
        config.extend_exclude = config.extend_exclude + list(extend_exclude)
    if select is not None:
        config.select = validate_codes(select, "--select")
    if extend_select:
        config.extend_select = config.extend_select + validate_codes(extend_select, "--extend-select")
    if ignore:
        config.ignore = config.ignore + validate_codes(ignore, "--ignore")
    return config
