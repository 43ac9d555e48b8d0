"""Per-file fact extractors for deployment configuration (registered with the project model).

Each extractor reads one file with its format reader and keeps what the INF6xx rules may need;
a file that cannot be read yields a `ReadNote` (shown with `--debug`), never an error.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from typing import TYPE_CHECKING

from ...project import Fact, PythonFile, file_extractor, python_extractor
from .facts import NginxTree, ReadNote, ServerLaunch, TerraformBlock, YamlDocument, file_name

if TYPE_CHECKING:
    from ...formats import commands as launch_commands

# The readers (`formats`) and their encoding are imported by the extractors of configuration
# files: a run over Python files alone never loads them.

#: the Terraform resources the rules read (others are not kept in the facts)
TERRAFORM_TYPES = frozenset(
    {
        "google_compute_backend_service",
        "google_compute_region_backend_service",
        "google_compute_url_map",
        "google_compute_region_url_map",
        "google_compute_target_http_proxy",
        "google_compute_target_https_proxy",
        "google_compute_region_target_http_proxy",
        "google_compute_region_target_https_proxy",
        "google_compute_health_check",
        "google_compute_region_health_check",
        "google_compute_http_health_check",
        "google_compute_https_health_check",
        "google_compute_region_network_endpoint_group",
        "google_cloud_run_v2_service",
        "google_cloud_run_service",
        "aws_lb",
        "aws_alb",
    }
)

#: YAML documents the rules read: workloads (probes, command lines), proxies, GKE/Knative objects
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job", "CronJob"})
PROXY_KINDS = frozenset({"Ingress", "BackendConfig", "Service"})

NGINX_FOLDERS = ("nginx", "conf.d", "sites-available", "sites-enabled", "http.d")


def is_nginx_path(path: str) -> bool:
    """`nginx.conf`, or a `.conf` file in a folder nginx configuration lives in."""
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.name.lower().startswith(("dockerfile", "containerfile")):
        return False  # `Dockerfile.nginx` builds the nginx image; it is not its configuration
    if pure.name == "nginx.conf" or pure.name.endswith(".nginx") or pure.name.endswith(".nginx.conf"):
        return True
    return pure.suffix == ".conf" and any(part in NGINX_FOLDERS or part.startswith("nginx") for part in pure.parts[:-1])


@file_extractor("*.tf")
def terraform_facts(path: str, text: str) -> Iterable[Fact]:
    from ...formats.terraform import TerraformSyntaxError, read_terraform
    from .encoding import encode_block

    try:
        parsed = read_terraform(text, path)
    except TerraformSyntaxError as exc:
        yield ReadNote(path, exc.line, message=f"skipped: {exc}")
        return
    for block in parsed.blocks:
        keep = block.type in ("variable", "locals") or (block.type == "resource" and block.labels[:1] and block.labels[0] in TERRAFORM_TYPES)
        if keep:
            yield TerraformBlock(path, block.line, block=encode_block(block))


#: template suffixes an nginx file may carry (`nginx.conf.j2`, `site.conf.tmpl`)
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".template", ".tpl")


@file_extractor("*.conf", "*.nginx", "*.conf.j2", "*.conf.jinja", "*.conf.jinja2", "*.conf.tmpl", "*.conf.template", "*.nginx.j2", "*.tpl")
def nginx_facts(path: str, text: str) -> Iterable[Fact]:
    bare = path
    for suffix in _TEMPLATE_SUFFIXES:
        if bare.endswith(suffix):
            bare = bare[: -len(suffix)]
            break
    from ...formats.nginx import NginxSyntaxError, looks_like_nginx, read_nginx_fragment

    if path.endswith(".tpl"):
        if not looks_like_nginx(text):
            return  # a Helm `.tpl` holds nginx only sometimes (a `define` of a whole nginx.conf)
    elif bare != path:
        if not is_nginx_path(bare) and not looks_like_nginx(text):
            return
    elif not is_nginx_path(path):
        return
    from .encoding import encode_directives

    try:
        parsed = read_nginx_fragment(text, path)
    except NginxSyntaxError as exc:
        yield ReadNote(path, exc.line, message=f"skipped: {exc}")
        return
    yield NginxTree(path, 1, directives=encode_directives(parsed.directives))


@file_extractor("*.yaml", "*.yml")
def embedded_nginx_facts(path: str, text: str) -> Iterable[Fact]:
    """nginx held in YAML block scalars: ConfigMap `nginx.conf: |`, Helm values snippets
    (`extraServerConf: |`, `server-snippet` annotations), read even from Helm templates."""
    if "proxy_pass" not in text:
        return
    from ...formats.nginx import NginxSyntaxError, embedded_nginx, read_nginx_fragment
    from .encoding import encode_directives

    for found in embedded_nginx(text):
        try:
            parsed = read_nginx_fragment(found.text, path, found.first_line)
        except NginxSyntaxError as exc:
            yield ReadNote(path, found.first_line, message=f"nginx in `{found.key_path}` skipped: {exc}")
            continue
        yield NginxTree(path, found.first_line, directives=encode_directives(parsed.directives), key=f"{found.key_path}@{found.first_line}")


@file_extractor("*.yaml", "*.yml")
def yaml_facts(path: str, text: str) -> Iterable[Fact]:
    if not _may_matter(text, path):
        return
    from ...formats.yaml_docs import TemplatedFile, YamlSyntaxError, YMap, read_yaml
    from .encoding import encode_yaml

    try:
        documents = read_yaml(text, path)
    except (TemplatedFile, YamlSyntaxError) as exc:
        yield ReadNote(path, getattr(exc, "line", 1), message=f"skipped: {exc}")
        return
    for document in documents:
        if not isinstance(document, YMap):
            continue
        kind = document.get("kind")
        if kind in WORKLOAD_KINDS or kind in PROXY_KINDS:
            yield YamlDocument(path, document.line, doc_kind=str(kind), document=encode_yaml(document))
        elif kind is None and isinstance(document.get("services"), YMap):
            yield YamlDocument(path, document.line, doc_kind="compose", document=encode_yaml(document))
        elif kind is None and is_helm_values(path) and _PROBE_KEY_RE.search(text):
            yield YamlDocument(path, document.line, doc_kind="helm-values", document=encode_yaml(document))


_YAML_HINT_RE = re.compile(r"^(kind:|services:)", re.MULTILINE)
_PROBE_KEY_RE = re.compile(r"^\s*(liveness|readiness|startup)Probe:", re.MULTILINE)
_HELM_VALUES_RE = re.compile(r"^values([.-][\w.-]+)?\.ya?ml$")


def is_helm_values(path: str) -> bool:
    """A Helm chart's `values.yaml` (or `values-production.yaml`): plain YAML whose probe blocks the
    chart's templates splice into its workloads."""
    return bool(_HELM_VALUES_RE.match(PurePosixPath(path.replace("\\", "/")).name))


