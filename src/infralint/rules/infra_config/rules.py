"""INF601–INF605: deadlines and headers set in deployment configuration, judged against the code.

Each rule computes its findings once per project state over the whole configuration (`Infra`),
then hands each file the findings whose line is in it: configuration files through
`check_fact_file`, Python files (gunicorn.conf.py, `uvicorn.run(...)`) through `finish`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from typing import TYPE_CHECKING

from ...finding import Finding
from ...formats.values import format_seconds
from ..base import Rule
from .extract import GUNICORN_CONFIG_NAMES
from .paths import nginx_location_for, websocket_paths_through

if TYPE_CHECKING:
    from .model import Infra
    from .records import Launch, LoadBalancer, Probe, ProxyHop

# The model of the run's configuration (`model`, `handlers`, `records` and the readers behind them)
# is imported once a rule computes over it: a run over Python files alone never loads it.

PING_DEFAULT = 20.0  # uvicorn --ws-ping-interval and daphne --ping-interval default
KEEPALIVE_DEFAULTS = {"gunicorn": 2.0, "uvicorn": 5.0, "hypercorn": 5.0}
KEEPALIVE_SETTING = {"gunicorn": "keepalive", "uvicorn": "timeout_keep_alive", "hypercorn": "keep_alive_timeout"}
#: gunicorn worker classes that keep connections alive (the default `sync` worker does not)
_PERSISTENT_WORKERS = ("gthread", "gevent", "eventlet", "tornado", "uvicorn", "UvicornWorker", "UvicornH11Worker")


@dataclass(frozen=True)
class _FileRef:
    """A file a computation read, re-noted for each file its findings are handed to."""

    file: str


@dataclass
class Placed:
    """A finding's place and message, before it becomes a `Finding` in its file."""

    path: str
    line: int
    message: str


class InfraRule(Rule):
    """A rule over the configuration of the whole run (see the module docstring). Each rule defines
    `compute(infra, project)`: its findings over the run, placed in files."""

    uses_project = True
    reads_fact_files = True
    #: Python files can hold server settings (INF605 only)
    python_settings = False

    def applies_to(self, ctx) -> bool:
        words = _python_words(ctx.source)
        if words.deploys:
            return True  # a Python deploy script: its `gcloud run deploy` sets a Cloud Run timeout
        if not self.python_settings:
            return False
        return words.runs_uvicorn or ctx.source.pure_path.name in GUNICORN_CONFIG_NAMES

    def check_fact_file(self, facts, project) -> Iterable[Finding]:
        return [self._finding(p) for p in self._placed(project) if p.path == facts.path]

    def finish(self, ctx) -> Iterable[Finding]:
        if ctx.project is None:
            return []
        return [self._finding(p) for p in self._placed(ctx.project) if p.path == ctx.display_path]

    def _placed(self, project) -> list[Placed]:
        """This rule's findings over the whole run, computed once per project state. The files they
        were computed from are noted for every file that asks (its cache entry depends on them)."""
        from .model import infra_of

        infra = infra_of(project)
        results = infra.__dict__.setdefault("_rule_results", {})
        if self.code not in results:
            with project.recording() as used:
                placed = [] if infra.empty else list(self.compute(infra, project))
            unique = list(dict.fromkeys((p.path, p.line, p.message) for p in placed))
            results[self.code] = ([Placed(*p) for p in unique], sorted(used))
        placed, used = results[self.code]
        project.note(*(_FileRef(path) for path in used))
        return placed

    def _finding(self, placed: Placed) -> Finding:
        return Finding(self.code, self.entry.name, placed.message, placed.path, placed.line, 0, placed.line, 0, self.entry.severity)


@dataclass(frozen=True)
class _PythonWords:
    """What a Python file's text says about deployment, read once per file for the five rules."""

    deploys: bool  # `gcloud … deploy`: a deploy script that sets a Cloud Run timeout
    runs_uvicorn: bool  # `uvicorn.run(...)`: server settings in Python


def _python_words(source) -> _PythonWords:
    found = source.__dict__.get("_infra_words")
    if found is None:
        text = source.text
        found = source.__dict__["_infra_words"] = _PythonWords("gcloud" in text and "deploy" in text, "uvicorn" in text and "run" in text)
    return found


def _websocket_endpoints(project) -> dict[str, object]:
    endpoints = project.endpoints()
    # every route file is read: a route that becomes a WebSocket endpoint changes the findings
    project.note(*(e.fact for e in endpoints), *(i for e in endpoints for i in e.through))
    return {e.path: e for e in endpoints if e.websocket}


def _served_by(endpoints: dict, path: str) -> str:
    endpoint = endpoints.get(path)
    if endpoint is None:
        return ""
    return f"; `{path}` is served by `{endpoint.handler}` ({endpoint.fact.file}:{endpoint.fact.line})"


