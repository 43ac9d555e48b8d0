"""Health-check views that come from a library, not from the project's own code.

`path("health/", include("health_check.urls"))` serves django-health-check's view: what it waits
on is decided by the plugins installed in the settings (`health_check.db` queries the database,
`health_check.cache` the cache backend, `health_check.contrib.redis` Redis…). The handler is not in
the run, so the plugins named in the run's settings stand for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...project import Include, Router
from .facts import HealthCheckApps

#: django-health-check plugins and what each waits on (local checks — disk, memory — are absent)
HEALTH_CHECK_PLUGINS = {
    "health_check.db": "the database",
    "health_check.contrib.migrations": "the database",
    "health_check.contrib.db_heartbeat": "the database",
    "health_check.cache": "the cache",
    "health_check.contrib.redis": "Redis",
    "health_check.contrib.celery": "the Celery broker",
    "health_check.contrib.celery_ping": "the Celery workers",
    "health_check.contrib.rabbitmq": "RabbitMQ",
    "health_check.storage": "storage",
    "health_check.contrib.s3boto3_storage": "S3",
    "health_check.contrib.s3boto_storage": "S3",
}

#: included URL modules of health-check libraries: (name shown, plugin table or None)
LIBRARIES = {"health_check.urls": "django-health-check"}

_MAX_DEPTH = 12


@dataclass
class LibraryCheck:
    what: str  # `django-health-check (include("health_check.urls"))`
    path: str
    line: int
    #: (plugin, what it waits on, settings path, line)
    dependencies: list[tuple[str, str, str, int]] = field(default_factory=list)


def library_health_check(project, route: str, probe_path: str) -> LibraryCheck | None:
    """The library health view that serves `route` in the probe's repository, with the dependencies
    its installed plugins wait on."""
    wanted = "/" + route.strip("/")
    repository = project.repository_of(probe_path)
    for include in project.facts(Include):
        if project.repository_of(include.file) != repository:
            continue
        module = include.child.rsplit(".urlpatterns", 1)[0]
        name = LIBRARIES.get(module)
        if name is None:
            continue
        for prefix in _mounts(project, include.parent, 0):
            full = "/" + "/".join(p.strip("/") for p in (prefix, include.prefix) if p.strip("/"))
            if wanted == full or wanted.startswith(full.rstrip("/") + "/"):
                project.note(include)
                return LibraryCheck(f'{name} (`include("{module}")`', include.file, include.line, _plugins(project, repository))
    return None


def served_by_project(project, route: str, probe_path: str) -> bool:
    """Whether one of the GET routes of the probe's repository serves `route` (a Django `re_path`
    written `^health/liveness/?$` included: its optional slash and anchors are not part of the path)."""
    if project.routes_for(route, "GET", near=probe_path):
        return True
    repository = project.repository_of(probe_path)
    wanted = "/" + route.strip("/")
    for endpoint in project.endpoints():
        if endpoint.method == "GET" and project.repository_of(endpoint.fact.file) == repository and "/" + endpoint.path.strip("/").removesuffix("$").removesuffix("/?").strip("/") == wanted:
            project.note(endpoint.fact)
            return True
    return False


def _mounts(project, router: str, depth: int) -> list[str]:
    """The prefixes under which a router's patterns are served (through the includes above it)."""
    own = next((r.prefix for r in project.facts(Router) if r.name == router), "")
    parents = [i for i in project.facts(Include) if i.child == router]
    if not parents or depth >= _MAX_DEPTH:
        return [own]
    found = []
    for include in parents:
        for prefix in _mounts(project, include.parent, depth + 1):
            found.append("/".join(p.strip("/") for p in (prefix, include.prefix, own) if p.strip("/")))
    return found


def _plugins(project, repository: str) -> list[tuple[str, str, str, int]]:
    found: list[tuple[str, str, str, int]] = []
    for fact in project.facts(HealthCheckApps):
        if project.repository_of(fact.file) != repository:
            continue
        for app, line in fact.apps:
            kind = HEALTH_CHECK_PLUGINS.get(app)
            if kind is not None and all(app != f[0] for f in found):
                project.note(fact)
                found.append((app, kind, fact.file, line))
    return found
