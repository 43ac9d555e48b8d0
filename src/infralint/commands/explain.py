"""`infralint rules` and `infralint rule CODE`: the catalog rendered for people."""

from __future__ import annotations

import difflib
import sys

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from ..catalog import load_catalog
from ..exits import EXIT_CLEAN, UsageError
from ..rules import rule_classes


def list_rules() -> int:
    catalog = load_catalog()
    implemented = rule_classes()
    table = Table(title="infralint rules")
    for column in ("code", "name", "family", "fix", "default"):
        table.add_column(column)
    for code, entry in sorted(catalog.items()):
        if code not in implemented:
            continue
        table.add_row(code, entry.name, entry.family, entry.fix_safety, "on" if entry.default_enabled else "off")
    Console(soft_wrap=True).print(table)
    return EXIT_CLEAN


def explain_rule(code: str) -> int:
    catalog = load_catalog()
    code = code.strip().upper()
    if code not in catalog:
        close = difflib.get_close_matches(code, list(catalog), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"unknown rule `{code}`{hint}; `infralint rules` lists them")
    entry = catalog[code]
    console = Console(soft_wrap=True, highlight=False)
    parts = [
        Markdown(f"# {entry.code} {entry.name}\n\n*{entry.summary}* — family `{entry.family}`, "
                 f"{'on' if entry.default_enabled else 'off'} by default, fix: {entry.fix_safety}"),
        Markdown(f"## What it does\n\n{entry.what}"),
        Markdown(f"## Why this breaks production\n\n{entry.why}"),
        Markdown("## Example"),
        Panel(Syntax(entry.bad_example.rstrip(), entry.example_language, theme="ansi_dark"), title="flagged"),
        Panel(Syntax(entry.good_example.rstrip(), entry.example_language, theme="ansi_dark"), title="clean"),
        Markdown(f"## Fix\n\n{entry.fix_description or 'No automatic fix.'} (safety: {entry.fix_safety})"),
    ]
    if entry.options:
        lines = "\n".join(
            f"- `[tool.infralint.{o.group}] {o.name}` ({o.type}, default `{o.default!r}`): {o.description}" for o in entry.options
        )
        parts.append(Markdown(f"## Options\n\n{lines}"))
    if entry.references:
        parts.append(Markdown("## References\n\n" + "\n".join(f"- {r}" for r in entry.references)))
    console.print(Group(*parts))
    sys.stdout.flush()
    return EXIT_CLEAN
