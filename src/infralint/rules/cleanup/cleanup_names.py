"""What a function's name says about whether it runs at teardown.

A name is evidence, not proof. Words split into three kinds:

- **teardown words** (`shutdown`, `teardown`, `dispose`, `aclose`) mean teardown
  wherever they appear as the first or last word of the name (`shutdown_pool`,
  `on_hard_shutdown`, `graceful_shutdown`, `tearDown`);
- **connection words** (`close`, `disconnect`) mean teardown on a class whose name says it holds a
  connection (`RedisClient.close`, `ConnectionPool.disconnect_all`), and are ambiguous elsewhere;
- **ambiguous words** (`cleanup`, `clean_up`, `purge`, `reap`, `stop`, `finalize`, …) are as often
  periodic maintenance (expiring old registry entries) or completion (`finalize_options`) as teardown: such a function is a cleanup path only
  when a real teardown entry or an `except` handler calls it (`cleanup_paths` decides that).

Names are split into words at underscores and camel-case humps, so `tearDown` is `tear down` and
matches `teardown`; a word list entry like `clean_up` matches `clean_up` and `cleanUp`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

TEARDOWN, AMBIGUOUS = "teardown", "ambiguous"

_HUMP = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
# `is_shutdown`, `wait_for_shutdown`, `request_shutdown`: asking about or scheduling a teardown;
# `test_graceful_shutdown`: a test *of* teardown runs as an ordinary test
_NOT_AN_ACTION = frozenset(
    {"is", "has", "was", "can", "should", "needs", "get", "check", "wait", "request", "schedule", "register", "add", "remove", "set", "test"}
)


def name_words(name: str) -> list[str]:
    """`_on_hard_shutdown` → on hard shutdown; `tearDownClass` → tear down class."""
    return [w.lower() for part in name.split("_") for w in _HUMP.findall(part)]


def _joined(words: list[str]) -> list[str]:
    """Every way the leading words of a name can spell one word list entry: `tear`, `teardown`, …"""
    return ["".join(words[: size]) for size in range(1, len(words) + 1)]


def _entry_key(entry: str) -> str:
    return "".join(name_words(entry))


@lru_cache(maxsize=64)
def _keys_of(entries: tuple[str, ...]) -> dict[str, str]:
    """The configured word list by spelling key, built once per list (asked for every function)."""
    return {_entry_key(e): e for e in entries}


def word_at_edge(name: str, entries: tuple[str, ...], *, suffix: bool) -> str | None:
    """The entry the name starts with (or, with `suffix`, ends with) as whole words."""
    words = name_words(name)
    if not words:
        return None
    keys = _keys_of(entries)
    candidates = _joined(words)
    if suffix:
        candidates += ["".join(words[-size:]) for size in range(1, len(words) + 1)]
    for candidate in candidates:
        if candidate in keys:
            return keys[candidate]
    return None


@dataclass(frozen=True)
class CleanupNames:
    """The configured word lists (catalog options of INF201, group `cleanup`)."""

    teardown: tuple[str, ...]
    connection: tuple[str, ...]
    connection_classes: tuple[str, ...]
    ambiguous: tuple[str, ...]

    def kind(self, name: str, owner_class: str | None) -> str | None:
        """TEARDOWN, AMBIGUOUS or None for a function `name` (a method of `owner_class`)."""
        return _kind_of(self, name, owner_class)

    def _kind(self, name: str, owner_class: str | None) -> str | None:
        words = name_words(name)
        if not words or words[0] in _NOT_AN_ACTION and len(words) > 1:
            return None
        if word_at_edge(name, self.teardown, suffix=True):
            return TEARDOWN
        if word_at_edge(name, self.connection, suffix=True):
            return TEARDOWN if self._holds_connection(owner_class) else AMBIGUOUS
        if word_at_edge(name, self.ambiguous, suffix=True):
            return AMBIGUOUS
        return None

    def _holds_connection(self, owner_class: str | None) -> bool:
        if owner_class is None:
            return False
        words = set(name_words(owner_class))
        return any(_entry_key(word) in words for word in self.connection_classes)


@lru_cache(maxsize=4096)
def _kind_of(names: CleanupNames, name: str, owner_class: str | None) -> str | None:
    """`CleanupNames.kind`, asked again for every `close`/`__init__`/`run` of every file."""
    return names._kind(name, owner_class)
