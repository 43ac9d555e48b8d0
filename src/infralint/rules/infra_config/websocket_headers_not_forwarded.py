"""INF602 websocket-headers-not-forwarded: an nginx location that carries WebSockets without passing the
upgrade on (HTTP/1.1, `Upgrade`, `Connection`), or that loses headers its siblings or parents set."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .infra_rule import InfraRule, Placed, nginx_endpoints, websocket_endpoints
from .paths import websocket_paths_through

if TYPE_CHECKING:
    from .model import Infra


class WebsocketHeadersNotForwarded(InfraRule):
    """INF602: nginx does not forward what a WebSocket upgrade (or the app) needs."""

    code = "INF602"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        names = list(self.option("websocket-path-patterns"))
        endpoints = list(websocket_endpoints(project))
        for location in infra.nginx_locations:
            where = location.directive
            carried = websocket_paths_through(location.pattern, nginx_endpoints(infra, location, endpoints), names)
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
