"""INF303 judges everything of one handler against one limit: the deadline of the probe that calls
its route when the deployment configuration has one, else `health-budget`. A check the handler
makes and the handler's own worst case never disagree about the budget, whatever entry point
reports them (the message depends on the project only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ...project.helpers import assert_project_fixture

FIXTURES = Path(__file__).parent / "fixtures" / "probe_limits"


def test_a_check_in_a_probed_handler_is_judged_against_the_probe_deadline(tmp_path):
    # 10 s probes: the 20 s call is over the probe's deadline (said so, not "health budget"); the
    # 7 s call is over the 5 s budget but within the probe's 10 s, so the handler's total is judged
    assert_project_fixture(FIXTURES / "tight", ["INF303", "INF603"], tmp_path)


def test_a_generous_probe_silences_a_check_over_the_configured_budget(tmp_path):
    # the same handlers behind 60 s probes: nothing to report, not even the 20 s call
    assert_project_fixture(FIXTURES / "generous", ["INF303", "INF603"], tmp_path)


@pytest.mark.parametrize("select", [["INF303"], None], ids=["INF303-alone", "defaults"])
def test_the_probes_are_read_whichever_rules_are_selected(tmp_path, select):
    # discovery reads the deployment configuration whenever an enabled rule reads the project:
    # INF303 selected alone still finds the probe (no INF6 rule needed)
    from ...project.helpers import lint_project_fixture

    linted = lint_project_fixture(FIXTURES / "generous", tmp_path, select or ["INF"])
    assert "deploy/api.yaml" in [p.as_posix() for p in linted.files]
    assert [f for f in linted.findings if f.code == "INF303"] == []


def test_the_probes_routes_are_looked_up_once_per_project(tmp_path, monkeypatch):
    # INF303 asks, for every file of a run, whether a probe calls one of its routes: the answer
    # comes from one lookup per probe, not one per probe and file
    from infralint.engine import join_project, lint_files
    from infralint.project.model import Project
    from infralint.project.queries import ask

    from ...conftest import config_for
    from ...project.helpers import lint_project_fixture

    linted = lint_project_fixture(FIXTURES / "generous", tmp_path, ["INF303", "INF603"])
    monkeypatch.chdir(linted.root)
    config = config_for(["INF303", "INF603"])
    project = join_project(lint_files(linted.files, config, want_facts=True), config)
    lookups = []
    original = Project.routes_for
    monkeypatch.setattr(Project, "routes_for", lambda self, *a, **k: lookups.append(a) or original(self, *a, **k))
    answers = [ask("probe_calls_file", project, path, default=False) for path in ["app/main.py", "app/__init__.py"] * 20]
    assert answers == [True, False] * 20
    assert len(lookups) == 2  # the two probes of deploy/api.yaml
