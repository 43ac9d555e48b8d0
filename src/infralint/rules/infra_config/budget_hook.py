"""The one thing the timeouts family asks of this one: how long the platform's probe gives a route.

INF303 judges a health handler against the deadline of the probe that calls it (a Kubernetes
`timeoutSeconds`, a compose healthcheck `timeout`, a GCP health check `timeout_sec`) when the run
contains one, and against its `health-budget` option otherwise.
"""

from __future__ import annotations



def probe_deadline(project, routes: list[str]) -> tuple[float, str] | None:
    """(seconds, "readinessProbe timeout (deploy/api.yaml:41)") of the shortest probe deadline
    given to any of `routes` (full paths), or None when no probe of the run calls them."""
    if project is None or not routes:
        return None
    from .model import infra_of

    infra = infra_of(project)
    best = None
    for probe in infra.derived.probes:
        if probe.timeout is None:
            continue
        reached = {endpoint.path for endpoint in project.routes_for(probe.route, "GET")}
        if reached & set(routes) and (best is None or probe.timeout < best[0]):
            best = (probe.timeout, f"{probe.kind} deadline ({probe.timeout_detail}, {probe.path}:{probe.line})")
    return best


__all__ = ["probe_deadline"]
