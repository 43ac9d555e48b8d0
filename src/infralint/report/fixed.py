"""`--show-fixes`: what `--fix` fixed, per file and rule (as ruff lists it)."""

from __future__ import annotations

from collections import Counter

from ..catalog import load_catalog
from .escape import printable


def render_fixed(fixed_codes: dict[str, Counter]) -> str:
    total = sum(sum(counts.values()) for counts in fixed_codes.values())
    if not total:
        return ""
    catalog = load_catalog()
    lines = [f"Fixed {total} finding{'s' if total != 1 else ''}:"]
    for path in sorted(fixed_codes):
        counts = fixed_codes[path]
        if not counts:
            continue
        lines.append(f"- {printable(path)}:")
        for code, count in sorted(counts.items()):
            name = catalog[code].name if code in catalog else ""
            lines.append(f"    {count} × {code} ({name})" if name else f"    {count} × {code}")
    return "".join(line + "\n" for line in lines)