def _may_matter(text: str, path: str = "") -> bool:
    """A cheap test before parsing: CI workflows, OpenAPI specs and the like have neither key."""
    return bool(_YAML_HINT_RE.search(text)) or (is_helm_values(path) and bool(_PROBE_KEY_RE.search(text)))


@file_extractor("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile")
def dockerfile_facts(path: str, text: str) -> Iterable[Fact]:
    from ...formats import commands as launch_commands

    for launch in launch_commands.dockerfile_launches(text, path):
        fact = _launch_fact(launch, "Dockerfile CMD/ENTRYPOINT")
        if fact is not None:
            yield fact


@file_extractor("Procfile")
def procfile_facts(path: str, text: str) -> Iterable[Fact]:
    from ...formats import commands as launch_commands

    for launch in launch_commands.procfile_launches(text, path):
        fact = _launch_fact(launch, "Procfile")
        if fact is not None:
            yield fact


def _launch_fact(launch: launch_commands.ServerLaunch, source: str) -> ServerLaunch | None:
    if launch.keepalive_unresolved:
        return None  # `--keep-alive $KEEPALIVE`: set at deploy time, never guessed
    return ServerLaunch(
        launch.path,
        launch.line,
        server=launch.server,
        keepalive=launch.keepalive,
        worker_class=launch.worker_class or "",
        config_file=launch.config_file or "",
        ws_ping_interval=launch.ws_ping_interval,
        ws_ping_disabled=launch.ws_ping_disabled,
        source=source,
    )


from . import healthchecks  # noqa: E402,F401 - registers the healthcheck extractors (Dockerfile, scripts)
from . import cloud_run  # noqa: E402,F401 - registers the `gcloud run deploy` extractors (scripts, CI YAML, Python)
from . import budget_hook  # noqa: E402,F401 - answers the project queries other families ask (probe deadlines)

# -- Python: gunicorn configuration files and uvicorn.run(...) ------------------------------------

GUNICORN_CONFIG_NAMES = ("gunicorn.conf.py", "gunicorn_conf.py", "gunicorn_config.py")


@python_extractor
def python_launch_facts(file: PythonFile) -> Iterable[Fact]:
    name = file_name(file.path)
    text = file.source.text
    if name in GUNICORN_CONFIG_NAMES:
        yield from _gunicorn_config(file)
    if "uvicorn" in text and "run" in text:
        yield from _uvicorn_runs(file)


def _gunicorn_config(file: PythonFile) -> Iterable[Fact]:
    """Module-level `keepalive = N` / `worker_class = "…"` (literal values only)."""
    values: dict[str, tuple[object, int]] = {}
    computed: set[str] = set()
    for statement in file.source.tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            name = statement.targets[0].id
            if isinstance(statement.value, ast.Constant):
                values[name] = (statement.value.value, statement.lineno)
                computed.discard(name)
            else:
                computed.add(name)  # `keepalive = int(os.environ["KEEPALIVE"])`: never guessed
    if "keepalive" in computed:
        return
    keepalive, keepalive_line = values.get("keepalive", (None, 0))
    worker_class, _ = values.get("worker_class", ("", 0))
    number = float(keepalive) if isinstance(keepalive, (int, float)) and not isinstance(keepalive, bool) else None
    yield ServerLaunch(
        file.path,
        keepalive_line or 1,
        server="gunicorn",
        keepalive=number,
        worker_class=worker_class if isinstance(worker_class, str) else "",
        source="gunicorn configuration file",
    )


def _uvicorn_runs(file: PythonFile) -> Iterable[Fact]:
    for node in ast.walk(file.source.tree):
        if not isinstance(node, ast.Call) or (file.names.qualify(node.func) or ("",))[0] != "uvicorn.run":
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if any(k.arg is None for k in node.keywords):
            continue  # **settings: what it passes cannot be known here
        keepalive = _literal_number(keywords.get("timeout_keep_alive"))
        if "timeout_keep_alive" in keywords and keepalive is None:
            continue  # set from a variable: not guessed
        ping = keywords.get("ws_ping_interval")
        disabled = isinstance(ping, ast.Constant) and ping.value is None
        yield ServerLaunch(
            file.path,
            node.lineno,
            server="uvicorn",
            keepalive=keepalive,
            ws_ping_interval=_literal_number(ping),
            ws_ping_disabled=disabled,
            source="uvicorn.run()",
        )


def _literal_number(node) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    return None
