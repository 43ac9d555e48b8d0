"""Environment variables that test configuration files set, with the line each one is on.

- `pytest.ini` `[pytest]`, `setup.cfg` `[tool:pytest]`, `tox.ini` `[pytest]`: the pytest-env `env`
  key (one `KEY=VALUE` per continuation line, optional `D:`/`R:` flags);
- `tox.ini` `[testenv]`/`[testenv:…]`: `setenv` (tox's own, same shape);
- `pyproject.toml`: `env = [...]` in `[tool.pytest.ini_options]`, and the `[tool.pytest_env]` table.

`configparser` forgets line numbers, so the files are scanned line by line; the TOML file is
validated with the TOML parser first so that a broken file is never half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from ... import _toml

CONFIG_FILE_NAMES = frozenset({"pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml"})

_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*(?:[#;].*)?$")
_INI_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w.-]*)\s*[=:]\s*(?P<value>.*)$")
_ENV_ITEM = re.compile(r"^(?:[DR]:){0,2}(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*$")
_TOML_STRING = re.compile(r"""(?P<q>"|')(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
_TOML_KEY_VALUE = re.compile(r"""^\s*(?P<q>["']?)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P=q)\s*=\s*(?P<value>.+?)\s*$""")


@dataclass(frozen=True)
class EnvSetting:
    """`name=value` set by a configuration file, at a 1-based line and 0-based column."""

    line: int
    col: int
    end_col: int
    name: str
    value: str
    where: str  # the file's section and key, e.g. `[pytest] env`


def _ini_env_keys(file_name: str, section: str) -> set[str]:
    section = section.strip()
    if file_name in ("pytest.ini", ".pytest.ini") and section == "pytest":
        return {"env"}
    if file_name == "setup.cfg" and section == "tool:pytest":
        return {"env"}
    if file_name == "tox.ini":
        if section == "pytest":
            return {"env"}
        if section == "testenv" or section.startswith("testenv:"):
            return {"setenv", "set_env"}
    return set()


def _strip_inline_comment(value: str) -> str:
    return re.split(r"\s[#;]", value, maxsplit=1)[0].strip()


def ini_env_settings(file_name: str, text: str) -> list[EnvSetting]:
    found: list[EnvSetting] = []
    keys: set[str] = set()
    section = ""
    current_key: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        section_match = _SECTION.match(raw)
        if section_match:
            section = section_match.group("name")
            keys = _ini_env_keys(file_name, section)
            current_key = None
            continue
        if not keys:
            continue
        continuation = raw[:1].isspace()
        if not continuation:
            key_match = _INI_KEY.match(raw)
            current_key = key_match.group("key").lower() if key_match and key_match.group("key").lower() in keys else None
            if current_key is None:
                continue
            value = key_match.group("value")
            col = raw.index(value) if value else len(raw)
        elif current_key is not None:
            value = raw.strip()
            col = len(raw) - len(raw.lstrip())
        else:
            continue
        value = _strip_inline_comment(value)
        item = _ENV_ITEM.match(value)
        if item:
            found.append(EnvSetting(number, col, col + len(value), item.group("name"), item.group("value"), f"[{section}] {current_key}"))
    return found


def pyproject_env_settings(text: str) -> list[EnvSetting]:
    if "env" not in text:
        return []
    try:
        data = _toml.loads(text)
    except _toml.TOMLDecodeError:
        return []
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    ini_options = tool.get("pytest", {}).get("ini_options", {}) if isinstance(tool.get("pytest"), dict) else {}
    has_list = isinstance(ini_options, dict) and isinstance(ini_options.get("env"), list)
    has_table = isinstance(tool.get("pytest_env"), dict)
    if not (has_list or has_table):
        return []
    found: list[EnvSetting] = []
    table = ""
    in_env_list = False
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        header = re.match(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(?:#.*)?$", raw)
        if header and not in_env_list:
            table = header.group("name").strip().replace('"', "").replace("'", "").replace(" ", "")
            continue
        if table == "tool.pytest.ini_options" and has_list:
            if not in_env_list:
                match = re.match(r"^\s*env\s*=\s*\[(?P<rest>.*)$", raw)
                if not match:
                    continue
                in_env_list = True
                offset = match.start("rest")
                segment = match.group("rest")
            else:
                offset, segment = 0, raw
            for string in _TOML_STRING.finditer(segment):
                item = _ENV_ITEM.match(string.group("body"))
                if item:
                    col = offset + string.start()
                    found.append(EnvSetting(number, col, offset + string.end(), item.group("name"), item.group("value"), "[tool.pytest.ini_options] env"))
            if "]" in _TOML_STRING.sub("", segment).split("#")[0]:
                in_env_list = False
        elif table == "tool.pytest_env" and has_table and not stripped.startswith("#"):
            match = _TOML_KEY_VALUE.match(raw)
            if not match:
                continue
            value = match.group("value")
            inline = re.search(r"""value\s*=\s*(?P<q>["'])(?P<v>.*?)(?P=q)""", value)
            literal = inline.group("v") if inline else value.split("#")[0].strip().strip("'\"")
            col = len(raw) - len(raw.lstrip())
            found.append(EnvSetting(number, col, len(raw.rstrip()), match.group("name"), literal, "[tool.pytest_env]"))
    return found


def env_settings(path: str, text: str) -> list[EnvSetting]:
    """The environment settings of a pytest/tox configuration file (empty for anything else)."""
    name = PurePath(path.replace("\\", "/")).name
    if name == "pyproject.toml":
        return pyproject_env_settings(text)
    if name in CONFIG_FILE_NAMES:
        return ini_env_settings(name, text)
    return []
