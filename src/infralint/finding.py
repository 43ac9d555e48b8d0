"""The finding and fix model shared by every front end (CLI, flake8, language server)."""

from __future__ import annotations

from dataclasses import dataclass, field, asdict
from enum import Enum
from typing import Any

from .fix_data import FixData, fix_data_from_dict


class FixSafety(str, Enum):
    """How far a fix may be trusted: safe fixes preserve behaviour, unsafe ones change it."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text between two positions (1-based lines, 0-based character columns) with `content`."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    content: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Edit":
        return cls(**data)


@dataclass
class Fix:
    """A fix offered by a finding.

    `edits` may stay empty until the engine resolves the fix: computing edits can need LibCST,
    which is only paid for when fixes are actually wanted (`--fix`, `--diff`, code actions).
    `data` is what the rule needs to compute the edits later: one of the records of `fix_data`
    (None when the edits are known at once).
    """

    safety: FixSafety
    title: str
    edits: list[Edit] = field(default_factory=list)
    data: FixData | None = None
    resolved: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "safety": self.safety.value,
            "title": self.title,
            "edits": [e.to_dict() for e in self.edits],
            "data": self.data.to_dict() if self.data is not None else None,
            "resolved": self.resolved,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Fix":
        return cls(
            safety=FixSafety(data["safety"]),
            title=data["title"],
            edits=[Edit.from_dict(e) for e in data.get("edits", [])],
            data=fix_data_from_dict(data.get("data")),
            resolved=data.get("resolved", False),
        )


@dataclass
class Finding:
    """One problem at one place. Lines are 1-based; columns are 0-based character (code point)
    offsets, like the columns of fix edits (reports add 1 where people read them, as flake8 and ruff do)."""

    code: str
    name: str
    message: str
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    severity: str = "error"
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line,
            "end_col": self.end_col,
            "severity": self.severity,
            "fix": self.fix.to_dict() if self.fix else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        fix = data.get("fix")
        return cls(
            code=data["code"],
            name=data["name"],
            message=data["message"],
            path=data["path"],
            line=data["line"],
            col=data["col"],
            end_line=data["end_line"],
            end_col=data["end_col"],
            severity=data.get("severity", "error"),
            fix=Fix.from_dict(fix) if fix else None,
        )
