"""Does setting an environment flag to a value switch real services off?

Three kinds of flag name (glob patterns, case-insensitive):
- real flags (`USE_REAL_SERVICES`, `DOCKER_ENABLED`): off when set to false/0/no/off/mock;
- mock flags (`USE_MOCKS`, `FAKE_REDIS`): off when set to true/1/yes/on;
- skip flags (`SKIP_REDIS_TESTS`, `DISABLE_DB`): off when set on *and* the rest of the name names a
  service (`SKIP_SLOW_TESTS` and `NO_COLOR` are about something else).
Values that are neither (a URL, a path, a number other than 0/1) say nothing and are not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .service_words import mentioned_word

OFF_VALUES = {"false", "0", "no", "off", "n", "f", "disabled", "disable", "none", "mock", "mocked", "mocks", "fake", "stub"}
ON_VALUES = {"true", "1", "yes", "on", "y", "t", "enabled", "enable"}


@dataclass(frozen=True)
class FlagPatterns:
    real: tuple[str, ...]
    mock: tuple[str, ...]
    skip: tuple[str, ...]
    service_words: tuple[str, ...]


def value_state(value: object) -> str | None:
    """'on', 'off' or None (unknown) for a literal flag value."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return {0: "off", 1: "on"}.get(value)
    if isinstance(value, str):
        lowered = value.strip().strip("'\"").lower()
        if lowered in ON_VALUES:
            return "on"
        if lowered in OFF_VALUES:
            return "off"
    return None


def _matches(name: str, patterns: tuple[str, ...]) -> str | None:
    upper = name.upper()
    return next((p for p in patterns if fnmatchcase(upper, p.upper())), None)


def _rest_of_name(name: str, pattern: str) -> str:
    """`SKIP_REDIS_TESTS` against `SKIP_*` → `REDIS_TESTS`: the part the wildcard stands for."""
    fixed = [piece for piece in re.split(r"[*?]+", pattern.upper()) if piece]
    rest = name.upper()
    for piece in fixed:
        rest = rest.replace(piece, " ", 1)
    return rest


def disabling_write(name: str, value: object, patterns: FlagPatterns) -> str | None:
    """Why setting `name` to `value` switches real services off, or None if it does not."""
    state = value_state(value)
    if state is None or not name:
        return None
    if state == "on":
        pattern = _matches(name, patterns.skip)
        if pattern is not None:
            word = mentioned_word(_rest_of_name(name, pattern), patterns.service_words)
            if word:
                return "turns " + re.sub(r"[\s_\-]+", " ", word.lower()) + " off"
        if _matches(name, patterns.mock):
            return "switches to mocks"
        return None
    if _matches(name, patterns.real) and not _matches(name, patterns.skip) and not _matches(name, patterns.mock):
        return "turns real services off"
    return None
