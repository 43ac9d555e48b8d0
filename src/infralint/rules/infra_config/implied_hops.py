"""Load balancers an Ingress implies without declaring their timeouts (INF601).

* An AWS Load Balancer Controller Ingress (`ingressClassName: alb`, `alb.ingress.kubernetes.io/*`)
  creates an Application Load Balancer whose idle timeout is 60 s unless
  `alb.ingress.kubernetes.io/load-balancer-attributes` sets `idle_timeout.timeout_seconds`.
* A GKE Ingress (`gce`, `gce-internal`, GKE annotations) creates a Google Cloud load balancer whose
  backend service timeout — the longest a WebSocket lives — is 30 s unless the Service names a
  BackendConfig with `timeoutSec` (the BackendConfig case is read in `kubernetes.py`).

Each path of the Ingress becomes a hop; INF601 reports the hops that carry WebSockets.
"""

from __future__ import annotations

import re

from ...formats.values import format_seconds
from ...formats.yaml_docs import YMap
from ...analysis.platform_defaults import AWS_ALB, GCP_LOAD_BALANCER
from .kubernetes import _backend_config_of, _ingress_paths, _name
from .records import Derived, ProxyHop

#: the platform defaults (analysis/platform_defaults.py holds each with the vendor's documentation)
AWS_IDLE_DEFAULT = AWS_ALB.backend_keepalive.seconds  # ALB idle timeout, client and target side alike
GKE_BACKEND_TIMEOUT = GCP_LOAD_BALANCER.request_timeout.seconds  # backend service timeout

_ALB_ATTRIBUTES = "alb.ingress.kubernetes.io/load-balancer-attributes"
_IDLE_RE = re.compile(r"idle_timeout\.timeout_seconds\s*=\s*(\d+(?:\.\d+)?)")
_GKE_ANNOTATIONS = ("kubernetes.io/ingress.global-static-ip-name", "networking.gke.io/", "ingress.gcp.kubernetes.io/")
_WEBSOCKET_ANNOTATIONS = ("nginx.org/websocket-services", "nginx.ingress.kubernetes.io/websocket-services")


def derive(documents: list[tuple[str, str, YMap]], derived: Derived) -> None:
    services = [(p, d) for p, k, d in documents if k == "Service" and not str(d.get("apiVersion", "")).startswith("serving.knative.dev")]
    for path, kind, document in documents:
        if kind != "Ingress":
            continue
        annotations = document.map("metadata").map("annotations")
        keys = [str(k) for k in annotations]
        cls = str(document.map("spec").get("ingressClassName") or annotations.get("kubernetes.io/ingress.class") or "").strip().lower()
        name = f"Ingress {_name(document) or '?'}"
        evidence = _websocket_annotation(annotations)
        if cls == "alb" or any(k.startswith("alb.ingress.kubernetes.io/") for k in keys):
            _alb(path, document, annotations, name, evidence, derived)
        elif cls in ("gce", "gce-internal") or any(k.startswith(_GKE_ANNOTATIONS) for k in keys):
            _gke(path, document, name, services, evidence, derived)


def _websocket_annotation(annotations: YMap) -> str:
    for key in _WEBSOCKET_ANNOTATIONS:
        if key in annotations:
            return f"`{key}` (line {annotations.line_of(key)})"
    return ""


def _alb(path: str, document: YMap, annotations: YMap, name: str, evidence: str, derived: Derived) -> None:
    raw = annotations.get(_ALB_ATTRIBUTES)
    if isinstance(raw, str) and "idle_timeout" in raw:
        found = _IDLE_RE.search(raw)
        if found is None:
            return  # set, but not to a literal: never guessed
        value, detail, line = float(found.group(1)), f"{_ALB_ATTRIBUTES}: {raw}", annotations.line_of(_ALB_ATTRIBUTES)
    else:
        value = AWS_IDLE_DEFAULT
        detail = f"the AWS ALB default idle timeout ({format_seconds(AWS_IDLE_DEFAULT)}) applies: an ALB ingress annotation declares the load balancer, no idle_timeout is set"
        line = document.line
    for route, _service, _line in _ingress_paths(document):
        derived.hops.append(ProxyHop(f"{name} (AWS ALB)", None if route is None else [route], value, detail, True, path, line, websocket_evidence=evidence))


def _gke(path: str, document: YMap, name: str, services, evidence: str, derived: Derived) -> None:
    for route, service_name, route_line in _ingress_paths(document):
        if _backend_config_of(service_name, services) is not None:
            continue  # its BackendConfig governs the timeout (read with the BackendConfig)
        detail = (
            f"the GCP backend service default timeout ({format_seconds(GKE_BACKEND_TIMEOUT)}) applies: a GKE Ingress creates the load "
            f"balancer and no BackendConfig sets `timeoutSec` for Service `{service_name or '?'}`"
        )
        derived.hops.append(ProxyHop(f"{name} (GKE)", None if route is None else [route], GKE_BACKEND_TIMEOUT, detail, False, path, route_line, websocket_evidence=evidence))
