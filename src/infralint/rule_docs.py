"""The rule pages `docs/rules/INFnnn.md`, rendered from the catalog in `lint_rules/`.

`scripts/generate_rule_docs.py` writes them; a test fails when a page is not what the catalog
renders, so the pages that `docs_url`, SARIF `helpUri` and the editor link to never go stale.
"""

from __future__ import annotations

from .catalog import FIX_SAFETY_MEANINGS, Family, RuleEntry, RuleOption, language_of, load_catalog, load_families

HEADER = "<!-- Generated from lint_rules/{code}.toml by scripts/generate_rule_docs.py; do not edit. -->\n"


def render_rule(entry: RuleEntry) -> str:
    enabled = "on" if entry.default_enabled else f"off (enable with `extend-select = [\"{entry.code}\"]`)"
    parts = [
        HEADER.format(code=entry.code),
        f"# {entry.code} `{entry.name}`\n",
        f"{entry.summary}.\n" if not entry.summary.endswith(".") else f"{entry.summary}\n",
        "| family | default | severity | fix |\n| --- | --- | --- | --- |\n"
        f"| `{entry.family}` | {enabled} | {entry.severity} | {entry.fix_safety} — {FIX_SAFETY_MEANINGS[entry.fix_safety]} |\n",
        f"## What it does\n\n{entry.what.strip()}\n",
        f"## Why this breaks production\n\n{entry.why.strip()}\n",
        render_example(entry),
        f"## Fix\n\n{entry.fix_description.strip() or 'No automatic fix.'}\n",
    ]
    if entry.options:
        rows = "\n".join(
            f"| `[tool.infralint.{o.group}]` `{o.name}` | {o.type} | `{o.default!r}` | {o.description}{_shared_note(o)} |" for o in entry.options
        )
        parts.append(f"## Options\n\n| option | type | default | meaning |\n| --- | --- | --- | --- |\n{rows}\n")
    from .analysis.platform_defaults import RULES_USING, markdown_table

    if entry.code in RULES_USING:
        parts.append("## Platform defaults (as the rule reads them)\n\n" + markdown_table())
    if entry.references:
        parts.append("## References\n\n" + "\n".join(f"- <{r}>" for r in entry.references) + "\n")
    parts.append(f"## Suppressing it\n\n`# noqa: {entry.code}` on the reported line, or `per-file-ignores` in the configuration.\n")
    parts.append(render_source(entry))
    return "\n".join(parts)


def render_source(entry: RuleEntry) -> str:
    """Where the rule lives, found from its name alone (`rules.rule_module`, `rules.rule_class_name`)."""
    from .rules import rule_class_name, rule_module

    path = "src/" + rule_module(entry).replace(".", "/") + ".py"
    if entry.family == "meta":
        tested = "the engine reports it itself; its tests are in `tests/reliability/`"
    else:
        tested = f"its fixtures are the files under `tests/rules/{entry.family}/fixtures/` whose `# expect:` markers name {entry.code}"
    return f"## Source\n\n`{path}`, class `{rule_class_name(entry.name)}`; {tested}.\n"


def render_example(entry: RuleEntry) -> str:
    """The flagged and clean examples in their own syntax, then every other file of a multi-file
    example (the probe's YAML beside the handler it calls), each in its own."""
    language = entry.example_language
    text = (
        f"## Example\n\nFlagged (`{entry.example_path}`):\n\n{_fenced(entry.bad_example, language)}\n\n"
        f"Clean:\n\n{_fenced(entry.good_example, language)}\n"
    )
    if entry.example_files:
        text += "\nIn both cases, with these files beside it:\n"
        for path, content in entry.example_files:
            text += f"\n`{path}`:\n\n{_fenced(content, language_of(path))}\n"
    return text


def _fenced(text: str, language: str) -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{language}\n{text.strip()}\n{fence}"


def _shared_note(option: RuleOption) -> str:
    if not option.codes:
        return ""
    return f" *(family option: changes {', '.join(option.codes)})*"


def render_index(entries: list[RuleEntry], families: dict[str, Family]) -> str:
    rows = "\n".join(f"| [{e.code}]({e.code}.md) | `{e.name}` | {e.family} | {e.fix_safety} | {'on' if e.default_enabled else 'off'} |" for e in entries)
    family_rows = "\n".join(f"| `{f.id}` | {f.prefix}xx | {f.title} | {_family_options(f)} |" for f in families.values())
    return (
        HEADER.format(code="*")
        + "\n# infralint rules\n\n| code | name | family | fix | default |\n| --- | --- | --- | --- | --- |\n"
        + rows
        + "\n\n## Families\n\nDefined in `lint_rules/families.toml`; the id is the package under `src/infralint/rules/`.\n\n"
        + "| family | codes | about | family options (the rules they change) |\n| --- | --- | --- | --- |\n"
        + family_rows
        + "\n"
    )


def _family_options(family: Family) -> str:
    shown = [f"`{o.group}.{o.name}` ({', '.join(o.codes)})" for o in family.options]
    return "<br>".join(shown) if shown else "—"


def rendered_pages() -> dict[str, str]:
    """File name under docs/rules/ → content, for every rule in the catalog and the index."""
    entries = [entry for _, entry in sorted(load_catalog().items())]
    pages = {f"{entry.code}.md": render_rule(entry) for entry in entries}
    pages["README.md"] = render_index(entries, load_families())
    return pages
