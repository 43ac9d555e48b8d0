"""INF602 over nginx: headers a proxying `location` no longer sends, and upgrade headers that carry
the wrong value.

* A location that declares any `proxy_set_header` inherits none from the enclosing levels (nginx
  inheritance is all or nothing per directive): adding `proxy_set_header Cookie ''` to one location
  stops Host and X-Forwarded-* for it. Reported when a forwarding header (Host, X-Forwarded-*,
  X-Real-IP, Authorization, Cookie, Upgrade/Connection) is among the lost ones; a lost application
  header alone (a request id) is not.
* A location that sets no header at all where its sibling locations, proxying to the same
  application, set `Host` themselves (no enclosing level does): requests through it reach the
  upstream with nginx's `Host: $proxy_host`.
* `proxy_set_header Upgrade $connection_upgrade` (the `map` value meant for `Connection`), or
  `Connection $http_upgrade`: the upgrade request the app receives is malformed.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from ...formats.nginx import OPAQUE
from .nginx_sites import ProxyLocation


def _names(directives) -> list[str]:
    return [d.args[0] for d in directives if d.args]


def inheritance_lost(location: ProxyLocation) -> tuple[list[str], object] | None:
    """(headers not sent, the first inherited directive) when the location's own headers wipe the
    inherited ones by accident (see the module docstring)."""
    if not location.own_headers or not location.inherited_headers:
        return None
    upstream = _upstream(location)
    if upstream is not None and not _internal(upstream):
        return None  # a public service (object storage, a CDN) is not sent the app's forwarding headers
    own = {name.lower() for name in _names(location.own_headers)}
    lost: list[str] = []
    for name in _names(location.inherited_headers):
        if name.lower() not in own and name not in lost:
            lost.append(name)
    if not any(_forwarding(name) for name in lost):
        return None  # only application headers (a request id): tracing suffers, requests do not
    return lost, location.inherited_headers[0]


#: what the app needs to see the request as the client sent it
_FORWARDING = ("host", "x-real-ip", "forwarded", "authorization", "cookie", "upgrade", "connection", "x-scheme")


def _forwarding(name: str) -> bool:
    lower = name.lower()
    return lower in _FORWARDING or lower.startswith(("x-forwarded-", "sec-websocket-"))


def _upstream(location: ProxyLocation) -> tuple[str, str] | None:
    """(scheme, host) of the location's proxy_pass, None for a variable target."""
    if not location.proxy_pass.args:
        return None
    target = location.proxy_pass.args[0]
    if "$" in target:
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    return parts.scheme, parts.hostname or ""


_INTERNAL_SUFFIXES = (".local", ".internal", ".svc", ".lan", ".localdomain")


def _internal(upstream: tuple[str, str]) -> bool:
    """An upstream block, a cluster service or a private address (`http://app`, `http://api.ns.svc.cluster.local`,
    `http://127.0.0.1:8000`), not a public host (`https://bucket.s3.amazonaws.com`): a public
    service is meant to see its own Host, not the client's."""
    scheme, host = upstream
    if scheme != "http" or not host:
        return False
    bare = host.replace(OPAQUE.lower(), "x")
    if "." not in bare or bare.replace(".", "").isdigit() or ".svc." in bare:
        return True
    return bare.endswith(_INTERNAL_SUFFIXES)


def _same_app(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Both proxy to the same upstream, as far as the text tells (a template expression may be it)."""
    a, b = one[1], other[1]
    return a == b or OPAQUE.lower() in a or OPAQUE.lower() in b


def host_not_forwarded(location: ProxyLocation, siblings: list[ProxyLocation]) -> tuple[ProxyLocation, list[str]] | None:
    """(the sibling that sets Host, the headers it sets that this location does not send)."""
    if location.own_headers or "host" in location.headers():
        return None
    upstream = _upstream(location)
    if upstream is None or not _internal(upstream):
        return None
    for sibling in siblings:
        if sibling is location or sibling.level is not location.level:
            continue
        own = {name.lower(): name for name in _names(sibling.own_headers)}
        theirs = _upstream(sibling)
        if "host" not in own or theirs is None or not _internal(theirs) or not _same_app(upstream, theirs):
            continue
        sent = location.headers()
        missing = [name for key, name in own.items() if key not in sent and key not in ("upgrade", "connection")]
        return sibling, missing
    return None


_SWAPPED = {"upgrade": ("$connection_upgrade",), "connection": ("$http_upgrade",)}


def swapped_upgrade_values(location: ProxyLocation) -> Iterator[tuple[object, str]]:
    """(directive, message) for an Upgrade/Connection header given the other one's value."""
    for name, directive in location.headers().items():
        if name not in _SWAPPED or len(directive.args) < 2:
            continue
        value = directive.args[1].strip().lower()
        if value in _SWAPPED[name]:
            if name == "upgrade":
                yield directive, (
                    f"`proxy_set_header Upgrade {directive.args[1]}` sends the value meant for `Connection` "
                    f"(`upgrade`/`close`) as the Upgrade header: the app sees `Upgrade: upgrade`, not `websocket`, "
                    f"and refuses the WebSocket handshake through `location {location.pattern}`; use `$http_upgrade`"
                )
            else:
                yield directive, (
                    f"`proxy_set_header Connection {directive.args[1]}` sends the client's Upgrade value "
                    f"(`websocket`) as Connection: the upstream sees no `upgrade` token and refuses the WebSocket "
                    f"handshake through `location {location.pattern}`; use `$connection_upgrade` or \"upgrade\""
                )
