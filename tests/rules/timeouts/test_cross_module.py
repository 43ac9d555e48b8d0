"""INF303 across modules: calls, clients, database engines and registered checks in other files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ...project.helpers import assert_project_fixture

FIXTURES = Path(__file__).parent / "fixtures" / "cross_module"


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_health_budget_across_modules(case, tmp_path):
    assert_project_fixture(FIXTURES / case, ["INF303"], tmp_path)


def test_a_lone_file_is_judged_on_its_own(tmp_path, monkeypatch):
    from infralint.analysis import project_modules
    from infralint.engine import Linter

    from ...conftest import config_for

    shutil.copytree(FIXTURES / "redis_chain", tmp_path / "redis_chain")
    monkeypatch.chdir(tmp_path / "redis_chain")
    project_modules.clear_cache()
    text = Path("app/prerequisites.py").read_text()
    findings = Linter(config_for(["INF303"])).lint_text(text, "app/prerequisites.py").findings
    # without the project (stdin, an editor buffer) the health-named callee reports its own call
    assert [(f.line, f.code) for f in findings] == [(8, "INF303")]
