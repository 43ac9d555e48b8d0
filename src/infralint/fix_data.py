"""What a lazily built fix remembers until its edits are wanted: one small frozen dataclass per kind.

A rule that offers a fix records where and what to change (`make_fix(title, HoistImport(line, col))`)
and builds the edits in its `resolve_fix` from that record, with LibCST, only when fixes are wanted.
The records travel through the result cache and shard partials, so each is plain data (ints,
strings, tuples of them), read back by its class name (`fix_data_from_dict`). Positions are the
`ast` node's (`lineno`, `col_offset` in UTF-8 bytes), as the fix writers in `fixes/` expect them.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any, ClassVar

#: every kind by class name, for reading records back from the cache
_KINDS: dict[str, type["FixData"]] = {}


class FixData:
    """Base of the fix records; a subclass is registered by its name when it is defined."""

    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__name__
        _KINDS[cls.__name__] = cls

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "fields": list(astuple(self))}  # type: ignore[call-overload]


def fix_data_from_dict(data: dict[str, Any] | None) -> FixData | None:
    """A record written by `FixData.to_dict` (lists, as JSON stores tuples, become tuples again)."""
    if not data:
        return None
    cls = _KINDS[data["kind"]]
    return cls(*(_frozen(value) for value in data["fields"]))


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


@dataclass(frozen=True)
class HoistImport(FixData):
    """Move the import statement (or dynamic import) at this position to the module's imports."""

    line: int
    col: int


@dataclass(frozen=True)
class AddImport(FixData):
    """Add `import <module>` to the module's imports."""

    module: str


@dataclass(frozen=True)
class SetKeywords(FixData):
    """Set keyword arguments of the call at this position (added when absent, replaced otherwise)."""

    line: int
    col: int
    keywords: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReplaceExpression(FixData):
    """Replace the source between two `ast` positions with `value`."""

    line: int
    col: int
    end_line: int
    end_col: int
    value: str


@dataclass(frozen=True)
class FailInsteadOfSkip(FixData):
    """Turn the skip call or `raise SkipTest` at this position into the matching failure."""

    line: int
    col: int


@dataclass(frozen=True)
class UncommentLines(FixData):
    """Uncomment these (first, last) line ranges of commented-out code, dropping the comment lines
    `notes` that only explained why the code was disabled."""

    ranges: tuple[tuple[int, int], ...]
    notes: tuple[int, ...] = ()


def kinds() -> dict[str, type[FixData]]:
    """Every fix kind by name (for tests that check each one survives the cache)."""
    return dict(_KINDS)


__all__ = [
    "AddImport",
    "FailInsteadOfSkip",
    "FixData",
    "HoistImport",
    "ReplaceExpression",
    "SetKeywords",
    "UncommentLines",
    "fix_data_from_dict",
    "kinds",
]
