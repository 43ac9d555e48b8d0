"""The catalog and the implementation agree, and every catalog example behaves as documented."""

from __future__ import annotations

import pytest

from pathlib import Path

from infralint.api import lint_source
from infralint.catalog import load_catalog
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
