"""What one configuration file states, as project facts (JSON values, cached with the file).

A file's facts keep what its reader found — Terraform blocks, nginx directive trees, YAML
documents, server launch command lines — with their lines; everything that needs several files
(a URL map in one `.tf` and its backend service in another, an `include`d nginx snippet, a probe
and the handler it calls) is worked out after the join, in `model.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...project import Fact, fact_kind


def file_name(path: str) -> str:
    """The last part of a file's path, either separator (`PurePosixPath(...).name` of a file, at
    a fraction of its cost: every Python file of a run is asked)."""
    return path.replace("\\", "/").rpartition("/")[2]


@fact_kind("infra.terraform")
@dataclass
class TerraformBlock(Fact):
    """One top-level Terraform block (resource, variable, locals…), encoded by `encoding.encode_block`."""

    block: dict = field(default_factory=dict)


@fact_kind("infra.nginx")
@dataclass
class NginxTree(Fact):
    """The directives of one nginx file, encoded by `encoding.encode_directives` (includes not followed)."""

    directives: list = field(default_factory=list)
    #: nginx held inside another file (a YAML block scalar): its key path there, "" for a whole file
    key: str = ""


@fact_kind("infra.yaml")
@dataclass
class YamlDocument(Fact):
    """One YAML document that describes a workload, a proxy or a compose project (`encoding.encode_yaml`)."""

    doc_kind: str = ""  # Deployment, Ingress, BackendConfig, Service (Knative), compose…
    document: Any = None


@fact_kind("infra.launch")
@dataclass
class ServerLaunch(Fact):
    """A server started by a command line or configured in Python: its keep-alive and worker class.

    `keepalive` is None when the launch leaves the server's default; `source` says where it was
    read (`Dockerfile CMD`, `gunicorn.conf.py`, `uvicorn.run()`…)."""

    server: str = ""
    keepalive: float | None = None
    worker_class: str = ""
    config_file: str = ""
    ws_ping_interval: float | None = None
    ws_ping_disabled: bool = False
    source: str = ""


@fact_kind("infra.docker_health")
@dataclass
class DockerHealthcheck(Fact):
    """A Dockerfile `HEALTHCHECK` of the stage that runs: its command words and options as written."""

    command: list = field(default_factory=list)
    options: dict = field(default_factory=dict)


@fact_kind("infra.probe_script")
@dataclass
class ProbeScript(Fact):
    """A Python script that requests a URL of the local app (`requests.get("http://localhost:8000/health")`):
    what a healthcheck that runs it calls. `routes` holds [path, line] pairs."""

    routes: list = field(default_factory=list)


@fact_kind("infra.health_apps")
@dataclass
class HealthCheckApps(Fact):
    """django-health-check plugins named in a settings module: [app, line] pairs (`health_check.db`)."""

    apps: list = field(default_factory=list)


#: what a configuration file or a server launch states: without any, the run's `Infra` is empty
from .cloud_run import CloudRunDeploy  # noqa: E402 - `gcloud run deploy` commands (scripts, CI YAML, Python)

CONFIGURATION_KINDS = (TerraformBlock, NginxTree, YamlDocument, ServerLaunch, DockerHealthcheck, CloudRunDeploy)


def reads_configuration(project) -> bool:
    """Whether the run read any configuration: the cheap answer before building its model."""
    return any(project.facts(kind) for kind in CONFIGURATION_KINDS)


@fact_kind("note")
@dataclass
class ReadNote(Fact):
    """Why a file was not read (a Helm template, invalid YAML…): shown by `--debug`, not a finding."""

    message: str = ""
