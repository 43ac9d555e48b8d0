"""Health checks that run a command: a compose `healthcheck.test`, a Dockerfile `HEALTHCHECK`.

The command reaches an HTTP route of the app directly (`curl -f http://localhost:8000/health`,
`wget -qO- …`, `python -c "…urlopen('http://127.0.0.1:8000/ready')…"`) or through a script of the
repository (`python /app/scripts/healthcheck.py`) that requests a local URL: the script is found
among the run's Python files by the tail of its path, and the route it requests is read from it
(`ProbeScript` facts). Docker waits `--timeout` (default 30 s) for the command.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from ...formats.values import format_seconds, parse_duration
from ...project import Fact, PythonFile, file_extractor, python_extractor
from .facts import DockerHealthcheck, HealthCheckApps, ProbeScript
from .records import Probe

DOCKER_HEALTH_DEFAULT = 30.0  # Dockerfile HEALTHCHECK: --interval and --timeout default to 30s

#: a URL of the app itself, as a healthcheck inside its container requests it
LOCAL_URL_RE = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::[0-9A-Za-z_${}]*)?(/[^\s\"'?#|;&)]*)?")
_ANY_URL_RE = re.compile(r"https?://[^\s\"'/]+(/[^\s\"'|;&]*)?")
_HTTP_CLIENT_HINTS = ("requests", "urllib", "httpx", "http.client", "urlopen", "aiohttp")
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")


# -- the command a healthcheck runs ---------------------------------------------------------------


def command_target(words: list[str]) -> tuple[str | None, str | None]:
    """(route, script): the local route the command requests, or the Python script it runs."""
    for word in words:
        match = LOCAL_URL_RE.search(word)
        if match:
            return (match.group(1) or "/").split("?")[0], None
    if any(posixpath.basename(w) in ("curl", "wget") for w in words):
        for word in words:
            match = _ANY_URL_RE.search(word)
            if match:
                return (match.group(1) or "/").split("?")[0], None
    for index, word in enumerate(words):
        if not _PYTHON.match(posixpath.basename(word)):
            continue
        rest = words[index + 1 :]
        while rest and rest[0].startswith("-") and rest[0] not in ("-m", "-c"):
            rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "-m":
            return None, rest[1].replace(".", "/") + ".py"
        if rest and rest[0].endswith(".py"):
            return None, rest[0]
    for word in words:
        if word.endswith(".py") and "/" in word:
            return None, word  # an executable script: `/app/healthcheck.py`
    return None, None


def script_routes(project, script: str, near: str) -> tuple[ProbeScript, str, int] | None:
    """The run's Python file a healthcheck's script path names (the longest matching path tail;
    among several, the one nearest the file that runs it, when only one is), and the first local
    route it requests."""
    parts = [p for p in script.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        return None
    candidates = [f for f in project.facts(ProbeScript) if f.routes]
    for size in range(len(parts), 0, -1):
        tail = "/".join(parts[-size:])
        found = [f for f in candidates if f.file.replace("\\", "/") == tail or f.file.replace("\\", "/").endswith("/" + tail)]
        if len(found) > 1:
            shared = [_shared_folders(f.file, near) for f in found]
            best = max(shared)
            found = [f for f, n in zip(found, shared) if n == best]
        if len(found) == 1:
            project.note(found[0])
            route, line = found[0].routes[0]
            return found[0], route, line
        if found:
            return None  # several scripts of that name, none nearer: not guessed
    return None


def _shared_folders(one: str, other: str) -> int:
    a = one.replace("\\", "/").split("/")[:-1]
    b = other.replace("\\", "/").split("/")[:-1]
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count


def resolve_scripts(probes: list[Probe], project) -> None:
    """Give each healthcheck that runs a script the route the script requests (others are dropped)."""
    kept = []
    for probe in probes:
        if probe.script and not probe.route:
            found = script_routes(project, probe.script, probe.path)
            if found is None:
                continue
            fact, route, line = found
            probe.route = route
            probe.via = f"runs `{probe.script}`, which requests {route} ({fact.file}:{line})"
        kept.append(probe)
    probes[:] = kept


# -- Dockerfile HEALTHCHECK ---------------------------------------------------------------------------

_HEALTHCHECK_RE = re.compile(r"^\s*(FROM|HEALTHCHECK)\b\s*(.*)$", re.IGNORECASE)


@file_extractor("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile")
def dockerfile_health_facts(path: str, text: str) -> Iterable[Fact]:
    if "HEALTHCHECK" not in text.upper():
        return
    from ...formats.commands import split_shell

    last = None
    for line, instruction, rest in _logical_lines(text):
        if instruction == "FROM":
            last = None  # a healthcheck belongs to its stage; only the last stage runs
            continue
        options: dict[str, str] = {}
        words = split_shell(rest)
        while words and words[0].startswith("--"):
            name, _, value = words.pop(0)[2:].partition("=")
            options[name] = value
        if not words or words[0].upper() == "NONE":
            last = None
            continue
        if words[0].upper() == "CMD":
            words = words[1:]
        if words and words[0].startswith("["):
            import json

            try:
                exec_form = json.loads(rest[rest.index("[") :])
                words = [str(w) for w in exec_form] if isinstance(exec_form, list) else words
            except ValueError:
                pass
        last = DockerHealthcheck(path, line, command=words, options=options)
    if last is not None:
        yield last


def _logical_lines(text: str):
    from ...formats.commands import logical_lines

    for first, _, logical in logical_lines(text):
        match = _HEALTHCHECK_RE.match(logical)
        if match:
            yield first, match.group(1).upper(), match.group(2)


def docker_probe(fact: DockerHealthcheck) -> Probe | None:
    route, script = command_target([str(w) for w in fact.command])
    if route is None and script is None:
        return None
    timeout, timeout_detail = _option(fact.options, "timeout")
    period, period_detail = _option(fact.options, "interval")
    return Probe(
        "HEALTHCHECK", fact.file, route or "", timeout, timeout_detail, period, period_detail,
        fact.file, fact.line, liveness=True, platform="docker", timeout_line=fact.line, script=script or "",
    )


def _option(options: dict, name: str) -> tuple[float | None, str]:
    if name not in options:
        return DOCKER_HEALTH_DEFAULT, f"--{name} unset; default {format_seconds(DOCKER_HEALTH_DEFAULT)}"
    return parse_duration(options[name]), f"--{name}={options[name]}"


# -- Python: scripts that request the app, django-health-check plugins --------------------------------


@python_extractor
def probe_script_facts(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    if "://" not in text or not any(hint in text for hint in _HTTP_CLIENT_HINTS):
        return
    routes = []
    for match in LOCAL_URL_RE.finditer(text):
        route = (match.group(1) or "/").split("?")[0]
        routes.append([route, text.count("\n", 0, match.start()) + 1])
    if routes:
        yield ProbeScript(file.path, routes[0][1], routes=routes[:8])


_HEALTH_APP_RE = re.compile(r"""["'](health_check(?:\.[A-Za-z_0-9]+)+)["']""")


@python_extractor
def health_apps_facts(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    if "health_check." not in text:
        return
    apps = []
    for match in _HEALTH_APP_RE.finditer(text):
        if match.group(1).startswith("health_check.urls"):
            continue
        apps.append([match.group(1), text.count("\n", 0, match.start()) + 1])
    if apps:
        yield HealthCheckApps(file.path, apps[0][1], apps=apps)
