"""The engine's two phases: a rule with `uses_project` runs after the join and reads `ctx.project`."""

from __future__ import annotations

import ast
import dataclasses
import os
from pathlib import Path

import pytest

from infralint.cache import ResultCache
from infralint.catalog import RuleEntry, load_catalog
from infralint.engine import Linter, lint_files
from infralint.rules import Rule, rule_classes

from ..conftest import config_for

CODE = "INF098"


class CallsUnknownRoute(Rule):
    """Reports `fetch("/path")` when no route of the project serves that path."""

    code = CODE
    node_types = (ast.Call,)
    uses_project = True

    def applies_to(self, ctx):
        return "fetch(" in ctx.source.text

    def visit(self, node, ctx):
        if not (isinstance(node.func, ast.Name) and node.func.id == "fetch" and node.args and isinstance(node.args[0], ast.Constant)):
            return
        if ctx.project is None:
            return
        served = ctx.project.routes_for(node.args[0].value)
        where = ", ".join(f"{Path(e.fact.file).name}:{e.fact.line}" for e in served) or "nothing"
        yield self.report(ctx, node, f"{node.args[0].value} is served by {where}")


ENTRY = RuleEntry(
    code=CODE, name="calls-route", family="meta", summary="test rule", what="w", why="y",
    bad_example="fetch('/x')\n", good_example="x = 1\n", example_path="x.py", example_select=(CODE,),
    fix_safety="none", fix_description="", default_enabled=True, severity="error",
)


@pytest.fixture
def project_rule():
    load_catalog()[CODE] = ENTRY
    rule_classes()[CODE] = CallsUnknownRoute
    try:
        yield CODE
    finally:
        load_catalog().pop(CODE, None)
        rule_classes().pop(CODE, None)


def test_project_rules_see_other_files_and_their_findings_follow_them(tmp_path, project_rule):
    (tmp_path / "client.py").write_text("fetch('/items/3')\n")
    routes = tmp_path / "routes.py"
    routes.write_text("from fastapi import FastAPI\napp = FastAPI()\n@app.get('/items/{id}')\ndef item(id):\n    pass\n")
    files = sorted(tmp_path.glob("*.py"))
    config = config_for([project_rule])
    for jobs in (1, 2):
        results = {Path(r.path).name: [f.message for f in r.findings] for r in lint_files(files, config, jobs=jobs)}
        assert results == {"client.py": ["/items/3 is served by routes.py:3"], "routes.py": []}

    cache = ResultCache(tmp_path, config.fingerprint(), False)
    list(lint_files(files, config, cache=cache))
    cache.save()
    routes.write_text("from fastapi import FastAPI\napp = FastAPI()\n\n\n@app.get('/items/{id}')\ndef item(id):\n    pass\n")
    os.utime(routes, ns=(1_000_000_000, 1_000_000_000))
    warm = ResultCache(tmp_path, config.fingerprint(), False)
    results = {Path(r.path).name: [f.message for f in r.findings] for r in lint_files(files, config, cache=warm)}
    assert results["client.py"] == ["/items/3 is served by routes.py:5"]


def test_without_a_project_the_rule_runs_on_the_lone_file(project_rule):
    result = Linter(config_for([project_rule])).lint_text("fetch('/x')\n", "client.py")
    assert result.findings == [] and not result.deferred


def _route_service(root: Path, modules: int = 40) -> list[Path]:
    """Modules that each serve one route and fetch their neighbour's: every file is deferred."""
    for index in range(modules):
        (root / f"m{index}.py").write_text(
            "from fastapi import FastAPI\napp = FastAPI()\n\n"
            f"@app.get('/r{index}/{{id}}')\ndef item(id):\n    return fetch('/r{(index + 1) % modules}/1')\n"
        )
    return sorted(root.glob("*.py"))


def _messages(results) -> dict[str, list[str]]:
    return {Path(r.path).name: [f.message for f in r.findings] for r in results}


def test_deferred_files_are_finished_from_their_first_phase_parse(tmp_path, project_rule, monkeypatch):
    files = _route_service(tmp_path)
    config = config_for([project_rule])
    reparsed = []
    original = Linter.lint_deferred
    monkeypatch.setattr(Linter, "lint_deferred", lambda self, *a, **k: reparsed.append(a) or original(self, *a, **k))
    serial = _messages(lint_files(files, config, jobs=1))
    assert reparsed == []  # every context was kept: nothing read or parsed twice
    assert serial["m3.py"] == ["/r4/1 is served by m4.py:4"]
    # past the memory budget, contexts are dropped and the files linted again: the same answers
    monkeypatch.setattr("infralint.engine.RetainedContexts.BUDGET_CHARS", 0)
    assert _messages(lint_files(files, config, jobs=1)) == serial
    assert len(reparsed) == len(files)


def test_a_deferred_files_other_rules_run_once_in_phase_one(tmp_path, project_rule, monkeypatch):
    from infralint.engine import project_phase as phases

    files = _route_service(tmp_path)
    (tmp_path / "m0.py").write_text((tmp_path / "m0.py").read_text() + "print(undefined_name)\n")
    config = config_for([project_rule, "INF101"])
    joined = []
    join = phases.join_project
    monkeypatch.setattr(phases, "join_project", lambda *args: joined.append(True) or join(*args))
    undefined = rule_classes()["INF101"]
    seen = []
    finish = undefined.finish
    monkeypatch.setattr(undefined, "finish", lambda self, ctx: seen.append((ctx.display_path, bool(joined))) or finish(self, ctx))
    results = {Path(r.path).name: r for r in lint_files(files, config, jobs=1)}
    assert all(CODE in {f.code for f in r.findings} for r in results.values())  # every file deferred, then finished
    assert sorted(seen) == sorted({(str(path), False) for path in files})  # once per file, before the join
    assert sorted(f.message.split(" ")[0] for f in results["m0.py"].findings if f.code == "INF101") == ["`fetch`", "`undefined_name`"]


