"""INF6 findings through the real command: suppressions in each syntax, SARIF, baseline, --debug,
and parsers imported only when configuration files are in the run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ...conftest import run_infralint

HANDLER = """\
from fastapi import FastAPI, WebSocket
from redis.asyncio import Redis

app = FastAPI()
redis_client = Redis(host="redis", socket_timeout=30.0)


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()


@app.get("/health/live")
async def live():
    await redis_client.ping()
    return {"ok": True}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api
          livenessProbe:  {marker}
            httpGet:
              path: /health/live
              port: 8000
            timeoutSeconds: 5
"""

LB = """\
resource "google_compute_backend_service" "api" {{  {marker}
  name = "api#1"
}}
resource "google_compute_url_map" "lb" {{
  default_service = google_compute_backend_service.api.id
}}
"""

SITE = """\
server {{
    location /ws/ {{  {marker}
        proxy_pass http://app:8000;
        proxy_read_timeout 3600s;
    }}
}}
"""


def _project(root: Path, yaml_marker="", tf_marker="", nginx_marker="") -> Path:
    (root / "app").mkdir(parents=True)
    (root / "deploy" / "nginx").mkdir(parents=True)
    (root / "app" / "main.py").write_text(HANDLER)
    (root / "deploy" / "api.yaml").write_text(DEPLOYMENT.format(marker=yaml_marker))
    (root / "deploy" / "lb.tf").write_text(LB.format(marker=tf_marker))
    (root / "deploy" / "nginx" / "site.conf").write_text(SITE.format(marker=nginx_marker))
    return root


def _codes(output: str) -> list[str]:
    return sorted(line.split(" ")[1] + "@" + line.split(":")[0] for line in output.splitlines() if " INF6" in line)


@pytest.mark.integration
def test_findings_land_in_the_configuration_files(tmp_path):
    root = _project(tmp_path / "svc")
    result = run_infralint("check", ".", "--no-cache", "--select", "INF6", "--format", "concise", cwd=root)
    assert result.returncode == 1, result.stderr
    assert _codes(result.stdout.decode()) == [
        "INF601@deploy/lb.tf",
        "INF602@deploy/nginx/site.conf",
        "INF603@deploy/api.yaml",
        "INF604@deploy/api.yaml",
    ]


@pytest.mark.integration
def test_folders_named_together_are_separate_trees(tmp_path):
    """Two trees outside any checkout, named on one command line: the probe of one is never joined to
    the handler of the same path in the other; each tree alone, or `.` over both, joins as before."""
    _project(tmp_path / "slow")
    quick = tmp_path / "quick"
    (quick / "deploy").mkdir(parents=True)
    (quick / "deploy" / "api.yaml").write_text(DEPLOYMENT.format(marker=""))  # no handler in this tree
    result = run_infralint("check", "slow", "quick", "--no-cache", "--select", "INF603,INF604", "--format", "concise", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert _codes(result.stdout.decode()) == ["INF603@slow/deploy/api.yaml", "INF604@slow/deploy/api.yaml"]
    alone = run_infralint("check", "quick", "--no-cache", "--select", "INF603,INF604", cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout
    both = run_infralint("check", ".", "--no-cache", "--select", "INF603,INF604", "--format", "concise", cwd=tmp_path)
    assert "INF604@quick/deploy/api.yaml" in _codes(both.stdout.decode())


@pytest.mark.integration
def test_suppressions_in_yaml_terraform_and_nginx(tmp_path):
    root = _project(
        tmp_path / "svc",
        yaml_marker="# noqa: INF603, INF604",
        tf_marker="// infralint: ignore[INF601]",
        nginx_marker="# infralint: ignore[INF602]",
    )
    result = run_infralint("check", ".", "--no-cache", "--select", "INF6", "--format", "concise", cwd=root)
    assert result.returncode == 0, result.stdout.decode()
    root2 = _project(tmp_path / "svc2", tf_marker="# noqa")
    result = run_infralint("check", ".", "--no-cache", "--select", "INF6", "--format", "concise", cwd=root2)
    assert "INF601@deploy/lb.tf" not in _codes(result.stdout.decode())


@pytest.mark.integration
def test_unused_suppression_in_a_configuration_file(tmp_path):
    root = _project(tmp_path / "svc", yaml_marker="# noqa: INF601")
    result = run_infralint("check", ".", "--no-cache", "--select", "INF6,INF003", "--format", "concise", cwd=root)
    unused = [line for line in result.stdout.decode().splitlines() if " INF003 " in line]
    assert len(unused) == 1 and unused[0].startswith("deploy/api.yaml:11:") and "unused `noqa` for INF601" in unused[0]


@pytest.mark.integration
def test_sarif_and_baseline_cover_configuration_files(tmp_path):
    root = _project(tmp_path / "svc")
    sarif = run_infralint("check", ".", "--no-cache", "--select", "INF6", "--format", "sarif", cwd=root)
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert any(u.endswith("deploy/api.yaml") for u in uris) and any(u.endswith("deploy/lb.tf") for u in uris)
    written = run_infralint("check", ".", "--no-cache", "--select", "INF6", "--write-baseline", "baseline.json", cwd=root)
    assert written.returncode == 0, written.stderr
    again = run_infralint("check", ".", "--no-cache", "--select", "INF6", "--baseline", "baseline.json", cwd=root)
    assert again.returncode == 0, again.stdout.decode()


@pytest.mark.integration
def test_debug_names_the_skipped_helm_template(tmp_path):
    chart = tmp_path / "chart" / "templates"
    chart.mkdir(parents=True)
    # not YAML even once the template is set aside: a mapping and a list item at one level
    (chart / "deployment.yaml").write_text("kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n- {{ .Values.x }}: y\n")
    quiet = run_infralint("check", ".", "--no-cache", cwd=tmp_path)
    assert b"templated" not in quiet.stderr
    debug = run_infralint("check", ".", "--no-cache", "--debug", cwd=tmp_path)
    assert "note: chart/templates/deployment.yaml:4: skipped: templated" in debug.stderr.decode()


def test_a_python_only_run_never_imports_the_configuration_parsers(tmp_path):
    (tmp_path / "app.py").write_text(HANDLER)
    script = textwrap.dedent(
        f"""
        import sys
        from infralint.api import lint_paths
        lint_paths([{str(tmp_path)!r}])
        print(sorted(m for m in ("hcl2", "crossplane", "yaml", "lark") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
    (tmp_path / "api.yaml").write_text(DEPLOYMENT.format(marker=""))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['yaml']"


@pytest.mark.integration
def test_trace_shows_the_probe_and_its_deadline_on_the_example():
    from ...conftest import ROOT

    done = run_infralint("trace", "/health/ready", "--no-cache", "--format", "json", cwd=ROOT / "examples")
    callers = [c for c in json.loads(done.stdout)["routes"][0]["children"] if c["kind"] == "caller"]
    probe = next(c for c in callers if c["label"].startswith("readinessProbe"))
    assert (probe["file"], probe["line"], probe["detail"]) == ("deploy/k8s/api.yaml", 22, "deadline 5.0 s (timeoutSeconds: 5)")
    assert any(c["label"] == "through google_compute_backend_service.api" for c in callers)
