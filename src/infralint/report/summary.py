"""What a reporter may show besides the findings: counts, options, source lines for frames."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RunSummary:
    """What a reporter may show besides the findings themselves."""

    files: int = 0
    fixed: int = 0
    statistics: bool = False
    unsafe_fixes: bool = False
    color: bool = False
    quiet: bool = False
    sources: dict[str, list[str]] = field(default_factory=dict)  # path → lines, for code frames and fingerprints
    source_root: Path | None = None  # what SARIF and GitHub paths are relative to (the repository root)
    show_fixes: bool = False  # list what --fix fixed
    fixed_codes: dict[str, Counter] = field(default_factory=dict)  # path → codes fixed there
