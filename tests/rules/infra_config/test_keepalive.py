"""INF605 over the shapes real deployments take: settings in scripts, configuration modules and
container environments; load balancers implied by the platform (analysis/platform_defaults.py)."""

from __future__ import annotations

from .test_rules import lint_project


def test_ecs_task_definitions_and_the_script_default(tmp_path):
    """The value lives in a task definition, its default in the script: a serving container that
    does not set the variable runs the default; one whose command passes the flag overrides it."""
    findings = lint_project("keepalive_ecs", tmp_path, select=["INF605"]).findings
    got = sorted((f.path, f.line) for f in findings)
    assert got == [("deploy/task-api.json", 16), ("deploy/task-web.json", 14)], [f.message for f in findings]
    messages = {f.path: f.message for f in findings}
    assert "does not set GUNICORN_KEEP_ALIVE, so scripts/run.sh:3 falls back to `keepalive` = 2" in messages["deploy/task-web.json"]
    assert "(gthread workers)" in messages["deploy/task-web.json"]  # --threads 2 runs the gthread worker
    assert "ECS task definition" in messages["deploy/task-web.json"] and "equal to the idle timeout" in messages["deploy/task-api.json"]


def test_a_marker_evidences_only_its_own_tree(tmp_path, monkeypatch):
    """A run over a folder holding several unpacked trees joins each tree's files with each other only."""
    import shutil

    from .test_rules import HERE

    root = tmp_path / "trees"
    shutil.copytree(HERE / "keepalive_ecs", root / "one")
    (root / "two").mkdir()
    (root / "two" / "gunicorn_config.py").write_text('worker_class = "gevent"\nbind = "0.0.0.0:8000"\nkeepalive = 35\n')
    monkeypatch.chdir(root)
    from pathlib import Path

    from infralint.discovery import discover
    from infralint.engine import iter_findings, lint_files

    from ...conftest import config_for

    config = config_for(["INF605"])
    findings = list(iter_findings(lint_files(discover([Path(".")], config), config)))
    assert not [f for f in findings if f.path.startswith("two")]
