"""INF601 websocket-cut-by-proxy-timeout: a proxy or load balancer in front of a WebSocket endpoint
closes the connection sooner than the configured minimum lifetime (every socket drops at that age)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...formats.values import format_seconds
from .infra_rule import InfraRule, Placed, nginx_endpoints, served_by, websocket_endpoints
from .paths import websocket_paths_through

if TYPE_CHECKING:
    from .model import Infra
    from .records import Launch, ProxyHop

PING_DEFAULT = 20.0  # uvicorn --ws-ping-interval and daphne --ping-interval default


class WebsocketCutByProxyTimeout(InfraRule):
    """INF601: a proxy hop closes WebSocket connections before the minimum lifetime."""

    code = "INF601"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        minimum = float(self.option("min-websocket-lifetime"))
        names = list(self.option("websocket-path-patterns"))
        endpoints = websocket_endpoints(project)
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
            served = served_by(endpoints, carried[0]) if carried else ""
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


def _nginx_hops(infra: Infra, endpoints: list[str]) -> list[ProxyHop]:
    from .records import ProxyHop

    hops = []
    for location in infra.nginx_locations:
        timeout, detail, setting = location.read_timeout()
        where = setting if setting is not None else location.directive
        carried = nginx_endpoints(infra, location, endpoints)
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
