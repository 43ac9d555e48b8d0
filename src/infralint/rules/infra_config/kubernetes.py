"""YAML: Kubernetes workloads (probes, command lines), Ingress (ingress-nginx timeouts, GKE
BackendConfig through Services), Knative/Cloud Run services, docker-compose services."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ...formats.commands import argv_of, parse_launch, split_shell
from ...formats.values import format_seconds, parse_duration
from ...formats.yaml_docs import YMap
from .records import Derived, Launch, Probe, ProxyHop

PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
K8S_PROBE_TIMEOUT = 1.0  # Kubernetes: timeoutSeconds "Defaults to 1 second"
K8S_PROBE_PERIOD = 10.0  # Kubernetes: periodSeconds "Default to 10 seconds"
COMPOSE_HEALTH_DEFAULT = 30.0  # Compose healthcheck: timeout and interval default to 30s
GKE_BACKEND_TIMEOUT = 30.0  # BackendConfig timeoutSec unset: the backend service default, 30 s
INGRESS_NGINX_READ_TIMEOUT = 60.0  # ingress-nginx proxy-read-timeout default: 60 s
KNATIVE_TIMEOUT_DEFAULT = 300.0  # Cloud Run request timeout default (Knative service YAML)
_READ_TIMEOUT_ANNOTATION = "nginx.ingress.kubernetes.io/proxy-read-timeout"


def derive(documents: list[tuple[str, str, YMap]], derived: Derived) -> None:
    """`documents`: (file path, kind, document) of every YAML document the facts kept."""
    services = [(p, d) for p, k, d in documents if k == "Service" and not _is_knative(d)]
    backend_configs = {_name(d): (p, d) for p, k, d in documents if k == "BackendConfig"}
    for path, kind, document in documents:
        if kind == "compose":
            _compose(path, document, derived)
        elif kind == "Service" and _is_knative(document):
            _knative(path, document, derived)
        elif kind == "Ingress":
            _ingress(path, document, services, backend_configs, derived)
        elif kind == "BackendConfig":
            _backend_config_probe(path, document, derived)
        else:
            for container, where in _containers(document):
                _container(path, kind, document, container, where, derived)


def _name(document: YMap) -> str:
    return str(document.map("metadata").get("name", ""))


def _is_knative(document: YMap) -> bool:
    return str(document.get("apiVersion", "")).startswith("serving.knative.dev")


def _pod_spec(document: YMap) -> YMap:
    kind = document.get("kind")
    spec = document.map("spec")
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return spec.map("jobTemplate").map("spec").map("template").map("spec")
    return spec.map("template").map("spec")


def _containers(document: YMap) -> Iterator[tuple[YMap, str]]:
    for container in _pod_spec(document).list("containers"):
        if isinstance(container, YMap):
            yield container, f"{document.get('kind')} {_name(document) or '?'}, container {container.get('name', '?')}"


def _container(path: str, kind: str, document: YMap, container: YMap, where: str, derived: Derived) -> None:
    for probe_kind in PROBES:
        probe = container.get(probe_kind)
        if isinstance(probe, YMap):
            _k8s_probe(path, probe_kind, container.line_of(probe_kind), probe, where, derived, "kubernetes")
    argv = argv_of(container.get("command")) + argv_of(container.get("args"))
    if argv:
        line = container.line_of("command") if "command" in container else container.line_of("args")
        _launch(argv, path, line, f"{kind} command/args", derived)


def _k8s_probe(path: str, kind: str, line: int, probe: YMap, where: str, derived: Derived, platform: str) -> None:
    route = probe.map("httpGet").get("path")
    if not isinstance(route, str):
        return
    timeout, timeout_detail = _k8s_field(probe, "timeoutSeconds", K8S_PROBE_TIMEOUT)
    period, period_detail = _k8s_field(probe, "periodSeconds", K8S_PROBE_PERIOD)
    timeout_line = probe.line_of("timeoutSeconds") if "timeoutSeconds" in probe else line
    derived.probes.append(Probe(kind, where, route, timeout, timeout_detail, period, period_detail, path, line, kind == "livenessProbe", platform, timeout_line))


def _k8s_field(probe: YMap, name: str, default: float) -> tuple[float | None, str]:
    if name not in probe:
        return default, f"{name} unset; default {format_seconds(default)}"
    value = parse_duration(probe.get(name))
    return value, f"{name}: {probe.get(name)}"


def _launch(argv: list[str], path: str, line: int, source: str, derived: Derived) -> None:
    launch = parse_launch(argv, path, line)
    if launch and not launch.keepalive_unresolved:
        derived.launches.append(
            Launch(launch.server, launch.keepalive, launch.worker_class or "", source, path, line, launch.ws_ping_interval, launch.ws_ping_disabled, launch.config_file or "")
        )


# -- Knative / Cloud Run service YAML --------------------------------------------------------------


def _knative(path: str, document: YMap, derived: Derived) -> None:
    spec = document.map("spec").map("template").map("spec")
    name = f"Knative Service {_name(document) or '?'}"
    if "timeoutSeconds" in spec:
        value = parse_duration(spec.get("timeoutSeconds"))
        derived.hops.append(ProxyHop(name, None, value, f"timeoutSeconds: {spec.get('timeoutSeconds')}", False, path, spec.line_of("timeoutSeconds")))
    else:
        derived.hops.append(ProxyHop(name, None, KNATIVE_TIMEOUT_DEFAULT, f"timeoutSeconds unset; Cloud Run default {format_seconds(KNATIVE_TIMEOUT_DEFAULT)}", False, path, document.line))
    for container in spec.list("containers"):
        if isinstance(container, YMap):
            where = f"{name}, container {container.get('name', '?')}"
            _container(path, "Knative Service", document, container, where, derived)


# -- Ingress: ingress-nginx annotations, GKE BackendConfig ------------------------------------------


def _ingress_paths(document: YMap) -> Iterator[tuple[str | None, str, int]]:
    """(path or None for every path, backend service name, line) of each Ingress rule."""
    spec = document.map("spec")
    default = spec.map("defaultBackend") or spec.map("backend")
    if default:
        yield None, str(default.map("service").get("name") or default.get("serviceName") or ""), spec.line_of("defaultBackend")
    for rule in spec.list("rules"):
        if not isinstance(rule, YMap):
            continue
        for entry in rule.map("http").list("paths"):
            if isinstance(entry, YMap):
                backend = entry.map("backend")
                service = backend.map("service").get("name") or backend.get("serviceName") or ""
                raw = entry.get("path")
                yield (raw if isinstance(raw, str) else None), str(service), entry.line


def _ingress(path: str, document: YMap, services, backend_configs, derived: Derived) -> None:
    annotations = document.map("metadata").map("annotations")
    ingress_class = str(document.map("spec").get("ingressClassName") or annotations.get("kubernetes.io/ingress.class") or "")
    is_nginx = "nginx" in ingress_class or any(str(k).startswith("nginx.ingress.kubernetes.io/") for k in annotations)
    name = f"Ingress {_name(document) or '?'}"
    if is_nginx:
        if _READ_TIMEOUT_ANNOTATION in annotations:
            value = parse_duration(str(annotations.get(_READ_TIMEOUT_ANNOTATION)))
            detail, line = f"{_READ_TIMEOUT_ANNOTATION}: {annotations.get(_READ_TIMEOUT_ANNOTATION)}", annotations.line_of(_READ_TIMEOUT_ANNOTATION)
        else:
            value, detail, line = INGRESS_NGINX_READ_TIMEOUT, f"proxy-read-timeout annotation unset; ingress-nginx default {format_seconds(INGRESS_NGINX_READ_TIMEOUT)}", document.line
        for route, _service, _line in _ingress_paths(document):
            derived.hops.append(ProxyHop(name, None if route is None else [route], value, detail, True, path, line))
        return
    # GKE Ingress: each path's Service may name a BackendConfig whose timeoutSec governs it
    for route, service_name, route_line in _ingress_paths(document):
        config_name = _backend_config_of(service_name, services)
        if config_name is None:
            continue
        found = backend_configs.get(config_name)
        if found is None:
            continue
        config_path, config = found
        spec = config.map("spec")
        if "timeoutSec" in spec:
            value, detail, line = parse_duration(spec.get("timeoutSec")), f"timeoutSec: {spec.get('timeoutSec')}", spec.line_of("timeoutSec")
        else:
            value, detail, line = GKE_BACKEND_TIMEOUT, f"timeoutSec unset; default {format_seconds(GKE_BACKEND_TIMEOUT)}", config.line
        derived.hops.append(ProxyHop(f"BackendConfig {config_name}", None if route is None else [route], value, detail, False, config_path, line))


def _backend_config_of(service_name: str, services) -> str | None:
    for _path, service in services:
        if _name(service) != service_name:
            continue
        annotations = service.map("metadata").map("annotations")
        raw = annotations.get("cloud.google.com/backend-config") or annotations.get("beta.cloud.google.com/backend-config")
        if not isinstance(raw, str):
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        if isinstance(value, dict):
            if isinstance(value.get("default"), str):
                return value["default"]
            ports = value.get("ports")
            if isinstance(ports, dict) and len(set(map(str, ports.values()))) == 1:
                return str(next(iter(ports.values())))
    return None


def _backend_config_probe(path: str, document: YMap, derived: Derived) -> None:
    """GKE `BackendConfig.spec.healthCheck`: only what it sets (its defaults depend on the Service)."""
    check = document.map("spec").map("healthCheck")
    route = check.get("requestPath")
    if not isinstance(route, str) or "timeoutSec" not in check:
        return
    timeout = parse_duration(check.get("timeoutSec"))
    period = parse_duration(check.get("checkIntervalSec")) if "checkIntervalSec" in check else None
    derived.probes.append(
        Probe(
            "healthCheck",
            f"BackendConfig {_name(document) or '?'}",
            route,
            timeout,
            f"timeoutSec: {check.get('timeoutSec')}",
            period,
            f"checkIntervalSec: {check.get('checkIntervalSec')}" if period is not None else "",
            path,
            document.map("spec").line_of("healthCheck"),
            platform="gcp",
            timeout_line=check.line_of("timeoutSec"),
        )
    )


# -- docker-compose -----------------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://[^\s\"'/]+(/[^\s\"'|;&]*)?")


def _compose(path: str, document: YMap, derived: Derived) -> None:
    services = document.map("services")
    for name, service in services.items():
        if not isinstance(service, YMap):
            continue
        where = f"compose service {name}"
        check = service.get("healthcheck")
        if isinstance(check, YMap) and not check.get("disable"):
            _compose_health(path, service.line_of("healthcheck"), check, where, derived)
        if "command" in service:
            argv = argv_of(service.get("command"))
            if argv:
                _launch(argv, path, service.line_of("command"), "compose command", derived)


def _compose_health(path: str, line: int, check: YMap, where: str, derived: Derived) -> None:
    test = check.get("test")
    words = [str(w) for w in test] if isinstance(test, list) else split_shell(str(test or ""))
    if words and words[0] in ("CMD", "CMD-SHELL"):
        words = words[1:] if words[0] == "CMD" else split_shell(" ".join(words[1:]))
    if not words or not any(w.rsplit("/", 1)[-1] in ("curl", "wget") for w in words):
        return
    url = next((m for m in (_URL_RE.search(w) for w in words) if m), None)
    if url is None:
        return
    route = url.group(1) or "/"
    timeout, timeout_detail = _compose_field(check, "timeout")
    period, period_detail = _compose_field(check, "interval")
    timeout_line = check.line_of("timeout") if "timeout" in check else line
    derived.probes.append(Probe("healthcheck", where, route.split("?")[0], timeout, timeout_detail, period, period_detail, path, line, platform="compose", timeout_line=timeout_line))


def _compose_field(check: YMap, name: str) -> tuple[float | None, str]:
    if name not in check:
        return COMPOSE_HEALTH_DEFAULT, f"{name} unset; default {format_seconds(COMPOSE_HEALTH_DEFAULT)}"
    return parse_duration(check.get(name)), f"{name}: {check.get(name)}"
