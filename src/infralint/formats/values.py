"""Value types shared by the configuration readers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ref:
    """A reference to another configuration object (`var.x`, `local.y`, `google_compute_backend_service.api.id`)."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Unresolved:
    """A value the file computes at deploy time (an expression, a template): never guessed."""

    text: str = "expression"

    def __str__(self) -> str:
        return self.text


def as_seconds(value) -> float | None:
    """A literal number of seconds (int, float or a digit string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            return None
    return None


_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value, *, bare_unit: float = 1.0) -> float | None:
    """Seconds in a duration written as a number or `1m30s`, `300s`, `3.5s`, `500ms`, `1h`.

    `bare_unit` is what a bare number means (seconds almost everywhere). None when it is not a
    literal duration (a variable, an expression, garbage).
    """
    import re

    number = as_seconds(value)
    if number is not None:
        return number * bare_unit
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text or not re.fullmatch(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+", text):
        return None
    return sum(float(n) * _DURATION_UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", text))


def format_seconds(seconds: float) -> str:
    """`30 s`, `2.5 s`, `3600 s` — the unit the messages use."""
    return f"{seconds:g} s"