# -- INF601 ------------------------------------------------------------------------------------------


class WebSocketCutByProxyTimeout(InfraRule):
    code = "INF601"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        minimum = float(self.option("min-websocket-lifetime"))
        names = list(self.option("websocket-path-patterns"))
        endpoints = _websocket_endpoints(project)
        ping = _ping_interval(infra.derived.launches)
        for hop in [*infra.derived.hops, *_nginx_hops(infra, list(endpoints))]:
            if hop.timeout is None or hop.timeout >= minimum:
                continue
            if hop.idle and (ping is None or ping < hop.timeout):
                continue  # the server's pings keep the connection from ever being idle that long
            carried = _carried(hop, list(endpoints), names)
            evidence = ""
            if not carried and hop.websocket_evidence:
                carried, evidence = (list(hop.paths) if hop.paths else []), f"; it carries WebSockets: {hop.websocket_evidence}"
            elif not carried:
                continue
            shown = ", ".join(f"`{p}`" for p in carried[:3]) if carried else "every path"
            closed = f"is closed after {format_seconds(hop.timeout)} without traffic" if hop.idle else f"is closed after {format_seconds(hop.timeout)}"
            proxy = f"nginx `{hop.proxy}`" if hop.proxy.startswith("location ") else f"`{hop.proxy}`"
            served = _served_by(endpoints, carried[0]) if carried else ""
            message = f"every WebSocket on {shown} through {proxy} {closed} ({hop.detail}){evidence}{served}"
            yield Placed(hop.path, hop.line, message)


def _carried(hop: ProxyHop, endpoints: list[str], names: list[str]) -> list[str]:
    if hop.paths is None:
        return sorted(e for e in endpoints if not any(websocket_paths_through(p, [e], []) for p in hop.excluded))
    if hop.carried_endpoints is not None:  # nginx: decided per location (one location per path)
        endpoints = hop.carried_endpoints
    found: list[str] = []
    for pattern in hop.paths:
        for path in websocket_paths_through(pattern, endpoints, names):
            if path not in found:
                found.append(path)
    return found


def _nginx_endpoints(infra: Infra, location, endpoints: list[str]) -> list[str]:
    """The known endpoints a `location` can carry: with several upstreams in the run, a catch-all
    `location /` is not assumed to front the app that serves them (it may proxy another service)."""
    targets = {l.proxy_pass.args[0] if l.proxy_pass.args else "" for l in infra.nginx_locations}
    if len(targets) > 1 and location.pattern.lstrip("=^~ ") == "/":
        return []
    return [e for e in endpoints if nginx_location_for(location.siblings, e) == location.pattern]


def _nginx_hops(infra: Infra, endpoints: list[str]) -> list[ProxyHop]:
    from .records import ProxyHop

    hops = []
    for location in infra.nginx_locations:
        timeout, detail, setting = location.read_timeout()
        where = setting if setting is not None else location.directive
        carried = _nginx_endpoints(infra, location, endpoints)
        hops.append(ProxyHop(f"location {location.pattern}", [location.pattern], timeout, detail, True, where.path, where.line, carried_endpoints=carried))
    return hops


def _ping_interval(launches: list[Launch]) -> float | None:
    """How often, at the longest, the run's WebSocket servers ping their connections: None when
    no launch of a WebSocket-capable server is known (uvicorn and daphne ping every 20 s by default,
    so an unknown server is not assumed to leave connections idle), `inf` when one never pings."""
    intervals = []
    for launch in launches:
        asgi = launch.server in ("uvicorn", "daphne", "hypercorn") or (launch.server == "gunicorn" and "uvicorn" in launch.worker_class.lower())
        if not asgi:
            continue  # a WSGI server carries no WebSocket
        if launch.ws_ping_disabled or (launch.server == "hypercorn" and launch.ws_ping_interval is None):
            intervals.append(float("inf"))  # hypercorn sends no pings unless configured to
        else:
            intervals.append(launch.ws_ping_interval or PING_DEFAULT)
    return max(intervals) if intervals else None


# -- INF602 ------------------------------------------------------------------------------------------


