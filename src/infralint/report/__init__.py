"""Output formats. Each reporter turns the sorted findings of a run into text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..finding import Finding


@dataclass
class RunSummary:
    """What a reporter may show besides the findings themselves."""

    files: int = 0
    fixed: int = 0
    statistics: bool = False
    unsafe_fixes: bool = False
    color: bool = False
    quiet: bool = False
    sources: dict[str, list[str]] = field(default_factory=dict)  # path → lines, for code frames


def reporter(name: str) -> Callable[[list[Finding], RunSummary], str]:
    if name == "text":
        from .text import render
    elif name == "concise":
        from .concise import render
    elif name == "json":
        from .json import render
    elif name == "sarif":
        from .sarif import render
    elif name == "github":
        from .github import render
    else:
        raise ValueError(f"unknown format {name!r}")
    return render


FORMATS = ("text", "concise", "json", "sarif", "github")
