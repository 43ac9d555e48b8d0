"""What `--fix` fixed: the count every report states, and `--show-fixes`' list per file and rule
(as ruff lists it). The unit is the finding whose fix was applied (`FixOutcome.applied`): a finding
that went away only because another fix changed the code is not counted."""

from __future__ import annotations

from collections import Counter

from ..catalog import load_catalog
from .escape import printable


def fixed_sentence(count: int) -> str:
    return f"Fixed {count} finding{'s' if count != 1 else ''}." if count else ""


def render_fixed(fixed_codes: dict[str, Counter]) -> str:
    total = sum(sum(counts.values()) for counts in fixed_codes.values())
    if not total:
        return ""
    catalog = load_catalog()
    lines = [fixed_sentence(total).removesuffix(".") + ":"]
    for path in sorted(fixed_codes):
        counts = fixed_codes[path]
        if not counts:
            continue
        lines.append(f"- {printable(path)}:")
        for code, count in sorted(counts.items()):
            name = catalog[code].name if code in catalog else ""
            lines.append(f"    {count} × {code} ({name})" if name else f"    {count} × {code}")
    return "".join(line + "\n" for line in lines)
