"""What the timeouts family asks of this one about a route.

`probe_deadline`: INF303 judges a health handler against the deadline of the probe that calls it
(a Kubernetes `timeoutSeconds`, a compose healthcheck `timeout`, a GCP health check `timeout_sec`)
when the run contains one, and against its `health-budget` option otherwise.
`configuration_for_route`: `infralint trace` shows the probes and proxies in front of a route.
"""

from __future__ import annotations

from ...project.queries import provides
from .facts import reads_configuration


@provides("probe_deadline")
def probe_deadline(project, routes: list[str], path: str) -> tuple[float, str] | None:
    """(seconds, "readinessProbe timeout (deploy/api.yaml:41)") of the shortest probe deadline
    given to any of `routes` (full paths) of the handler in `path`, or None when no probe of its
    repository calls them (another service of the run may serve the same path)."""
    if project is None or not routes or not reads_configuration(project):
        return None
    from .model import infra_of

    infra = infra_of(project)
    repository = project.repository_of(path)
    best = None
    for probe in infra.derived.probes:
        if probe.timeout is None or project.repository_of(probe.path) != repository:
            continue
        reached = {endpoint.path for endpoint in project.routes_for(probe.route, "GET", near=probe.path)}
        if reached & set(routes) and (best is None or probe.timeout < best[0]):
            best = (probe.timeout, f"{probe.kind} deadline ({probe.timeout_detail}, {probe.path}:{probe.line})")
    return best


__all__ = ["configuration_for_route", "probe_calls_file", "probe_deadline", "probed_routes"]


@provides("probe_calls_file")
def probe_calls_file(project, path: str) -> bool:
    """Whether a probe of the run calls a route whose handler is declared in `path`. Asked for
    every file of a run after the join: the probes' routes are looked up once per project."""
    if not reads_configuration(project):
        return False
    from .model import infra_of

    infra = infra_of(project)
    reached = project.memo.get("probe_calls_file")
    if reached is None:
        reached = [endpoint for probe in infra.derived.probes for endpoint in project.routes_for(probe.route, "GET", near=probe.path)]
        project.memo["probe_calls_file"] = reached
    else:  # what the lookups read, noted as they noted it the first time
        for endpoint in reached:
            project.note(endpoint.fact, *endpoint.through)
    return any(endpoint.fact.file == path for endpoint in reached)


@provides("probed_routes")
def probed_routes(project) -> list[tuple[str, str]]:
    """(repository, full path) of the app's HTTP routes that a probe or healthcheck of the same
    repository calls."""
    if project is None or not reads_configuration(project):
        return []
    from .model import infra_of

    found: list[tuple[str, str]] = []
    for probe in infra_of(project).derived.probes:
        repository = project.repository_of(probe.path)
        for endpoint in project.routes_for(probe.route, "GET", near=probe.path) if probe.route else ():
            key = (repository, endpoint.path)
            if key not in found:
                found.append(key)
    return found


@provides("configuration_for_route")
def configuration_for_route(project, route: str) -> dict:
    """What the deployment configuration says about one route, for `infralint trace`: the probes
    that call it (with their deadlines) and the proxy hops in front of it (with their timeouts).
    JSON values only."""
    if not reads_configuration(project):
        return {"probes": [], "proxies": []}
    from .model import infra_of
    from .paths import nginx_location_for, pattern_matches

    infra = infra_of(project)
    probes = [
        {
            "kind": p.kind,
            "owner": p.owner,
            "path": p.path,
            "line": p.line,
            "deadline": p.timeout,
            "deadline_detail": p.timeout_detail,
            "period": p.period,
        }
        for p in infra.derived.probes
        if p.route == route or any(e.path == route for e in project.routes_for(p.route, "GET"))
    ]
    hops = []
    for hop in infra.derived.hops:
        if hop.paths is None:
            carried = not any(pattern_matches(p, route) for p in hop.excluded)
        else:
            carried = any(pattern_matches(p, route) for p in hop.paths)
        if carried and not any(h["proxy"] == hop.proxy and h["line"] == hop.line for h in hops):
            hops.append({"proxy": hop.proxy, "path": hop.path, "line": hop.line, "timeout": hop.timeout, "detail": hop.detail, "idle": hop.idle})
    for location in infra.nginx_locations:
        if nginx_location_for(location.siblings, route) == location.pattern:
            timeout, detail, setting = location.read_timeout()
            where = setting or location.directive
            hops.append({"proxy": f"nginx location {location.pattern}", "path": where.path, "line": where.line, "timeout": timeout, "detail": detail, "idle": True})
    return {"probes": probes, "proxies": hops}
