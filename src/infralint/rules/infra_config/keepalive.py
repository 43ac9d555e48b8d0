"""INF605's join: every app server's effective keep-alive against the load balancer in front of it.

The servers: command lines (shell scripts, Dockerfile, Procfile, compose, Kubernetes, ECS),
gunicorn configuration modules, `uvicorn.run(...)`, and — when the start command is not in the
repository — keep-alive environment variables a platform sets (`GUNICORN_KEEP_ALIVE`,
`UVICORN_TIMEOUT_KEEP_ALIVE`, `GUNICORN_CMD_ARGS`). A setting can live in one file and its default
in another (`--keep-alive ${GUNICORN_KEEP_ALIVE:-2}` in a script, the variable in a task
definition). The balancers: those the configuration declares (Terraform) and those a platform
implies (analysis/platform_defaults.py), joined within one deployment (the repository a file is
in). A keep-alive equal to the balancer's idle timeout still races: it must be strictly longer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ...analysis.platform_defaults import PLATFORMS
from ...formats.commands import cmd_args_launch, shell_default
from ...formats.values import format_seconds
from .launch_sites import GunicornConfig, LaunchSite, PlatformMarker
from .records import Container, Launch

KEEPALIVE_DEFAULTS = {"gunicorn": 2.0, "uvicorn": 5.0, "hypercorn": 5.0}
KEEPALIVE_SETTING = {"gunicorn": "keepalive", "uvicorn": "timeout_keep_alive", "hypercorn": "keep_alive_timeout"}
#: gunicorn worker classes that keep connections alive (the default `sync` worker does not)
PERSISTENT_WORKERS = ("gthread", "gevent", "eventlet", "tornado", "uvicorn", "UvicornWorker", "UvicornH11Worker")
_KEEPALIVE_ENV_RE = re.compile(r"^(GUNICORN|UVICORN|HYPERCORN)_(?:TIMEOUT_)?KEEP_?ALIVE(?:_TIMEOUT)?$", re.IGNORECASE)
_KEEPALIVE_FLAGS = ("--keep-alive", "--timeout-keep-alive", "--keepalive")


@dataclass
class Balancer:
    name: str
    idle: float
    where: str  # `path:line`
    how: str  # the setting or the platform default, with its source
    #: a router in front of the processes a Procfile starts is not in front of a Dockerfile's
    #: command or a development `uvicorn.run()`: the launch sources it reaches (None: all)
    reaches: tuple[str, ...] | None = None
    path: str = ""  # the file that declares or implies it

    def nearness(self, path: str) -> int:
        """How many folders its file shares with `path`: of two platforms' routers with the same
        timeout, a Procfile's process is behind its own Procfile's, not a sibling service's."""
        shared = 0
        for mine, theirs in zip(PurePosixPath(self.path).parent.parts, PurePosixPath(path).parent.parts):
            if mine != theirs:
                break
            shared += 1
        return shared


#: what a Procfile (or app.json) platform runs: the Procfile's commands, the scripts and gunicorn
#: configuration modules they start, the app's own environment
_PROCFILE_REACH = ("Procfile", "shell script", "gunicorn configuration module", "Heroku app (app.json)")


@dataclass
class Result:
    path: str
    line: int
    message: str


