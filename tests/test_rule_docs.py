"""The generated rule pages in docs/rules/ are current, and every link to a rule points at one."""

from __future__ import annotations

from infralint.catalog import load_catalog
from infralint.rule_docs import rendered_pages

from .conftest import ROOT

DOCS = ROOT / "docs" / "rules"


def test_generated_rule_pages_are_current():
    pages = rendered_pages()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    stale = sorted(name for name in pages if on_disk.get(name) != pages[name])
    extra = sorted(set(on_disk) - set(pages))
    assert not stale and not extra, f"run `python scripts/generate_rule_docs.py` (stale: {stale}, extra: {extra})"


def test_every_docs_url_names_a_generated_page():
    for code, entry in load_catalog().items():
        assert entry.docs_url.endswith(f"/docs/rules/{code}.md")
        assert (DOCS / f"{code}.md").is_file()


def test_a_page_carries_the_catalog_text():
    entry = load_catalog()["INF201"]
    page = (DOCS / "INF201.md").read_text(encoding="utf-8")
    assert entry.why.strip() in page and entry.bad_example.strip() in page
    assert "sometimes — safe for some findings" in page
