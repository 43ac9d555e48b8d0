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
    # without the project (stdin, an editor buffer) no route is known: a function named like health
    # code is not health code by its name
    assert findings == []


def test_database_statements_and_gathered_task_lists_in_one_file():
    from ...conftest import assert_fixture

    assert_fixture(FIXTURES.parent / "health_database.py", ["INF303"], display_path="app/health_database.py")


def test_routes_a_probe_calls_and_routes_judged_by_their_full_path(tmp_path, monkeypatch):
    # `/orders/ok` has no health word but the compose healthcheck requests it (its 5 s deadline is
    # the budget); `@router.get("/status")` is a health route under `/api`, not under `/orders`
    from infralint.analysis import project_modules
    from infralint.discovery import discover
    from infralint.engine import iter_findings, lint_files

    from ...conftest import config_for, expectations

    root = tmp_path / "probed_routes"
    shutil.copytree(FIXTURES.parent / "probed_routes", root)
    monkeypatch.chdir(root)
    project_modules.clear_cache()
    config = config_for(["INF303", "INF603"])  # an INF6 rule on: the configuration is read
    findings = [f for f in iter_findings(lint_files(discover([Path(".")], config), config)) if f.code == "INF303"]
    expected = {
        (file.relative_to(root).as_posix(), line): part
        for file in root.rglob("*.py")
        for line, code, part in expectations(file.read_text())
        if code == "INF303"
    }
    assert {(f.path, f.line) for f in findings} == set(expected)
    for finding in findings:
        assert expected[(finding.path, finding.line)] in finding.message