def keepalive_findings(infra, project) -> list[Result]:
    scope = project.repository_of  # evidence joins within one deployment

    markers = project.facts(PlatformMarker)
    sites = project.facts(LaunchSite)
    configs = project.facts(GunicornConfig)
    project.note(*markers, *sites, *configs)

    balancers: dict[str, list[Balancer]] = {}
    for lb in infra.derived.balancers:
        if lb.idle_timeout is not None:
            balancers.setdefault(scope(lb.path), []).append(Balancer(f"`{lb.name}`", lb.idle_timeout, f"{lb.path}:{lb.line}", lb.detail, path=lb.path))
    for marker in [*infra.derived.markers, *(_marker_record(m) for m in markers)]:
        platform = PLATFORMS[marker.platform]
        default = platform.backend_keepalive
        if marker.idle_timeout is not None:
            how = marker.detail
            idle = marker.idle_timeout
        elif default is not None:
            idle = default.seconds
            how = f"{platform.name} default, {default.meaning}: {default.source}; {marker.detail}"
        else:
            continue
        reaches = _PROCFILE_REACH if marker.platform == "heroku" else None
        balancers.setdefault(scope(marker.path), []).append(
            Balancer(f"the {platform.name} ({marker.what})", idle, f"{marker.path}:{marker.line}", how, reaches, path=marker.path)
        )

    def front(path: str, source: str = "") -> Balancer | None:
        found = [b for b in balancers.get(scope(path), []) if b.reaches is None or any(source.startswith(r) for r in b.reaches)]
        return max(found, key=lambda b: (b.idle, b.nearness(path))) if found else None

    launches: list[Launch] = [l for l in infra.derived.launches if l.source != "gunicorn configuration file"]
    launches += [
        Launch(s.server, s.keepalive, s.worker_class, s.source, s.file, s.line, config_file=s.config_file, keepalive_var=s.keepalive_var, threads=s.threads, keepalive_unresolved=s.keepalive_unresolved)
        for s in sites
    ]
    containers = infra.derived.containers
    results: list[Result] = []
    handled_env: set[tuple[str, int]] = set()

    def in_scope(path: str) -> list[Container]:
        key = scope(path)
        return [c for c in containers if scope(c.path) == key]

    def judge(server: str, worker: str, keepalive: float, detail: str, path: str, line: int, balancer: Balancer | None) -> None:
        if balancer is None or keepalive > balancer.idle:
            return
        results.append(Result(path, line, _message(server, worker, keepalive, detail, balancer)))

    def with_variable(server: str, worker: str, var: str, default: float | None, setting: str, path: str, line: int, source: str) -> None:
        """A keep-alive read from `var` (default `default`): judged where each container sets or lacks it."""
        balancer = front(path, source)
        for container in in_scope(path):
            if _explicit_flag(container):
                continue
            value = container.env.get(var)
            if value is not None:
                handled_env.add((container.path, value.line))
                seconds = _seconds(value.value)
                if seconds is not None:
                    judge(server, worker, seconds, f"{var}={value.value} in {container.where}, read by {path}:{line}", container.path, value.line, balancer)
            elif container.serves and container.env_complete and default is not None and _runs_this(container, path):
                judge(server, worker, default, f"{container.where} does not set {var}, so {path}:{line} falls back to {setting} = {default:g}", container.path, container.line, balancer)
        # no container in view says anything about `var`: the deployment sets it where this run cannot see

    # -- command lines -------------------------------------------------------------------------
    for launch in launches:
        if launch.server not in KEEPALIVE_DEFAULTS:
            continue
        setting = KEEPALIVE_SETTING[launch.server]
        worker = ""
        if launch.server == "gunicorn":
            if launch.keepalive is None and not launch.keepalive_var and launch.config_file:
                continue  # the configuration module decides (judged below), or it is not in the run
            if launch.keepalive is None and not launch.keepalive_var and _config_for(launch.config_file, launch.path, configs, scope):
                continue
            worker = _worker(launch.worker_class, launch.threads)
            if worker is None:
                continue
        if launch.keepalive_unresolved:
            continue
        if launch.keepalive_var:
            with_variable(launch.server, worker or "", launch.keepalive_var, launch.keepalive, f"`{setting}`", launch.path, launch.line, launch.source)
            continue
        if launch.keepalive is not None:
            judge(launch.server, worker or "", launch.keepalive, f"{setting} = {launch.keepalive:g}", launch.path, launch.line, front(launch.path, launch.source))
        else:
            if launch.server == "uvicorn" and _env_sets(launch.path, "UVICORN_TIMEOUT_KEEP_ALIVE", in_scope):
                continue  # the uvicorn command line reads UVICORN_TIMEOUT_KEEP_ALIVE: judged there
            default = KEEPALIVE_DEFAULTS[launch.server]
            judge(launch.server, worker or "", default, f"{setting} unset; {launch.server} default {format_seconds(default)}", launch.path, launch.line, front(launch.path, launch.source))

    # -- gunicorn configuration modules ----------------------------------------------------------
    for config in configs:
        referencing = [l for l in launches if l.server == "gunicorn" and l.config_file and _same_file(l.config_file, config.file)]
        if referencing and all(l.keepalive is not None or l.keepalive_var for l in referencing):
            continue  # every command line sets the keep-alive itself
        if config.worker_class_computed:
            continue
        cli_worker = next((l.worker_class for l in referencing if l.worker_class), "")
        worker_name = config.worker_class or cli_worker
        threads = config.threads or next((l.threads for l in referencing if l.threads), None)
        balancer = front(config.file, "gunicorn configuration module")
        subclass = _uvicorn_subclass(worker_name, config.uvicorn_workers)
        if subclass is not None:
            kwargs = config.uvicorn_workers[subclass]
            if kwargs is not None:
                if not math.isnan(kwargs):
                    judge("gunicorn", subclass, kwargs, f"{subclass}.CONFIG_KWARGS timeout_keep_alive = {kwargs:g}", config.file, config.worker_class_line or 1, balancer)
                continue
            worker = subclass
        elif _native_asgi(worker_name):
            if config.keepalive is not None and not config.keepalive_computed:
                results.append(Result(config.file, config.worker_class_line or 1, _asgi_message(config, balancer)))
            elif balancer is not None and not config.keepalive_computed:
                results.append(Result(config.file, 1, _asgi_message(config, balancer)))
            continue
        else:
            worker = _worker(worker_name, threads)
            if worker is None:
                continue
        if config.keepalive_computed:
            continue
        if config.keepalive_var:
            with_variable("gunicorn", worker, config.keepalive_var, config.keepalive, "`keepalive`", config.file, config.keepalive_line, "gunicorn configuration module")
        elif config.keepalive is not None:
            judge("gunicorn", worker, config.keepalive, f"keepalive = {config.keepalive:g}", config.file, config.keepalive_line, balancer)
        else:
            judge("gunicorn", worker, 2.0, "keepalive unset; gunicorn default 2 s", config.file, 1, balancer)

    # -- keep-alive settings in a platform's environment, the start command elsewhere ----------------
    for container in containers:
        balancer = front(container.path, container.where)
        if balancer is None or _explicit_flag(container) or (container.launch is not None and not container.launch.keepalive_var):
            continue
        for name, value in container.env.items():
            if (container.path, value.line) in handled_env:
                continue
            server = name.split("_", 1)[0].lower()
            if _KEEPALIVE_ENV_RE.match(name):
                seconds = _seconds(value.value)
                if seconds is not None:
                    judge(server, "", seconds, f"{name}={value.value} in {container.where}", container.path, value.line, balancer)
            elif name.upper() in ("GUNICORN_CMD_ARGS", "UVICORN_CMD_ARGS") and value.value:
                parsed = cmd_args_launch(server, value.value, container.path, value.line)
                if parsed is not None and parsed.keepalive is not None:
                    judge(server, "", parsed.keepalive, f"{name} passes --keep-alive {parsed.keepalive:g} in {container.where}", container.path, value.line, balancer)
        uvicorn_vars = sorted(n for n in container.env if n.upper().startswith("UVICORN_"))
        if (
            uvicorn_vars
            and "UVICORN_TIMEOUT_KEEP_ALIVE" not in container.env
            and container.env_complete
            and container.launch is None
            and not any(l.server == "uvicorn" for l in launches if scope(l.path) == scope(container.path))
        ):
            judge(
                "uvicorn", "", KEEPALIVE_DEFAULTS["uvicorn"],
                f"uvicorn's default; the command is not in the repository, but {container.where} sets {uvicorn_vars[0]} (uvicorn reads UVICORN_* settings) and not UVICORN_TIMEOUT_KEEP_ALIVE",
                container.path, container.line, balancer,
            )  # fmt: skip
    return results


