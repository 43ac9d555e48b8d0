"""YAML: Kubernetes workloads (probes, command lines), Ingress (ingress-nginx timeouts, GKE
BackendConfig through Services), Knative/Cloud Run services, docker-compose services."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ...formats.commands import argv_of, parse_launch, split_shell
from ...formats.values import format_seconds, parse_duration
from ...formats.yaml_docs import TEMPLATE_SPLICES, YMap, is_template_value
from .records import Container, Derived, EnvValue, Launch, Marker, Probe, ProxyHop

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
            derived.markers.append(Marker("gcp-lb", f"BackendConfig {_name(document) or '?'}", path, document.line))
        elif kind == "ecs-task":
            _ecs_task(path, document, derived)
        elif kind == "heroku-app":
            _heroku_app(path, document, derived)
        elif kind == "Service":
            _service_marker(path, document, derived)
        elif kind == "helm-values":
            _helm_values_probes(path, document, (), derived)
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
    launch = None
    if argv:
        line = container.line_of("command") if "command" in container else container.line_of("args")
        launch = _launch(argv, path, line, f"{kind} command/args", derived)
    env: dict[str, EnvValue] = {}
    for entry in container.list("env"):
        if isinstance(entry, YMap) and isinstance(entry.get("name"), str):
            value = entry.get("value")
            known = None if value is None or is_template_value(str(value)) or isinstance(value, (dict, list)) else str(value)
            env[entry["name"]] = EnvValue(known, entry.line_of("name"))
    splices = document.get(TEMPLATE_SPLICES) or []
    complete = "envFrom" not in container and not _splice_within(container, "env", splices)
    line = container.line_of("env") if "env" in container else container.line
    serves = bool(container.list("ports"))
    derived.containers.append(Container(where, path, line, env, complete, serves, launch, argv))


def _splice_within(mapping: YMap, key: str, splices: list) -> bool:
    """Whether a template splices YAML into the block under `key` (up to the mapping's next key)."""
    if key not in mapping or not splices:
        return False
    start = mapping.line_of(key)
    later = [line for k, line in mapping.key_lines.items() if line > start]
    end = min(later) if later else start + 10_000
    return any(start <= line < end for line in splices)


_HELM_VALUES_DEPTH = 4  # `backend.livenessProbe`, `api.deployment.probes.readinessProbe`


def _helm_values_probes(path: str, mapping: YMap, keys: tuple[str, ...], derived: Derived) -> None:
    """Probe blocks of a Helm values file: the templates splice them into the workload unchanged
    (`livenessProbe: {{- toYaml .Values.livenessProbe | nindent 12 }}`), so they are the probes."""
    for key, value in mapping.items():
        if not isinstance(value, YMap) or not isinstance(key, str):
            continue
        if key in PROBES:
            where = "Helm values `" + ".".join((*keys, key)) + "`"
            _k8s_probe(path, key, mapping.line_of(key), value, where, derived, "kubernetes")
        elif len(keys) < _HELM_VALUES_DEPTH:
            _helm_values_probes(path, value, (*keys, key), derived)


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


def _launch(argv: list[str], path: str, line: int, source: str, derived: Derived) -> Launch | None:
    launch = parse_launch(argv, path, line)
    if launch is None:
        return None
    record = Launch(
        launch.server, launch.keepalive, launch.worker_class or "", source, path, line, launch.ws_ping_interval, launch.ws_ping_disabled,
        launch.config_file or "", launch.keepalive_var or "", launch.threads, launch.keepalive_unresolved,
    )  # fmt: skip
    if not launch.keepalive_unresolved:
        derived.launches.append(record)
    return record


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
    _ingress_marker(path, document, annotations, ingress_class, is_nginx, name, derived)
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
        launch = None
        argv: list[str] = []
        if "command" in service:
            argv = argv_of(service.get("command"))
            if argv:
                launch = _launch(argv, path, service.line_of("command"), "compose command", derived)
        line = service.line_of("environment") if "environment" in service else services.line_of(name)
        serves = bool(service.list("ports") or service.list("expose"))
        derived.containers.append(Container(where, path, line, _compose_env(service), "env_file" not in service, serves, launch, argv, ""))


def _compose_health(path: str, line: int, check: YMap, where: str, derived: Derived) -> None:
    test = check.get("test")
    words = [str(w) for w in test] if isinstance(test, list) else split_shell(str(test or ""))
    if words and words[0] in ("CMD", "CMD-SHELL"):
        words = words[1:] if words[0] == "CMD" else split_shell(" ".join(words[1:]))
    from .healthchecks import command_target

    route, script = command_target(words)
    if route is None and script is None:
        return
    timeout, timeout_detail = _compose_field(check, "timeout")
    period, period_detail = _compose_field(check, "interval")
    timeout_line = check.line_of("timeout") if "timeout" in check else line
    derived.probes.append(
        Probe("healthcheck", where, route or "", timeout, timeout_detail, period, period_detail, path, line, liveness=True, platform="compose", timeout_line=timeout_line, script=script or "")
    )


def _compose_field(check: YMap, name: str) -> tuple[float | None, str]:
    if name not in check:
        return COMPOSE_HEALTH_DEFAULT, f"{name} unset; default {format_seconds(COMPOSE_HEALTH_DEFAULT)}"
    return parse_duration(check.get(name)), f"{name}: {check.get(name)}"


# -- platform markers and the containers platforms run (INF605) -------------------------------------

_ALB_ATTRIBUTES = "alb.ingress.kubernetes.io/load-balancer-attributes"
_GKE_ANNOTATIONS = ("kubernetes.io/ingress.global-static-ip-name", "networking.gke.io/", "ingress.gcp.kubernetes.io/", "cloud.google.com/")
_IDLE_ATTRIBUTE_RE = re.compile(r"idle_timeout\.timeout_seconds\s*=\s*(\d+)")


def _ingress_marker(path: str, document: YMap, annotations: YMap, ingress_class: str, is_nginx: bool, name: str, derived: Derived) -> None:
    keys = [str(k) for k in annotations]
    cls = ingress_class.strip().lower()
    if cls == "alb" or any(k.startswith("alb.ingress.kubernetes.io/") for k in keys):
        raw = annotations.get(_ALB_ATTRIBUTES)
        found = _IDLE_ATTRIBUTE_RE.search(str(raw)) if isinstance(raw, str) else None
        if found:
            derived.markers.append(Marker("aws-alb", name, path, annotations.line_of(_ALB_ATTRIBUTES), float(found.group(1)), f"{_ALB_ATTRIBUTES}: {raw}"))
        elif isinstance(raw, str) and "idle_timeout" in raw:
            return  # set, but not to a literal
        else:
            derived.markers.append(Marker("aws-alb", name, path, document.line, None, "an ALB ingress annotation declares the load balancer, no idle_timeout is set"))
    elif is_nginx and not any(k.startswith("nginx.org/") for k in keys):
        derived.markers.append(Marker("ingress-nginx", name, path, document.line, None, "an ingress-nginx Ingress; `upstream-keepalive-timeout` is a controller setting"))
    elif cls in ("gce", "gce-internal") or any(k.startswith(_GKE_ANNOTATIONS) for k in keys):
        derived.markers.append(Marker("gcp-lb", name, path, document.line, None, "a GKE Ingress creates a Google Cloud load balancer"))


def _service_marker(path: str, document: YMap, derived: Derived) -> None:
    annotations = document.map("metadata").map("annotations")
    if any(str(k).startswith(("cloud.google.com/backend-config", "beta.cloud.google.com/backend-config")) for k in annotations):
        derived.markers.append(Marker("gcp-lb", f"Service {_name(document) or '?'}", path, document.line, None, "a Service that names a GKE BackendConfig"))


def _ecs_task(path: str, document: YMap, derived: Derived) -> None:
    family = document.get("family") or "?"
    serving = False
    for container in document.list("containerDefinitions"):
        if not isinstance(container, YMap):
            continue
        where = f"ECS task definition {family}, container {container.get('name', '?')}"
        env: dict[str, EnvValue] = {}
        for entry in container.list("environment"):
            if isinstance(entry, YMap) and isinstance(entry.get("name"), str):
                value = entry.get("value")
                env[entry["name"]] = EnvValue(None if value is None or isinstance(value, (dict, list)) else str(value), entry.line_of("name"))
        for entry in container.list("secrets"):
            if isinstance(entry, YMap) and isinstance(entry.get("name"), str):
                env[entry["name"]] = EnvValue(None, entry.line_of("name"))
        argv = argv_of(container.get("entryPoint")) + argv_of(container.get("command"))
        launch = _launch(argv, path, container.line_of("command") if "command" in container else container.line, "ECS task definition command", derived) if argv else None
        serves = bool(container.list("portMappings"))
        serving |= serves
        line = container.line_of("environment") if "environment" in container else container.line
        derived.containers.append(Container(where, path, line, env, not container.list("environmentFiles"), serves, launch, argv, "aws-alb"))
    if serving:
        derived.markers.append(Marker("aws-alb", f"ECS task definition {family}", path, document.line, None, "an ECS task definition with port mappings is taken to run behind an Application Load Balancer, the ECS web service set-up"))


def _heroku_app(path: str, document: YMap, derived: Derived) -> None:
    derived.markers.append(Marker("heroku", "app.json", path, document.line, None, "an app.json (Heroku app manifest)"))
    env: dict[str, EnvValue] = {}
    raw = document.map("env")
    for name, spec in raw.items():
        value = spec.get("value") if isinstance(spec, dict) else spec
        env[str(name)] = EnvValue(None if value is None or isinstance(value, (dict, list)) else str(value), raw.line_of(name))
    derived.containers.append(Container("Heroku app (app.json)", path, document.line_of("env") if "env" in document else document.line, env, False, False, None, [], "heroku"))


def _compose_env(service: YMap) -> dict[str, EnvValue]:
    raw = service.get("environment")
    env: dict[str, EnvValue] = {}
    if isinstance(raw, YMap):
        for name, value in raw.items():
            env[str(name)] = EnvValue(None if value is None or is_template_value(str(value)) else str(value), raw.line_of(name))
    elif isinstance(raw, list):
        line = service.line_of("environment")
        for offset, item in enumerate(raw, start=1):
            if isinstance(item, str):
                name, sep, value = item.partition("=")
                env[name.strip()] = EnvValue(value if sep and "${" not in value else None, line + offset)
    return env
