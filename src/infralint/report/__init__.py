"""Output formats. Each reporter turns the sorted findings of a run into text."""

from __future__ import annotations

from typing import Callable

from ..finding import Finding
from .summary import RunSummary


def reporter(name: str) -> Callable[[list[Finding], RunSummary], str]:
    if name in ("text", "full"):
        from .text import render
    elif name == "concise":
        from .concise import render
    elif name == "json":
        from .json import render
    elif name == "sarif":
        from .sarif import render
    elif name == "github":
        from .github import render
    elif name == "json-lines":
        from .json_lines import render
    elif name == "junit":
        from .junit import render
    elif name == "gitlab":
        from .gitlab import render
    else:
        raise ValueError(f"unknown format {name!r}")
    return render


def statistics_reporter(name: str) -> Callable[[list[Finding], RunSummary], str]:
    """`--statistics`: a count per rule instead of the findings (as ruff's `--statistics`)."""
    from .statistics import render_json, render_text

    return render_json if name in ("json", "json-lines", "sarif", "gitlab") else render_text


#: `full` is ruff's name for `text`
FORMATS = ("text", "full", "concise", "json", "json-lines", "junit", "gitlab", "github", "sarif")
