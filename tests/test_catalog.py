"""The catalog and the implementation agree, and every catalog example behaves as documented."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infralint import catalog
from infralint.api import lint_source
from infralint.catalog import SNAPSHOT_NAME, catalog_dir, load_catalog, snapshot_text
from infralint.rules import rule_classes

from .conftest import config_for

CATALOG = load_catalog()


def test_every_rule_has_an_entry_and_every_entry_a_rule():
    assert set(CATALOG) == set(rule_classes())


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_bad_example_is_flagged(code, tmp_path, monkeypatch):
    entry = CATALOG[code]
    if code == "INF002":
        from infralint.engine import Linter

        result = Linter(config_for(list(entry.example_select))).lint_bytes(entry.bad_example.encode(), entry.example_path)
        findings = result.findings
    else:
        findings = _example_findings(entry, entry.bad_example, tmp_path, monkeypatch)
    assert code in {f.code for f in findings}, f"{code}'s bad example is not flagged"


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_good_example_is_clean(code, tmp_path, monkeypatch):
    entry = CATALOG[code]
    findings = _example_findings(entry, entry.good_example, tmp_path, monkeypatch)
    assert code not in {f.code for f in findings}, f"{code}'s good example is flagged: {findings}"


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_entry_is_complete(code):
    entry = CATALOG[code]
    assert entry.summary and entry.what.strip() and entry.why.strip()
    assert entry.fix_safety == "none" or entry.fix_description.strip()
    assert rule_classes()[code].code == code


def _example_findings(entry, text: str, tmp_path, monkeypatch):
    """One file through the API; a multi-file example (a probe's YAML beside its handler) as a project."""
    config = config_for(list(entry.example_select))
    if not entry.example_files:
        return lint_source(text, entry.example_path, config)
    from infralint.engine import iter_findings, lint_files

    monkeypatch.chdir(tmp_path)
    files = [(entry.example_path, text), *entry.example_files]
    for path, content in files:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(content, encoding="utf-8")
    return list(iter_findings(lint_files([Path(p) for p, _ in files], config)))


def test_catalog_snapshot_is_current():
    # every run reads the snapshot instead of parsing the TOML files while its digest matches them
    snapshot = catalog_dir() / SNAPSHOT_NAME
    assert snapshot.read_text(encoding="utf-8") == snapshot_text(), "run `python scripts/generate_rule_docs.py`"


@pytest.mark.parametrize("damage", ["stale", "not json", "wrong shape"])
def test_a_stale_or_damaged_snapshot_falls_back_to_the_toml_files(damage, tmp_path, monkeypatch):
    copy = tmp_path / "lint_rules"
    shutil.copytree(catalog_dir(), copy)
    snapshot = copy / SNAPSHOT_NAME
    if damage == "stale":  # an entry edited after the snapshot was written
        toml = copy / "INF301.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('severity = "warning"', 'severity = "info"'), encoding="utf-8")
    else:
        snapshot.write_text("{" if damage == "not json" else "[]", encoding="utf-8")
    monkeypatch.setattr(catalog, "catalog_dir", lambda: copy)
    load_catalog.cache_clear()
    try:
        entries = load_catalog()
    finally:
        load_catalog.cache_clear()
    assert entries["INF301"].severity == ("info" if damage == "stale" else "warning")
    assert set(entries) == {path.stem for path in copy.glob("INF*.toml")}
