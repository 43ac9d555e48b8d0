"""Write docs/rules/INFnnn.md (and the index) and lint_rules/catalog.json from the rule catalog
(lint_rules/INFnnn.toml and lint_rules/families.toml).

Run it after editing a catalog entry or a family: `python scripts/generate_rule_docs.py`. Pages of rules that
no longer exist are removed. tests/test_rule_docs.py fails while the pages or the catalog snapshot
(what every run reads instead of parsing the TOML files) are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infralint.catalog import SNAPSHOT_NAME, catalog_dir, snapshot_text
from infralint.rule_docs import rendered_pages

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    pages = rendered_pages()
    for stale in sorted(set(p.name for p in DOCS.glob("*.md")) - set(pages)):
        (DOCS / stale).unlink()
        print(f"removed docs/rules/{stale}")
    for name, text in sorted(pages.items()):
        target = DOCS / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote docs/rules/{name}")
    snapshot = catalog_dir() / SNAPSHOT_NAME
    text = snapshot_text()
    if not snapshot.exists() or snapshot.read_text(encoding="utf-8") != text:
        snapshot.write_text(text, encoding="utf-8")
        print(f"wrote lint_rules/{SNAPSHOT_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
