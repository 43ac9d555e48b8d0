"""Where app servers are started and configured, and what evidences the platform in front of them.

Facts per file (cached with it), for INF605:

- shell scripts (`start.sh`, `run-docker.sh`, `docker-entrypoint.sh`): every gunicorn/uvicorn
  command line, with shell defaults (`--keep-alive ${GUNICORN_KEEP_ALIVE:-2}`: the variable a
  deployment may set, and what runs when it does not);
- gunicorn configuration modules (`gunicorn.conf.py`, `guniconf.py`, any module that sets gunicorn
  settings): `keepalive`, `worker_class`, `threads` — literal values, values read from the
  environment with a literal default (`env.int("KEEPALIVE", default=75)`), settings inside `if`
  blocks (`if in_production: keepalive = 75` counts as set), and UvicornWorker subclasses whose
  `CONFIG_KWARGS` set `timeout_keep_alive`;
- JSON: ECS task definitions and Heroku `app.json`, kept as YAML documents (their lines too);
- Procfile `web` processes (the Heroku router in front);
- Jinja-templated manifests (`*.yaml.j2`), read as the YAML reader reads templates.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ...project import Fact, PythonFile, fact_kind, file_extractor, python_extractor
from .facts import ReadNote, YamlDocument, file_name


@fact_kind("infra.launch_site")
@dataclass
class LaunchSite(Fact):
    """A server command line in a shell script (see the module docstring)."""

    server: str = ""
    keepalive: float | None = None
    keepalive_var: str = ""
    keepalive_unresolved: bool = False
    worker_class: str = ""
    config_file: str = ""
    threads: float | None = None
    source: str = ""


@fact_kind("infra.gunicorn_config")
@dataclass
class GunicornConfig(Fact):
    """The gunicorn settings a Python configuration module sets (None: left at the default)."""

    keepalive: float | None = None
    keepalive_line: int = 0
    keepalive_var: str = ""
    keepalive_computed: bool = False  # set from something that is not a literal: never guessed
    worker_class: str = ""
    worker_class_line: int = 0
    worker_class_computed: bool = False
    threads: float | None = None
    #: UvicornWorker subclasses defined here: class name → `CONFIG_KWARGS["timeout_keep_alive"]` (None: unset)
    uvicorn_workers: dict = field(default_factory=dict)


@fact_kind("infra.platform_marker")
@dataclass
class PlatformMarker(Fact):
    """A file that evidences a platform (analysis/platform_defaults.py) outside YAML documents."""

    platform: str = ""
    what: str = ""
    detail: str = ""


# -- shell scripts -------------------------------------------------------------------------------

_SERVER_RE = re.compile(r"\b(?:gunicorn|uvicorn|hypercorn)\b")


@file_extractor("*.sh", "*.bash", "entrypoint", "docker-entrypoint", "start", "run")
def shell_launch_facts(path: str, text: str) -> Iterable[Fact]:
    if not _SERVER_RE.search(text):
        return
    from ...formats.commands import shell_launches

    for launch in shell_launches(text, path):
        yield LaunchSite(
            path,
            launch.line,
            server=launch.server,
            keepalive=launch.keepalive,
            keepalive_var=launch.keepalive_var or "",
            keepalive_unresolved=launch.keepalive_unresolved and not launch.keepalive_var,
            worker_class=launch.worker_class or "",
            config_file=launch.config_file or "",
            threads=launch.threads,
            source="shell script",
        )


# -- Procfile: the Heroku router -------------------------------------------------------------------

_WEB_RE = re.compile(r"^web\s*:", re.MULTILINE)


@file_extractor("Procfile")
def procfile_marker(path: str, text: str) -> Iterable[Fact]:
    match = _WEB_RE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        yield PlatformMarker(path, line, platform="heroku", what="Procfile `web` process", detail="a Procfile `web` process runs behind the platform's router")


# -- JSON: ECS task definitions, Heroku app.json ------------------------------------------------------


@file_extractor("*.json")
def json_deployment_facts(path: str, text: str) -> Iterable[Fact]:
    name = PurePosixPath(path.replace("\\", "/")).name
    ecs = '"containerDefinitions"' in text
    heroku = name == "app.json" and ('"formation"' in text or '"buildpacks"' in text or '"addons"' in text or '"stack"' in text)
    if not ecs and not heroku:
        return
    from ...formats.yaml_docs import TemplatedFile, YamlSyntaxError, YMap, read_yaml
    from .encoding import encode_yaml

    try:
        documents = read_yaml(text.replace("\t", "    "), path)  # JSON is YAML, but YAML indents with spaces
    except (TemplatedFile, YamlSyntaxError) as exc:
        yield ReadNote(path, getattr(exc, "line", 1), message=f"skipped: {exc}")
        return
    for document in documents:
        if not isinstance(document, YMap):
            continue
        # `aws ecs describe-task-definition` output nests the definition under `taskDefinition`
        definition = document.map("taskDefinition") if "taskDefinition" in document else document
        if ecs and definition.list("containerDefinitions"):
            yield YamlDocument(path, definition.line, doc_kind="ecs-task", document=encode_yaml(definition))
        elif heroku:
            yield YamlDocument(path, document.line, doc_kind="heroku-app", document=encode_yaml(document))


# -- Jinja-templated manifests ----------------------------------------------------------------------


@file_extractor("*.yaml.j2", "*.yml.j2", "*.yaml.jinja", "*.yml.jinja", "*.yaml.jinja2", "*.yml.jinja2")
def jinja_yaml_facts(path: str, text: str) -> Iterable[Fact]:
    from .extract import yaml_facts

    yield from yaml_facts(path, text)


# -- gunicorn configuration modules ------------------------------------------------------------------

GUNICORN_SETTINGS = frozenset(
    {"bind", "workers", "worker_class", "keepalive", "threads", "worker_connections", "timeout", "graceful_timeout", "preload_app", "accesslog", "errorlog", "max_requests", "wsgi_app"}
)


def looks_like_gunicorn_config(name: str, text: str) -> bool:
    """Cheap test: a module named like a gunicorn configuration, or one that sets gunicorn's
    own settings (`worker_class`/`keepalive` together with `bind`/`workers`)."""
    if "gunicorn" in name or "guniconf" in name:
        return "=" in text
    return ("worker_class" in text or "keepalive" in text) and ("bind" in text or "workers" in text)


@python_extractor
def gunicorn_config_facts(file: PythonFile) -> Iterable[Fact]:
    name = file_name(file.path)
    if not looks_like_gunicorn_config(name, file.source.text):
        return
    settings: dict[str, list[tuple[ast.expr, int]]] = {}
    workers: dict[str, float | None] = {}
    for statement in _module_statements(file.source.tree.body):
        if isinstance(statement, ast.ClassDef):
            if any((_dotted(base) or "").endswith(("UvicornWorker", "UvicornH11Worker")) for base in statement.bases):
                workers[statement.name] = _config_kwargs_keepalive(statement)
            continue
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in GUNICORN_SETTINGS and statement.value is not None:
                    settings.setdefault(target.id, []).append((statement.value, statement.lineno))
    own = {k for k in settings if k in GUNICORN_SETTINGS}
    if not ("gunicorn" in name or "guniconf" in name) and (len(own) < 2 or not own & {"worker_class", "keepalive"}):
        return  # a module with a `timeout` and a `workers` is not a gunicorn configuration
    fact = GunicornConfig(file.path, 1, uvicorn_workers=workers)
    keepalives = [(_setting(value), line) for value, line in settings.get("keepalive", [])]
    if keepalives:
        known = [(value, var, line) for (value, var, ok), line in keepalives if ok and isinstance(value, (int, float)) and not isinstance(value, bool)]
        if len(known) == len(keepalives):
            value, var, line = max(known, key=lambda k: k[0])  # `if in_production: keepalive = 75` counts as set
            fact.keepalive, fact.keepalive_line, fact.keepalive_var = float(value), line, var or ""
        else:
            fact.keepalive_computed, fact.keepalive_line = True, keepalives[0][1]
    classes = settings.get("worker_class", [])
    if classes:
        value, line = classes[-1]
        resolved, _var, ok = _setting(value)
        fact.worker_class_line = line
        if ok and isinstance(resolved, str):
            fact.worker_class = resolved
        elif isinstance(value, ast.Name) and value.id in workers:
            fact.worker_class = value.id
        else:
            fact.worker_class_computed = True
    for value, _line in settings.get("threads", []):
        resolved, _var, ok = _setting(value)
        if ok and isinstance(resolved, (int, float)) and not isinstance(resolved, bool):
            fact.threads = float(resolved)
    yield fact


def _module_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Module-level statements, including those inside `if`/`try`/`with` blocks (not functions)."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.If, ast.Try, ast.With)) or type(statement).__name__ == "TryStar":
            for block in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(statement, block, []) or [])
            for handler in getattr(statement, "handlers", []) or []:
                yield from _module_statements(handler.body)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


_ENV_READERS = ("getenv", "get", "env", "int", "float", "str", "bool", "config", "environ.get")


def _setting(node: ast.expr) -> tuple[object, str | None, bool]:
    """(value, environment variable, known) of a setting: a literal; a read of the environment
    with a literal default (`os.getenv("K", "75")`, `env.int("K", default=75)`, `int(os.environ.get(…))`)
    gives its default and the variable."""
    if isinstance(node, ast.Constant):
        return node.value, None, True
    if isinstance(node, ast.Call):
        name = _dotted(node.func) or ""
        last = name.rsplit(".", 1)[-1]
        if last in ("int", "float", "str") and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Call):
            value, var, ok = _setting(node.args[0])
            if ok:
                try:
                    return {"int": int, "float": float, "str": str}[last](value), var, True
                except (TypeError, ValueError):
                    return None, var, False
            return None, var, False
        if last in _ENV_READERS or name.endswith("environ.get"):
            var = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) else None
            default = next((k.value for k in node.keywords if k.arg == "default"), node.args[1] if len(node.args) > 1 else None)
            if var is not None and isinstance(default, ast.Constant):
                value = default.value
                if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
                    value = float(value)
                return value, var, True
    return None, None, False


def _config_kwargs_keepalive(cls: ast.ClassDef) -> float | None:
    for statement in cls.body:
        if isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CONFIG_KWARGS" for t in statement.targets):
            if isinstance(statement.value, ast.Dict):
                for key, value in zip(statement.value.keys, statement.value.values):
                    if isinstance(key, ast.Constant) and key.value == "timeout_keep_alive":
                        resolved, _var, ok = _setting(value)
                        if ok and isinstance(resolved, (int, float)) and not isinstance(resolved, bool):
                            return float(resolved)
                        return float("nan")  # set, but not to a literal: never guessed
    return None
