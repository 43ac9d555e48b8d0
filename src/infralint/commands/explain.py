"""`infralint rules` and `infralint rule CODE`: the catalog rendered for people (and tools).

Text is wrapped to the terminal (80 columns when piped), never cut: the examples wrap too.
"""

from __future__ import annotations

import difflib
import json
import sys

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from ..catalog import FIX_SAFETY_MEANINGS, RuleEntry, language_of, load_catalog
from ..exits import EXIT_CLEAN, UsageError
from ..rules import rule_classes


def _implemented() -> list[RuleEntry]:
    catalog = load_catalog()
    implemented = rule_classes()
    return [catalog[code] for code in sorted(catalog) if code in implemented]


def rule_json(entry: RuleEntry) -> dict:
    return {
        "code": entry.code,
        "name": entry.name,
        "family": entry.family,
        "summary": entry.summary,
        "default_enabled": entry.default_enabled,
        "severity": entry.severity,
        "fix_safety": entry.fix_safety,
        "docs_url": entry.docs_url,
        "options": [
            {"name": f"{o.group}.{o.name}", "type": o.type, "default": o.default, "description": o.description, "family_codes": list(o.codes)}
            for o in entry.options
        ],
    }


def list_rules(output_format: str = "text") -> int:
    entries = _implemented()
    if output_format == "json":
        sys.stdout.write(json.dumps([rule_json(e) for e in entries], indent=2) + "\n")
        return EXIT_CLEAN
    table = Table(title="infralint rules")
    for column in ("code", "name", "family", "fix", "default"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(entry.code, entry.name, entry.family, entry.fix_safety, "on" if entry.default_enabled else "off")
    console = Console(highlight=False)
    console.print(table)
    shown = sorted({e.fix_safety for e in entries} - {"none"})
    console.print("fix: " + "; ".join(f"{s} — {FIX_SAFETY_MEANINGS[s]}" for s in shown), markup=False)
    return EXIT_CLEAN


def find_rule(word: str) -> RuleEntry:
    """The rule a code (`INF101`, any case) or a name (`undefined-name`, `undefined_name`) names."""
    catalog = load_catalog()
    code = word.strip().upper()
    if code in catalog:
        return catalog[code]
    by_name = {entry.name: entry for entry in catalog.values()}
    name = word.strip().lower().replace("_", "-")
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(code, list(catalog), n=1) or difflib.get_close_matches(name, list(by_name), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise UsageError(f"unknown rule `{word.strip()}`{hint}; `infralint rules` lists them")


def explain_rule(code: str) -> int:
    entry = find_rule(code)
    console = Console(highlight=False)
    safety = f"{entry.fix_safety} ({FIX_SAFETY_MEANINGS[entry.fix_safety]})"
    parts = [
        Markdown(f"# {entry.code} {entry.name}\n\n*{entry.summary}* — family `{entry.family}`, "
                 f"{'on' if entry.default_enabled else 'off'} by default, fix: {entry.fix_safety}"),
        Markdown(f"## What it does\n\n{entry.what}"),
        Markdown(f"## Why this breaks production\n\n{entry.why}"),
        Markdown("## Example"),
        Panel(_code(entry.bad_example, entry.example_language), title="flagged"),
        Panel(_code(entry.good_example, entry.example_language), title="clean"),
        *(Panel(_code(text, language_of(path)), title=f"beside it: {path}") for path, text in entry.example_files),
        Markdown(f"## Fix\n\n{entry.fix_description or 'No automatic fix.'}\n\nSafety: {safety}"),
    ]
    if entry.options:
        lines = "\n".join(
            f"- `[tool.infralint.{o.group}] {o.name}` ({o.type}, default `{o.default!r}`): {o.description}"
            + (f" Family option: changes {', '.join(o.codes)}." if o.codes else "")
            for o in entry.options
        )
        parts.append(Markdown(f"## Options\n\n{lines}"))
    if entry.references:
        parts.append(Markdown("## References\n\n" + "\n".join(f"- {r}" for r in entry.references)))
    parts.append(Markdown(f"Documentation: {entry.docs_url}"))
    console.print(Group(*parts))
    sys.stdout.flush()
    return EXIT_CLEAN


def _code(text: str, language: str = "python") -> Syntax:
    # word_wrap: a long line of an example wraps instead of being cut at the panel's edge
    return Syntax(text.rstrip(), language, theme="ansi_dark", word_wrap=True)
