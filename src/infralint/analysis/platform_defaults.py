"""Platform defaults as data: what a load balancer or proxy does when the repository does not say.

Real deployments often never declare their load balancer: it is implied by the platform (an ECS
task definition runs behind an Application Load Balancer, a GKE Ingress creates a Google Cloud
load balancer, a Procfile runs behind the Heroku router). Each platform here lists its implied
timeouts — each value with the vendor's documentation for it — and the markers in a repository
that evidence it. Rules that use a value say in their message which platform default applied and
which marker evidenced it. The catalog (`lint_rules/INF605.toml`, `infralint rule INF605`) shows
this table with its sources.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Default:
    """One implied value: seconds, what it is, and the vendor's documentation that states it."""

    seconds: float
    meaning: str
    source: str


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    #: how long the platform keeps an idle connection to the app open for reuse (None: it does not
    #: reuse connections to the app, or the vendor does not document it)
    backend_keepalive: Default | None
    #: how long a request may take before the platform answers with an error (None: no limit documented)
    request_timeout: Default | None
    #: what in a repository evidences the platform
    markers: tuple[str, ...]
    #: how a repository overrides the keep-alive value, if it can
    override: str = ""


AWS_ALB = Platform(
    "aws-alb",
    "AWS Application Load Balancer",
    Default(
        60.0,
        "connection idle timeout, for client and target connections alike (`idle_timeout.timeout_seconds`)",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
    ),
    None,
    (
        "Terraform `aws_lb`/`aws_alb` of type application",
        "Kubernetes Ingress with `ingressClassName: alb` / `kubernetes.io/ingress.class: alb` or `alb.ingress.kubernetes.io/*` annotations",
        "ECS task definition (`containerDefinitions` with `portMappings`): an ECS web service runs behind an ALB",
    ),
    "`alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=N` "
    "(https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/), Terraform `idle_timeout`",
)

GCP_LOAD_BALANCER = Platform(
    "gcp-lb",
    "Google Cloud Application Load Balancer (GKE Ingress)",
    Default(
        600.0,
        "backend keep-alive timeout of the Google Front Ends, fixed (not configurable)",
        "https://cloud.google.com/load-balancing/docs/https/request-distribution",
    ),
    Default(
        30.0,
        "backend service timeout (`timeoutSec`; a GKE Ingress without a BackendConfig `timeoutSec` gets it)",
        "https://cloud.google.com/load-balancing/docs/backend-service#timeout-setting",
    ),
    (
        "Kubernetes Ingress with class `gce`/`gce-internal`, GKE annotations (`kubernetes.io/ingress.global-static-ip-name`, `networking.gke.io/*`)",
        "BackendConfig (`cloud.google.com/v1`) and Services naming one (`cloud.google.com/backend-config`)",
        "Terraform `google_compute_url_map` behind a target HTTP(S) proxy",
    ),
)

INGRESS_NGINX = Platform(
    "ingress-nginx",
    "ingress-nginx controller",
    Default(
        60.0,
        "`upstream-keepalive-timeout`: how long an idle keep-alive connection to an upstream (the pod) stays open",
        "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#upstream-keepalive-timeout",
    ),
    Default(
        60.0,
        "`proxy-read-timeout` / `proxy-send-timeout`: between two reads or writes of the upstream",
        "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#proxy-read-timeout",
    ),
    ("Kubernetes Ingress with class `nginx` or `nginx.ingress.kubernetes.io/*` annotations",),
    "`upstream-keepalive-timeout` in the controller's ConfigMap",
)

HEROKU = Platform(
    "heroku",
    "Heroku router",
    Default(
        90.0,
        "Router 2.0 keeps idle keep-alive connections to web dynos for 90 s",
        "https://devcenter.heroku.com/articles/http-routing#keepalives",
    ),
    Default(
        30.0,
        "request timeout: the first byte of the response within 30 s, then a 55 s rolling window",
        "https://devcenter.heroku.com/articles/http-routing#timeouts",
    ),
    ("`Procfile` with a `web` process", "`app.json` (Heroku app manifest)"),
)

CLOUD_RUN = Platform(
    "cloud-run",
    "Cloud Run",
    None,
    Default(
        300.0,
        "request timeout, default 5 minutes (up to 60)",
        "https://cloud.google.com/run/docs/configuring/request-timeout",
    ),
    ("Knative Service YAML (`serving.knative.dev`)", "`gcloud run deploy`", "Terraform `google_cloud_run_service`/`google_cloud_run_v2_service`"),
)

PLATFORMS: dict[str, Platform] = {p.id: p for p in (AWS_ALB, GCP_LOAD_BALANCER, INGRESS_NGINX, HEROKU, CLOUD_RUN)}


def keepalive_of(platform_id: str) -> Default | None:
    return PLATFORMS[platform_id].backend_keepalive


#: the rules whose findings use these defaults (their documentation pages show the table)
RULES_USING = ("INF605",)


def markdown_table() -> str:
    """The table as the rules read it, each value with its source (rendered into the rule pages)."""

    def cell(default: Default | None) -> str:
        return "—" if default is None else f"{default.seconds:g} s: {default.meaning} (<{default.source}>)"

    rows = [
        f"| {p.name} | {cell(p.backend_keepalive)} | {cell(p.request_timeout)} | {'; '.join(p.markers)} |" for p in PLATFORMS.values()
    ]
    return "| platform | idle keep-alive to the app | request timeout | markers |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
