"""`--fix` on a large file does each expensive step once: one LibCST parse for all of a pass's
import hoists, no position metadata (which renders the whole module again), and the cleanup
entries of the project resolved once per question rather than once per function asked about."""

from __future__ import annotations

import libcst
import libcst.metadata

from infralint.api import fix_source
from infralint.config import Config
from infralint.project import model

FUNCTION = """
def handler_{n}(conn, payload):
    value = payload.get("k{n}", {n})
    try:
        return conn.send(value)
    finally:
        import json
        logging.debug(json.dumps(value))
"""


def test_hoisting_many_imports_parses_once_and_reads_no_positions(monkeypatch):
    text = "import logging\n\n" + "".join(FUNCTION.format(n=n) for n in range(300))
    parses = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda *a, **k: parses.append(1) or real_parse(*a, **k))

    def no_positions(*args, **kwargs):
        raise AssertionError("position metadata computed")

    monkeypatch.setattr(libcst.metadata.PositionProvider, "gen_cache", no_positions, raising=False)
    monkeypatch.setattr(libcst.metadata.MetadataWrapper, "__init__", no_positions)
    outcome = fix_source(text, "svc/handlers.py", Config())
    assert outcome.text.startswith("import json\nimport logging\n") and outcome.text.count("import json") == 1
    assert [f.code for f in outcome.remaining if f.code == "INF201"] == []
    assert len(parses) == 1, len(parses)


def test_a_project_question_resolves_each_cleanup_entry_once(monkeypatch, tmp_path):
    """INF201 asks whether any function of a file is on a cross-file teardown route: the cleanup
    entries are resolved for the question, not again for each of the file's functions."""
    from infralint.api import lint_paths

    package = tmp_path / "svc"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handlers.py").write_text("import logging\n\n" + "".join(FUNCTION.format(n=n) for n in range(60)))
    (package / "main.py").write_text("import atexit\n\nfrom .handlers import handler_1\n\natexit.register(handler_1)\n")
    resolved: list[str] = []
    real = model.Project.resolve
    monkeypatch.setattr(model.Project, "resolve", lambda self, name: resolved.append(name) or real(self, name))
    findings = lint_paths([tmp_path], Config())
    assert any(f.code == "INF201" and f.path.endswith("handlers.py") for f in findings)
    assert resolved.count("svc.handlers.handler_1") <= 2, resolved.count("svc.handlers.handler_1")