def _marker_record(fact: PlatformMarker):
    from .records import Marker

    return Marker(fact.platform, fact.what, fact.file, fact.line, None, fact.detail)


def _worker(worker_class: str, threads: float | None) -> str | None:
    """The gunicorn worker class that runs, or None when it keeps no connection alive (`sync`)."""
    worker = shell_default(worker_class)[1] or worker_class if worker_class else ""
    if not worker or worker == "sync":
        return "gthread" if threads and threads > 1 else None
    if any(w in worker for w in PERSISTENT_WORKERS):
        return worker
    return None


def _native_asgi(worker: str) -> bool:
    return worker in ("asgi", "gunicorn.workers.gasgi.ASGIWorker") or worker.endswith(".ASGIWorker")


def _uvicorn_subclass(worker: str, classes: dict) -> str | None:
    if not worker:
        return None
    for name in classes:
        if worker == name or worker.endswith("." + name):
            return name
    return None


def _same_file(reference: str, path: str) -> bool:
    ref = reference.replace("\\", "/")
    if ref.startswith("python:"):
        ref = ref[len("python:") :].replace(".", "/") + ".py"
    return PurePosixPath(ref).name == PurePosixPath(path.replace("\\", "/")).name


def _config_for(reference: str, launch_path: str, configs: list[GunicornConfig], scope) -> bool:
    return any(_same_file(reference, c.file) and scope(c.file) == scope(launch_path) for c in configs)