class WebSocketHeadersNotForwarded(InfraRule):
    code = "INF602"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        names = list(self.option("websocket-path-patterns"))
        endpoints = list(_websocket_endpoints(project))
        for location in infra.nginx_locations:
            where = location.directive
            carried = websocket_paths_through(location.pattern, _nginx_endpoints(infra, location, endpoints), names)
            headers = location.headers()
            if carried:
                missing = []
                version = location.settings.get("proxy_http_version")
                if version is None or not version.args or version.args[0] != "1.1":
                    missing.append("`proxy_http_version 1.1`")
                missing.extend(f"`proxy_set_header {h}`" for h in ("Upgrade", "Connection") if h.lower() not in headers)
                if missing:
                    why = []
                    if missing[0].startswith("`proxy_http_version"):
                        why.append("nginx speaks HTTP/1.0 to the upstream, and an HTTP/1.0 request cannot be upgraded")
                    if any("proxy_set_header" in m for m in missing):
                        why.append("nginx does not pass the hop-by-hop Upgrade and Connection headers on")
                    yield Placed(
                        where.path,
                        where.line,
                        f"`location {location.pattern}` proxies WebSocket path `{carried[0]}` without {', '.join(missing)}: "
                        f"{'; '.join(why)}, so the handshake never reaches the app as an upgrade",
                    )
            yield from _nginx_header_findings(location, infra.nginx_locations)
        for issue in infra.derived.header_issues:
            yield Placed(issue.path, issue.line, issue.message)


def _nginx_header_findings(location, locations) -> Iterable[Placed]:
    from .nginx_headers import host_not_forwarded, inheritance_lost, swapped_upgrade_values

    where = location.directive
    lost = inheritance_lost(location)
    if lost is not None:
        names, first = lost
        yield Placed(
            where.path,
            where.line,
            f"`location {location.pattern}` sets its own proxy_set_header, so none of the enclosing level's are "
            f"inherited ({first.path}:{first.line}): {', '.join(f'`{h}`' for h in names)} "
            f"{'is' if len(names) == 1 else 'are'} not sent to the upstream for this location",
        )
    sibling = host_not_forwarded(location, locations)
    if sibling is not None:
        other, missing = sibling
        target = location.proxy_pass.args[0]
        shown = ", ".join(f"`{h}`" for h in missing)
        yield Placed(
            where.path,
            where.line,
            f"`location {location.pattern}` proxies to `{target}` without {shown}, which its sibling "
            f"`location {other.pattern}` ({other.directive.path}:{other.directive.line}) sets for the same application and no "
            f"enclosing level does: requests through this location reach the upstream with nginx's `Host: $proxy_host` "
            f"instead of the client's host",
        )
    for directive, message in swapped_upgrade_values(location):
        yield Placed(directive.path, directive.line, message)


# -- INF603 ------------------------------------------------------------------------------------------


class ProbeDeadlineMissed(InfraRule):
    code = "INF603"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        from .handlers import handlers_for, worst_case

        for probe in infra.derived.probes:
            # Docker starts the next healthcheck `interval` after the previous one ends: no overlap there
            if probe.platform != "compose" and probe.timeout is not None and probe.period is not None and probe.timeout > probe.period:
                yield Placed(probe.path, probe.timeout_line or probe.line, _overlap_message(probe))
            if probe.timeout is None:
                continue
            for handler in handlers_for(project, probe.route, probe.path):
                cost = worst_case(project, handler, probe.timeout)
                head = f"{probe.kind} in {probe.path}:{probe.line} gives GET {probe.route} {format_seconds(probe.timeout)} ({probe.timeout_detail})"
                if cost.unbounded:
                    yield Placed(probe.path, probe.line, f"{head}; its worst case is unbounded: {cost.culprit_reason} ({handler.where})")
                elif cost.seconds > probe.timeout:
                    yield Placed(probe.path, probe.line, f"{head}; its worst case is {format_seconds(cost.seconds)} ({cost.text}, {handler.where})")


def _overlap_message(probe: Probe) -> str:
    if probe.platform == "gcp":
        consequence = "GCP rejects a health check whose timeout is longer than its interval"
    else:
        consequence = (
            "a probe that hangs holds up the next one, so a failing pod is noticed only after "
            "failureThreshold × the timeout, not × the period"
        )
    return (
        f"{probe.kind} of {probe.owner} waits {format_seconds(probe.timeout)} ({probe.timeout_detail}) but runs every "
        f"{format_seconds(probe.period)} ({probe.period_detail}): {consequence}"
    )


# -- INF604 ------------------------------------------------------------------------------------------


class LivenessDependsOnService(InfraRule):
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


# -- INF605 ------------------------------------------------------------------------------------------


class KeepaliveShorterThanLoadBalancer(InfraRule):
    code = "INF605"
    python_settings = True

    def applies_to(self, ctx) -> bool:
        from .launch_sites import looks_like_gunicorn_config

        words = _python_words(ctx.source)
        return words.runs_uvicorn or looks_like_gunicorn_config(ctx.source.pure_path.name, ctx.source.text)

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        from .keepalive import keepalive_findings

        for result in keepalive_findings(infra, project):
            yield Placed(result.path, result.line, result.message)
