"""nginx includes over the files of a run: an absolute include never hangs the run, and an include
loop neither hides what its files say nor goes unsaid."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ..conftest import infralint_command

pytestmark = pytest.mark.integration

CONSUMERS = """from channels.generic.websocket import AsyncWebsocketConsumer


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
"""
ROUTING = """from django.urls import path

from . import consumers

websocket_urlpatterns = [path("ws/chat/<str:room>/", consumers.ChatConsumer.as_asgi())]
"""
SITE = """server {
    listen 80;

    location /ws/ {
        proxy_pass http://app:8000;
    }
}
"""
MAIN = """events {}

http {
    include /etc/nginx/mime.types;
    include conf.d/*.conf;
}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # the timeout only guards against the hang these tests are about
    return subprocess.run([*infralint_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})


@pytest.fixture
def service(tmp_path: Path) -> Path:
    root = tmp_path / "srv" / "repo"
    (root / "chat").mkdir(parents=True)
    (root / "chat" / "__init__.py").write_text("")
    (root / "chat" / "consumers.py").write_text(CONSUMERS)
    (root / "chat" / "routing.py").write_text(ROUTING)
    (root / "Procfile").write_text("web: hypercorn chat.asgi:application --bind 0.0.0.0:8000\n")  # sends no pings
    (root / "nginx" / "conf.d").mkdir(parents=True)
    (root / "nginx" / "nginx.conf").write_text(MAIN)
    (root / "nginx" / "conf.d" / "site.conf").write_text(SITE)
    return root


def codes_at(stdout: str, path_tail: str) -> list[str]:
    return sorted(line.split(" ")[1] for line in stdout.splitlines() if line.split(":")[0].endswith(path_tail))


@pytest.mark.parametrize("absolute_include", ["include /etc/nginx/mime.types;", "include /etc/nginx/conf.d/*.conf;"])
def test_an_absolute_include_linted_by_absolute_path_from_elsewhere_returns(service, tmp_path, absolute_include):
    (service / "nginx" / "nginx.conf").write_text(MAIN.replace("include /etc/nginx/mime.types;", absolute_include))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run("check", "--no-cache", "--format", "concise", str(service), cwd=elsewhere)
    assert codes_at(proc.stdout, "nginx/conf.d/site.conf") == ["INF601", "INF602"], proc.stdout + proc.stderr
    assert "warning" not in proc.stderr, proc.stderr


def test_an_absolute_include_reaches_a_file_of_the_run_by_its_tail(service, tmp_path):
    """`include /etc/nginx/conf.d/*.conf;` names the run's own conf.d: its location is read in the
    http context that includes it (the headers set there are inherited, so none is missing)."""
    (service / "nginx" / "nginx.conf").write_text(MAIN.replace("include conf.d/*.conf;", "include /etc/nginx/conf.d/*.conf;\n    proxy_http_version 1.1;"))
    proc = run("check", "--no-cache", "--format", "concise", "--select", "INF602", str(service), cwd=tmp_path)
    findings = [line for line in proc.stdout.splitlines() if "INF602" in line]
    assert len(findings) == 1 and "proxy_http_version" not in findings[0], proc.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_include_loop_keeps_the_findings_and_is_said_once(service, jobs):
    (service / "nginx" / "conf.d" / "site.conf").write_text(SITE + "include ../nginx.conf;\n")
    proc = run("check", "--no-cache", "--format", "concise", "--jobs", jobs, ".", cwd=service)
    assert codes_at(proc.stdout, "nginx/conf.d/site.conf") == ["INF601", "INF602"], proc.stdout + proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "include loop" in line]
    assert warnings == [
        "infralint: warning: nginx include loop nginx/conf.d/site.conf -> nginx/nginx.conf -> nginx/conf.d/site.conf: each file is read once, the loop is not followed"
    ], proc.stderr
    assert proc.returncode == 1


def test_a_file_including_itself_by_a_wildcard_is_read_without_a_warning(service):
    """`include conf.d/*.conf;` in conf.d/ matches the file itself (relative includes are also
    tried from the enclosing folders): nothing is lost, and nothing is said about it."""
    (service / "nginx" / "nginx.conf").unlink()
    (service / "nginx" / "conf.d" / "site.conf").write_text(SITE + "include conf.d/*.conf;\n")
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=service)
    assert codes_at(proc.stdout, "nginx/conf.d/site.conf") == ["INF601", "INF602"], proc.stdout + proc.stderr
    assert "include loop" not in proc.stderr