def test_workers_finish_their_own_deferred_files_after_the_join(tmp_path, project_rule):
    files = _route_service(tmp_path)
    config = config_for([project_rule])
    assert _messages(lint_files(files, config, jobs=3)) == _messages(lint_files(files, config, jobs=1))


def _die_before_the_project(self, payload, own_facts):
    os._exit(3)


def test_a_worker_that_dies_in_the_project_phase_loses_no_file(tmp_path, project_rule, monkeypatch):
    files = _route_service(tmp_path)
    config = config_for([project_rule])
    serial = _messages(lint_files(files, config, jobs=1))
    # only workers join the project from the payload (the main process joins its own results)
    monkeypatch.setattr("infralint.engine.ProjectPhase.join", _die_before_the_project)
    assert _messages(lint_files(files, config, jobs=3)) == serial


def test_each_worker_rebuilds_the_joined_facts_in_order_from_its_own_and_the_payload(tmp_path, project_rule):
    from infralint.engine import ProjectPhase

    files = _route_service(tmp_path)
    results = list(lint_files(files, config_for([project_rule]), jobs=1))
    joined = [r.facts.to_dict() for r in results if r.facts is not None]
    owners = {r.path: position % 3 - 1 for position, r in enumerate(results)}  # this process (-1), workers 0 and 1
    payload_for = ProjectPhase.payloads(results, owners)
    everything = ProjectPhase.payloads(results, {})(0)  # a worker that linted none of them
    for number in (0, 1):
        own = {r.path: r.facts for r in results if owners[r.path] == number and r.facts is not None}
        payload = payload_for(number)
        assert [f.to_dict() for f in ProjectPhase.facts_from(payload, own)] == joined
        assert len(payload) < len(everything) * 0.8  # what the worker sent is not sent back to it
    # a worker that linted every file is sent only where each fact goes
    mine = {r.path: r.facts for r in results if r.facts is not None}
    alone = ProjectPhase.payloads(results, dict.fromkeys(mine, 0))(0)
    assert [f.to_dict() for f in ProjectPhase.facts_from(alone, mine)] == joined
    assert len(alone) < len(everything) / 4


def test_the_facts_of_files_not_reported_are_the_same_from_every_core(tmp_path, project_rule):
    from infralint.engine import facts_of_files

    files = _route_service(tmp_path)  # more files than a pool is started for
    linter = Linter(config_for([project_rule]), collect_facts=True)
    serial = facts_of_files(linter, files)
    assert [f.path for f in facts_of_files(linter, files, jobs=2)] == [f.path for f in serial]
    assert [f.to_dict() for f in facts_of_files(linter, files, jobs=2)] == [f.to_dict() for f in serial]
    assert sum(len(f.facts) for f in serial) >= len(files)  # every module states its route


class CountsDictsWithTheProject(Rule):
    """Applies only once the project is joined, to nodes no other rule's walk lists (dicts)."""

    code = "INF097"
    node_types = (ast.Dict,)
    uses_project = True

    def needs_project(self, project, facts):
        return False  # selective: never makes a file wait, never picks one again

    def applies_to(self, ctx):
        return ctx.project is not None

    def visit(self, node, ctx):
        yield self.report(ctx, node, "a dict")


def test_a_rule_that_applies_only_with_the_project_sees_its_nodes_in_a_kept_file(tmp_path, project_rule, monkeypatch):
    load_catalog()["INF097"] = dataclasses.replace(ENTRY, code="INF097", name="counts-dicts")
    rule_classes()["INF097"] = CountsDictsWithTheProject
    try:
        files = _route_service(tmp_path)
        (tmp_path / "m0.py").write_text((tmp_path / "m0.py").read_text() + "OPTIONS = {'a': 1}\n")
        config = config_for([project_rule, "INF097"])
        kept = _messages(lint_files(files, config, jobs=1))
        assert kept["m0.py"][-1] == "a dict"
        monkeypatch.setattr("infralint.engine.RetainedContexts.BUDGET_CHARS", 0)
        assert _messages(lint_files(files, config, jobs=1)) == kept
    finally:
        load_catalog().pop("INF097", None)
        rule_classes().pop("INF097", None)


def test_a_project_phase_without_a_first_phase_of_its_own_runs_on_every_core(tmp_path, project_rule, monkeypatch):
    from infralint.engine import lint_first_phase, lint_project_phase
    from infralint.parallel import Pool

    files = _route_service(tmp_path)
    config = config_for([project_rule])
    serial = _messages(lint_files(files, config, jobs=1))
    shared = []
    hand_out = Pool.hand_out
    monkeypatch.setattr(Pool, "hand_out", lambda self, handed: shared.extend(handed) or hand_out(self, handed))
    first = lint_first_phase(files, config)  # as a merge gets them: nothing kept in this process
    assert _messages(lint_project_phase(first, files, config, jobs=2)) == serial
    assert len(shared) == len(files) // 2  # the worker's half
