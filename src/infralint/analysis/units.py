"""The unit a timeout setting is written in, read from its name: `timeout_ms=10000` is 10 s.

Every place INF3xx reads a number from a keyword, a class field, a dictionary key or an assigned
name asks `seconds_per_unit(name)` and scales the value, so a duration in milliseconds is never
taken for seconds (pymongo `serverSelectionTimeoutMS`, kafka `request_timeout_ms`,
`HEALTH_TIMEOUT_MILLIS`). `timedelta(…)` values are converted where they are resolved
(`analysis.constants`).
"""

from __future__ import annotations

from dataclasses import replace

from .constants import Value, format_seconds
from .redis_clients import name_tokens

#: unit words of a name's last word, in seconds ("min" is left out: `min_timeout` is a minimum)
_UNITS = {
    "ms": 0.001, "msec": 0.001, "msecs": 0.001, "millis": 0.001, "milli": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "us": 1e-6, "usec": 1e-6, "usecs": 1e-6, "micros": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6,
    "ns": 1e-9, "nanos": 1e-9, "nanoseconds": 1e-9,
    "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "hour": 3600.0, "hours": 3600.0, "hrs": 3600.0,
}  # fmt: skip
_UNIT_NAMES = {0.001: "milliseconds", 1e-6: "microseconds", 1e-9: "nanoseconds", 60.0: "minutes", 3600.0: "hours"}


def seconds_per_unit(name: str | None) -> float:
    """1.0 for seconds (and for names that say nothing); the unit's size in seconds otherwise.
    The unit is the name's last word (`timeout_ms`, `connectTimeoutMS`, `TIMEOUT_MILLIS`) or the
    word right after `timeout` (`timeout_ms_max`)."""
    if not name:
        return 1.0
    tokens = name_tokens(name)
    if not tokens:
        return 1.0
    if tokens[-1] in _UNITS:
        return _UNITS[tokens[-1]]
    if "timeout" in tokens:
        after = tokens.index("timeout") + 1
        if after < len(tokens) and tokens[after] in _UNITS:
            return _UNITS[tokens[after]]
    return 1.0


def in_seconds(name: str | None, value: Value | None) -> Value | None:
    """`value` as written under `name`, converted to seconds (with a note saying so)."""
    if value is None:
        return None
    scale = seconds_per_unit(name)
    if scale == 1.0:
        return value
    written = value.number
    note = f"`{name}` is in {_UNIT_NAMES.get(scale, 'units of ' + format_seconds(scale) + ' s')}: {written:g} = {format_seconds(written * scale)} s"
    return replace(value, number=written * scale, notes=(*value.notes, note), literal=False)
