"""Terraform: GCP URL maps → backend services (→ serverless NEG → Cloud Run), GCP health checks,
AWS application load balancers — each read within its module (the `.tf` files of one folder)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...formats.terraform import Block, Module, TerraformFile
from ...formats.values import Ref, Unresolved, format_seconds, parse_duration
from .records import Derived, HeaderIssue, LoadBalancer, Probe, ProxyHop

BACKEND_SERVICES = ("google_compute_backend_service", "google_compute_region_backend_service")
URL_MAPS = ("google_compute_url_map", "google_compute_region_url_map")
TARGET_PROXIES = (
    "google_compute_target_http_proxy",
    "google_compute_target_https_proxy",
    "google_compute_region_target_http_proxy",
    "google_compute_region_target_https_proxy",
)
HEALTH_CHECKS = ("google_compute_health_check", "google_compute_region_health_check")
LEGACY_HEALTH_CHECKS = ("google_compute_http_health_check", "google_compute_https_health_check")
CLOUD_RUN = ("google_cloud_run_v2_service", "google_cloud_run_service")
AWS_LBS = ("aws_lb", "aws_alb")

BACKEND_TIMEOUT_DEFAULT = 30.0  # Compute Engine backendServices.timeoutSec: "The default is 30 seconds"
CLOUD_RUN_TIMEOUT_DEFAULT = 300.0  # Cloud Run request timeout: "set by default to 5 minutes (300 seconds)"
GCP_HEALTH_DEFAULT = 5.0  # healthChecks timeoutSec / checkIntervalSec: default 5 s
AWS_IDLE_DEFAULT = 60.0  # Elastic Load Balancing: "sets the idle timeout value … to 60 seconds"
GCP_BACKEND_KEEPALIVE = 600.0  # external Application LB keep-alive to backends: fixed at 600 s


def derive(files: list[TerraformFile], derived: Derived) -> None:
    module = Module(files)
    routes = _url_map_routes(module)
    _backend_hops(module, routes, derived)
    _cloud_run_hops(module, routes, derived)
    _header_issues(module, routes, derived)
    _health_checks(module, derived)
    _load_balancers(module, derived)


def _seconds(module: Module, value: Any) -> float | None:
    return parse_duration(module.resolve(value))


# -- URL maps -------------------------------------------------------------------------------------


class _Route:
    """Paths of a URL map that go to one backend service (None: the map's default, every path)."""

    def __init__(self, url_map: Block, file: TerraformFile, paths: list[str] | None, service: Any, route_timeout: float | None, block: Block) -> None:
        self.url_map, self.file, self.paths, self.service, self.route_timeout, self.block = url_map, file, paths, service, route_timeout, block


def _url_map_routes(module: Module) -> list[_Route]:
    routes: list[_Route] = []
    for file, url_map in module.resources(*URL_MAPS):
        if url_map.get("default_service") is not None:
            routes.append(_Route(url_map, file, None, url_map.get("default_service"), None, url_map))
        for matcher in url_map.children("path_matcher"):
            if matcher.get("default_service") is not None:
                routes.append(_Route(url_map, file, None, matcher.get("default_service"), None, matcher))
            for rule in matcher.children("path_rule"):
                paths = [p for p in module.resolve(rule.get("paths")) or [] if isinstance(p, str)] if isinstance(module.resolve(rule.get("paths")), list) else []
                routes.append(_Route(url_map, file, paths, rule.get("service"), _route_timeout(module, rule), rule))
            for rule in matcher.children("route_rules"):
                paths = []
                for match in rule.children("match_rules"):
                    for key in ("full_path_match", "prefix_match", "path_template_match"):
                        value = module.resolve(match.get(key))
                        if isinstance(value, str):
                            paths.append(value + "*" if key == "prefix_match" else value)
                routes.append(_Route(url_map, file, paths, rule.get("service"), _route_timeout(module, rule), rule))
    return routes


def _route_timeout(module: Module, rule: Block) -> float | None:
    for action in rule.children("route_action"):
        for timeout in action.children("timeout"):
            seconds = _seconds(module, timeout.get("seconds"))
            if seconds is not None:
                return seconds
    return None


def _service_block(module: Module, ref: Any) -> tuple[TerraformFile, Block] | None:
    found = module.find(ref)
    if found and found[1].labels[0] in BACKEND_SERVICES:
        return found
    return None


# -- backend services and Cloud Run ---------------------------------------------------------------


def _serverless_service(module: Module, backend: Block) -> tuple[TerraformFile, Block] | str | None:
    """The Cloud Run service behind a backend service's serverless NEG (the block, its name, or None)."""
    for entry in backend.children("backend"):
        found = module.find(entry.get("group"))
        if not found or found[1].labels[0] != "google_compute_region_network_endpoint_group":
            continue
        for cloud_run in found[1].children("cloud_run"):
            service = cloud_run.get("service")
            target = module.find(service)
            if target:
                return target
            resolved = module.resolve(service)
            for file, run in module.resources(*CLOUD_RUN):
                if module.resolve(run.get("name")) == resolved:
                    return file, run
            return str(resolved) if isinstance(resolved, str) else "a Cloud Run service"
    return None


def _backend_hops(module: Module, routes: list[_Route], derived: Derived) -> None:
    for file, backend in module.resources(*BACKEND_SERVICES):
        mine = [r for r in routes if _service_block(module, r.service) == (file, backend)]
        if not mine or _serverless_service(module, backend) is not None:
            continue  # not routed here (unknown traffic), or Cloud Run's own timeout governs
        name = backend.address
        raw = backend.get("timeout_sec")
        if raw is None:
            timeout, detail, line = BACKEND_TIMEOUT_DEFAULT, f"timeout_sec unset; default {format_seconds(BACKEND_TIMEOUT_DEFAULT)}", backend.line
        else:
            timeout, detail, line = _seconds(module, raw), f"timeout_sec = {_shown(module, raw)}", backend.line_of("timeout_sec")
        evidence = _forced_upgrade(module, backend)
        for route in mine:
            excluded = _claimed(routes, route) if route.paths is None else []
            if route.route_timeout is not None:
                derived.hops.append(
                    ProxyHop(f"{route.url_map.address} route", route.paths, route.route_timeout, f"route_action timeout {format_seconds(route.route_timeout)}", False, route.file.path, route.block.line, websocket_evidence=evidence)
                )
            else:
                derived.hops.append(ProxyHop(name, route.paths, timeout, detail, False, file.path, line, excluded, websocket_evidence=evidence))


def _forced_upgrade(module: Module, backend: Block) -> str:
    """`custom_request_headers = ["Upgrade: websocket"]`: the backend service is there for WebSockets."""
    headers = module.resolve(backend.get("custom_request_headers"))
    for header in headers if isinstance(headers, list) else []:
        if isinstance(header, str) and ":" in header:
            name, _, value = header.partition(":")
            if name.strip().lower() == "upgrade" and "websocket" in value.lower():
                return f"it forces `{header.strip()}` on every request (custom_request_headers, line {backend.line_of('custom_request_headers')})"
    return ""


def _claimed(routes: list[_Route], default: _Route) -> list[str]:
    """Paths the URL map sends elsewhere than its default service (path rules win over defaults)."""
    return [p for r in routes if r.url_map is default.url_map and r.paths for p in r.paths]


def _cloud_run_hops(module: Module, routes: list[_Route], derived: Derived) -> None:
    """A Cloud Run service ends every request, WebSockets included, at its request timeout."""
    behind: dict[int, list[str] | None] = {}
    for file, backend in module.resources(*BACKEND_SERVICES):
        target = _serverless_service(module, backend)
        if isinstance(target, tuple):
            for route in routes:
                if _service_block(module, route.service) == (file, backend):
                    key = id(target[1])
                    behind[key] = None if route.paths is None or behind.get(key, []) is None else behind.get(key, []) + route.paths
    for file, run in module.resources(*CLOUD_RUN):
        timeout, detail, line = _cloud_run_timeout(module, run)
        derived.hops.append(ProxyHop(run.address, behind.get(id(run)), timeout, detail, False, file.path, line))


def _cloud_run_timeout(module: Module, run: Block) -> tuple[float | None, str, int]:
    for template in run.children("template"):
        if run.labels[0] == "google_cloud_run_v2_service":
            if "timeout" in template.attributes:
                raw = template.get("timeout")
                return _seconds(module, raw), f"template.timeout = {_shown(module, raw)}", template.line_of("timeout")
        else:
            for spec in template.children("spec"):
                if "timeout_seconds" in spec.attributes:
                    raw = spec.get("timeout_seconds")
                    return _seconds(module, raw), f"template.spec.timeout_seconds = {_shown(module, raw)}", spec.line_of("timeout_seconds")
    return CLOUD_RUN_TIMEOUT_DEFAULT, f"request timeout unset; Cloud Run default {format_seconds(CLOUD_RUN_TIMEOUT_DEFAULT)}", run.line


def _shown(module: Module, raw: Any) -> str:
    resolved = module.resolve(raw)
    if isinstance(raw, Ref) and not isinstance(resolved, Unresolved):
        return f"{raw} = {resolved!r}" if isinstance(resolved, str) else f"{raw} = {resolved}"
    return repr(resolved) if isinstance(resolved, str) else str(resolved)


# -- headers forced or removed by the load balancer ------------------------------------------------

_HOP_BY_HOP = ("connection", "upgrade")
_PROTECTED = ("authorization", "sec-websocket-protocol")


def _header_issues(module: Module, routes: list[_Route], derived: Derived) -> None:
    for file, backend in module.resources(*BACKEND_SERVICES):
        headers = module.resolve(backend.get("custom_request_headers"))
        if not isinstance(headers, list):
            continue
        for header in headers:
            if not isinstance(header, str) or ":" not in header:
                continue
            name = header.split(":", 1)[0].strip().lower()
            if name in _HOP_BY_HOP:
                derived.header_issues.append(
                    HeaderIssue(
                        f"`{backend.address}` sends `{header.strip()}` on every request (custom_request_headers): "
                        f"plain HTTP requests are marked as upgrades, and the header is not the client's",
                        file.path,
                        backend.line_of("custom_request_headers"),
                    )
                )
            elif name in _PROTECTED:
                derived.header_issues.append(
                    HeaderIssue(
                        f"`{backend.address}` overwrites `{name.title()}` on every request (custom_request_headers): "
                        f"the client's value never reaches the app",
                        file.path,
                        backend.line_of("custom_request_headers"),
                    )
                )
    for route in routes:
        for action in route.block.children("header_action"):
            for add in action.children("request_headers_to_add"):
                name = module.resolve(add.get("header_name"))
                replace = module.resolve(add.get("replace"))
                if isinstance(name, str) and name.lower() in _HOP_BY_HOP + _PROTECTED and (replace is True or name.lower() in _HOP_BY_HOP):
                    derived.header_issues.append(
                        HeaderIssue(f"`{route.url_map.address}` header_action sets `{name}` on every request of this route: the client's value is replaced", route.file.path, add.line)
                    )
            removed = module.resolve(action.get("request_headers_to_remove"))
            for name in removed if isinstance(removed, list) else []:
                if isinstance(name, str) and name.lower() in _PROTECTED + _HOP_BY_HOP:
                    derived.header_issues.append(
                        HeaderIssue(f"`{route.url_map.address}` header_action removes `{name}` from every request of this route", route.file.path, action.line_of("request_headers_to_remove"))
                    )


# -- health checks ---------------------------------------------------------------------------------


def _health_checks(module: Module, derived: Derived) -> None:
    for file, check in module.resources(*HEALTH_CHECKS, *LEGACY_HEALTH_CHECKS):
        if check.labels[0] in LEGACY_HEALTH_CHECKS:
            holder = check
        else:
            holder = next((c for kind in ("http_health_check", "https_health_check", "http2_health_check") for c in check.children(kind)), None)
            if holder is None:
                continue  # a TCP/gRPC check calls no route
        path = module.resolve(holder.get("request_path", "/"))
        if not isinstance(path, str):
            continue
        timeout, timeout_detail = _setting(module, check, "timeout_sec")
        period, period_detail = _setting(module, check, "check_interval_sec")
        derived.probes.append(
            Probe("health check", check.address, path, timeout, timeout_detail, period, period_detail, file.path, check.line_of("timeout_sec"), platform="gcp")
        )


def _setting(module: Module, block: Block, name: str) -> tuple[float | None, str]:
    if name not in block.attributes:
        return GCP_HEALTH_DEFAULT, f"{name} unset; default {format_seconds(GCP_HEALTH_DEFAULT)}"
    raw = block.get(name)
    return _seconds(module, raw), f"{name} = {_shown(module, raw)}"


# -- load balancers in front of the app (INF605) ----------------------------------------------------


def _load_balancers(module: Module, derived: Derived) -> None:
    for file, lb in module.resources(*AWS_LBS):
        kind = module.resolve(lb.get("load_balancer_type", "application"))
        if kind != "application":
            continue  # network/gateway balancers have no HTTP keep-alive to reuse
        if "idle_timeout" in lb.attributes:
            raw = lb.get("idle_timeout")
            derived.balancers.append(LoadBalancer(lb.address, _seconds(module, raw), f"idle_timeout = {_shown(module, raw)}", file.path, lb.line_of("idle_timeout")))
        else:
            derived.balancers.append(LoadBalancer(lb.address, AWS_IDLE_DEFAULT, f"idle_timeout unset; default {format_seconds(AWS_IDLE_DEFAULT)}", file.path, lb.line))
    for file, proxy in module.resources(*TARGET_PROXIES):
        if proxy.labels[0].startswith("google_compute_region_"):
            continue  # regional/internal proxies: the fixed 600 s is documented for the external one
        derived.balancers.append(
            LoadBalancer(proxy.address, GCP_BACKEND_KEEPALIVE, f"GCP external Application Load Balancer; keep-alive to backends fixed at {format_seconds(GCP_BACKEND_KEEPALIVE)}", file.path, proxy.line)
        )


def iter_modules(files: list[TerraformFile]) -> Iterator[list[TerraformFile]]:
    by_folder: dict[str, list[TerraformFile]] = {}
    for file in files:
        folder = file.path.replace("\\", "/").rsplit("/", 1)[0] if "/" in file.path.replace("\\", "/") else ""
        by_folder.setdefault(folder, []).append(file)
    for folder in sorted(by_folder):
        yield by_folder[folder]
