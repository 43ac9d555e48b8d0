"""INF604 liveness-depends-on-service: a liveness probe (or container healthcheck) whose handler waits
on a database or another service, so an outage there restarts every replica."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .infra_rule import InfraRule, Placed

if TYPE_CHECKING:
    from .model import Infra
    from .records import Probe


class LivenessDependsOnService(InfraRule):
    """INF604: a liveness probe fails when a dependency is down."""

    code = "INF604"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        from .handlers import dependency_wait, handlers_for

        from .library_checks import library_health_check, served_by_project

        for probe in infra.derived.probes:
            if not probe.liveness:
                continue
            calls = f"{probe.via}" if probe.via else f"calls GET {probe.route}"
            handlers = handlers_for(project, probe.route, probe.path)
            for handler in handlers:
                wait = dependency_wait(project, handler)
                if wait is None:
                    continue
                kind = wait.what.rsplit("(", 1)[-1].rstrip(")")
                yield Placed(
                    probe.path,
                    probe.line,
                    f"{probe.kind} of {probe.owner} {calls}, whose handler `{handler.endpoint.handler}` waits on "
                    f"{wait.what} at {wait.path}:{wait.line}: {_restart_consequence(probe, kind)}",
                )
            if handlers or served_by_project(project, probe.route, probe.path):
                continue
            library = library_health_check(project, probe.route, probe.path)
            if library is not None and library.dependencies:
                kinds = " or ".join(dict.fromkeys(kind for _, kind, _, _ in library.dependencies))
                shown = ", ".join(f"`{app}` ({path}:{line})" for app, _, path, line in library.dependencies[:3])
                yield Placed(
                    probe.path,
                    probe.line,
                    f"{probe.kind} of {probe.owner} {calls}, served by {library.what}, {library.path}:{library.line}) "
                    f"with {shown}: {_restart_consequence(probe, kinds)}",
                )


def _restart_consequence(probe: Probe, kind: str) -> str:
    kind = {"database": "the database", "HTTP": "the service it calls"}.get(kind, kind)
    if probe.platform in ("compose", "docker"):
        return (
            f"when {kind} is down every container is marked unhealthy — Swarm, ECS and autoheal replace it, and services "
            f"waiting for `service_healthy` do not start; point the healthcheck at a route that checks the process only"
        )
    return f"when {kind} is down every replica fails the probe and is restarted; check dependencies in the readiness probe only"
