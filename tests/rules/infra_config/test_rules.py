"""INF601–INF605 over multi-file projects: configuration beside the Python code it fronts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infralint.discovery import discover
from infralint.engine import iter_findings, lint_files

from ...conftest import config_for
from ...project.helpers import assert_project_fixture, lint_project_fixture

HERE = Path(__file__).parent / "fixtures"
#: run by tests/rules/test_rule_units.py with every INF6xx rule; read again here for what else they show
PROJECTS = HERE / "projects"
CODES = ["INF601", "INF602", "INF603", "INF604", "INF605"]


def lint_project(name: str, tmp_path, select=CODES, options=None):
    return lint_project_fixture(_folder(name), tmp_path, select, options)


def assert_project(name: str, tmp_path, select=CODES, options=None):
    return assert_project_fixture(_folder(name), select, tmp_path, options)


def _folder(name: str) -> Path:
    return PROJECTS / name if (PROJECTS / name).is_dir() else HERE / name


def test_what_the_configuration_says_about_one_route(tmp_path, monkeypatch):
    """The view `infralint trace` shows: the probe with its deadline, the proxies with their timeouts."""
    from infralint.engine import join_project
    from infralint.rules.infra_config.budget_hook import configuration_for_route

    root = tmp_path / "svc"
    shutil.copytree(PROJECTS / "terraform_lb", root)
    shutil.copytree(PROJECTS / "k8s_probes", root, dirs_exist_ok=True)
    monkeypatch.chdir(root)
    config = config_for(CODES)
    project = join_project(lint_files(discover([Path(".")], config), config, want_facts=True))
    ready = configuration_for_route(project, "/health/ready")
    assert [(p["kind"], p["path"], p["line"], p["deadline"]) for p in ready["probes"]] == [("readinessProbe", "deploy/api.yaml", 12, 1.0)]
    events = configuration_for_route(project, "/realtime/events")
    assert [(h["proxy"], h["timeout"], h["detail"]) for h in events["proxies"]] == [
        ("google_compute_backend_service.events", 45.0, "timeout_sec = var.ws_timeout = 45")
    ]


@pytest.mark.parametrize(
    "procfile, reported",
    [
        ("web: daphne chat.asgi:application\n", False),  # daphne pings every 20 s: never idle 60 s
        ("web: uvicorn chat.asgi:application --ws-ping-interval 90\n", True),
        ("web: uvicorn chat.asgi:application --ws-ping-interval 0\n", True),
        ("web: hypercorn chat.asgi:application --websocket-ping-interval 15\n", False),
        ("", False),  # no launch known: the server is not assumed to leave sockets idle
    ],
)
def test_idle_timeouts_against_the_servers_pings(tmp_path, monkeypatch, procfile, reported):
    root = tmp_path / "site"
    shutil.copytree(PROJECTS / "nginx_channels", root)
    (root / "Procfile").write_text(procfile)
    monkeypatch.chdir(root)
    config = config_for(["INF601"])
    findings = list(iter_findings(lint_files(discover([Path(".")], config), config)))
    assert bool(findings) is reported, findings


def test_warm_run_refreshes_a_configuration_finding_when_the_python_side_changes(tmp_path, monkeypatch):
    """The Terraform file's finding depends on the WebSocket route in Python: change only the
    Python file and the cached result of the .tf file is recomputed."""
    from infralint.cache import ResultCache

    root = lint_project("terraform_lb", tmp_path).root
    monkeypatch.chdir(root)
    config = config_for(CODES)
    config.root = root

    def run():
        cache = ResultCache(root, config.fingerprint(), False)
        found = list(iter_findings(lint_files(discover([Path(".")], config), config, cache=cache)))
        cache.save()
        return sorted((f.path, f.line) for f in found if f.code == "INF601")

    first = run()
    assert ("infra/lb.tf", 13) in first
    main = root / "app" / "main.py"
    main.write_text(main.read_text().replace('@realtime.websocket("/events")', '@realtime.get("/events")'))
    assert ("infra/lb.tf", 13) not in run()


def test_keepalive_set_at_deploy_time_is_not_guessed(tmp_path, monkeypatch):
    root = tmp_path / "svc"
    root.mkdir()
    (root / "lb.tf").write_text('resource "aws_lb" "api" {\n  load_balancer_type = "application"\n}\n')
    (root / "Dockerfile").write_text('FROM python:3.12\nCMD gunicorn app:app -k gthread --keep-alive "$KEEPALIVE"\n')
    (root / "Procfile").write_text("web: gunicorn app:app -k gevent -c deploy/gunicorn.conf.py\n")  # not in the run
    (root / "gunicorn_conf.py").write_text('import os\nworker_class = "gthread"\nkeepalive = int(os.environ.get("KEEPALIVE", "2"))\n')
    monkeypatch.chdir(root)
    config = config_for(["INF605"])
    assert list(iter_findings(lint_files(discover([Path(".")], config), config))) == []


def test_inf303_takes_its_budget_from_the_probe_that_calls_the_route(tmp_path):
    # the configuration is read while an INF6 rule is on
    findings = lint_project("k8s_probes", tmp_path, select=["INF303", "INF603"]).findings
    by_line = {f.line: f.message for f in findings if f.path == "app/health.py"}
    assert by_line[10].endswith("> 1.0 s readinessProbe deadline (timeoutSeconds unset; default 1 s, deploy/api.yaml:12)")
    assert "> 5.0 s livenessProbe deadline (timeoutSeconds: 5, deploy/api.yaml:16)" in by_line[24]
    # /health/quick: 2 s worst case behind a 5 s readiness probe — within the probe's deadline
    assert 17 not in by_line


def test_load_balancers_implied_by_an_ingress(tmp_path):
    # an ALB ingress without idle_timeout (60 s, the server never pings) and a GKE Ingress whose
    # Service names no BackendConfig (30 s); the ALB with idle_timeout set and the /api path are clean
    assert_project("implied_ingress", tmp_path, select=["INF601"])


def test_cloud_run_probe_flags_are_probes(tmp_path):
    # `--startup-probe httpGet.path=/ready,timeoutSeconds=2,periodSeconds=5` is a probe of the service
    from infralint.project import Project, extract_file, load_extractors
    from infralint.rules.infra_config.model import infra_of

    load_extractors()
    root = PROJECTS / "cloud_run_deploy"
    workflow = root / ".github" / "workflows" / "deploy.yml"
    facts = extract_file(".github/workflows/deploy.yml", workflow.read_text())
    infra = infra_of(Project([facts], root))
    probes = [(p.kind, p.route, p.timeout, p.period, p.line) for p in infra.derived.probes]
    assert probes == [("startupProbe", "/ready", 2.0, 5.0, 10)]
