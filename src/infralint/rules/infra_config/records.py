"""What the join derives from the configuration facts: proxy hops, probes, load balancers, launches."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ProxyHop:
    """A proxy or load balancer hop and the paths it carries.

    `paths` are the path patterns routed through it (None: every path the app serves). `timeout`
    is None when the setting is not a literal (never reported). `idle` timeouts only cut
    connections on which nothing is sent for that long; the others are lifetimes."""

    proxy: str
    paths: list[str] | None
    timeout: float | None
    detail: str
    idle: bool
    path: str
    line: int
    #: (when `paths` is None) patterns other hops of the same router take first
    excluded: list[str] = field(default_factory=list)
    #: (nginx) the known endpoints this location carries (nginx picks one location per path)
    carried_endpoints: list[str] | None = None
    #: configuration that says this hop carries WebSockets whatever its paths are called (a backend
    #: that forces `Upgrade: websocket`, WebSocket annotations of an Ingress), shown in the message
    websocket_evidence: str = ""


@dataclass
class Probe:
    """A health probe that calls an HTTP path of the app."""

    kind: str  # readinessProbe, livenessProbe, startupProbe, healthcheck, health check
    owner: str  # `Deployment api, container api`, `google_compute_health_check.api`…
    route: str
    timeout: float | None
    timeout_detail: str
    period: float | None
    period_detail: str
    path: str
    line: int
    liveness: bool = False
    #: GCP rejects timeout > interval; Kubernetes runs overlapping probes: the wording differs
    platform: str = "kubernetes"
    #: where the timeout is written (the probe's own line when it is left at its default)
    timeout_line: int = 0
    #: a healthcheck that runs a script of the repository: its path as the command names it
    script: str = ""
    #: how the route was reached when not directly (`runs scripts/healthcheck.py, which requests /health …`)
    via: str = ""


@dataclass
class LoadBalancer:
    """A load balancer that keeps idle connections to the app open for `idle_timeout` seconds."""

    name: str
    idle_timeout: float | None
    detail: str
    path: str
    line: int


@dataclass
class HeaderIssue:
    """INF602: a proxy hop that breaks the upgrade or drops headers, at a path:line."""

    message: str
    path: str
    line: int


@dataclass
class Launch:
    """An app server and its keep-alive, wherever it is configured."""

    server: str
    keepalive: float | None  # None: the server's default
    worker_class: str
    source: str
    path: str
    line: int
    ws_ping_interval: float | None = None
    ws_ping_disabled: bool = False
    config_file: str = ""
    #: `--keep-alive ${GUNICORN_KEEP_ALIVE:-2}`: the variable a deployment may set (`keepalive` is its default)
    keepalive_var: str = ""
    threads: float | None = None
    #: the keep-alive flag or value is there but not a literal (never guessed)
    keepalive_unresolved: bool = False


@dataclass
class EnvValue:
    """One environment variable a container sets: its text (None: a template or a secret) and line."""

    value: str | None
    line: int


@dataclass
class Container:
    """A container a platform runs (Kubernetes, ECS task definition, compose service, Heroku app)."""

    where: str  # `Deployment api, container api`, `ECS task definition web, container api`…
    path: str
    line: int  # the container (or its `environment`/`env` key, where a missing variable is added)
    env: dict[str, EnvValue] = field(default_factory=dict)
    #: every variable is visible (no `envFrom`, `environmentFiles`, template splice in the list)
    env_complete: bool = True
    serves: bool = False  # exposes a port (a web process, not a migration job)
    launch: Launch | None = None  # what its own command/args start, if a server
    command_words: list[str] = field(default_factory=list)
    platform: str = ""  # platform id it runs on when the container itself evidences it (ECS)


@dataclass
class Marker:
    """A file that evidences a platform and its load balancer (see analysis/platform_defaults.py).
    `idle_timeout` is set when the marker overrides the platform default; `detail` says how."""

    platform: str
    what: str
    path: str
    line: int
    idle_timeout: float | None = None
    detail: str = ""


@dataclass
class Derived:
    """Everything the configuration of a run says, by kind."""

    hops: list[ProxyHop] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    balancers: list[LoadBalancer] = field(default_factory=list)
    header_issues: list[HeaderIssue] = field(default_factory=list)
    launches: list[Launch] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