def _seconds(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def _explicit_flag(container: Container) -> bool:
    """The container's own command passes a keep-alive flag: it wins over any variable."""
    return any(w.split("=", 1)[0] in _KEEPALIVE_FLAGS for w in container.command_words)


def _runs_this(container: Container, path: str) -> bool:
    """Whether a container may run the launch at `path` (it starts no other server itself)."""
    return container.launch is None


def _env_sets(path: str, var: str, in_scope) -> bool:
    return any(var in c.env for c in in_scope(path))


def _message(server: str, worker: str, keepalive: float, detail: str, balancer: Balancer) -> str:
    who = f"{server} ({worker} workers)" if worker else server
    if keepalive == balancer.idle:
        race = (
            f"equal to the idle timeout of {balancer.name} ({balancer.where}; {format_seconds(balancer.idle)}: {balancer.how}): both close the "
            f"connection at the same moment, so the balancer can still send a request down a connection the server is closing"
        )
        return f"{who} closes idle connections after {format_seconds(keepalive)} ({detail}), {race} — it fails with 502; set it above {format_seconds(balancer.idle)}"
    return (
        f"{who} closes idle connections after {format_seconds(keepalive)} ({detail}) but {balancer.name} ({balancer.where}) keeps them for reuse "
        f"up to {format_seconds(balancer.idle)} ({balancer.how}): requests it sends on a connection the server has just closed fail with 502; "
        f"set the keep-alive above {format_seconds(balancer.idle)}"
    )


def _asgi_message(config: GunicornConfig, balancer: Balancer | None) -> str:
    ignored = f"`keepalive = {config.keepalive:g}` (line {config.keepalive_line}) is ignored" if config.keepalive is not None else "no keep-alive setting reaches it"
    behind = (
        f"; {balancer.name} ({balancer.where}) reuses idle connections for {format_seconds(balancer.idle)} ({balancer.how})"
        if balancer is not None
        else "; a keep-alive set above the default says a load balancer reuses these connections"
    )
    return (
        f"gunicorn's native `asgi` worker class does not apply gunicorn's `keepalive`: {ignored}{behind}, and requests it sends "
        f"on a connection the server has closed fail with 502; run uvicorn's worker (`uvicorn_worker.UvicornWorker`, whose "
        f"`timeout_keep_alive` follows `keepalive` or its `CONFIG_KWARGS`) with a keep-alive above the balancer's"
    )
