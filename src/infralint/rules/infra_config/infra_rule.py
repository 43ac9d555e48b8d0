"""What the INF6xx rules share: `InfraRule`, a rule over the configuration of the whole run, and the
WebSocket endpoints and nginx locations several of them read.

Each rule computes its findings once per project state over the whole configuration (`Infra`),
then hands each file the findings whose line is in it: configuration files through
`check_fact_file`, Python files (gunicorn.conf.py, `uvicorn.run(...)`) through `finish`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...finding import Finding
from ..base import Rule
from .extract import GUNICORN_CONFIG_NAMES
from .paths import nginx_location_for

if TYPE_CHECKING:
    from .model import Infra

# The model of the run's configuration (`model`, `handlers`, `records` and the readers behind them)
# is imported once a rule computes over it: a run over Python files alone never loads it.


@dataclass(frozen=True)
class _FileRef:
    """A file a computation read, re-noted for each file its findings are handed to."""

    file: str


@dataclass
class Placed:
    """A finding's place and message, before it becomes a `Finding` in its file."""

    path: str
    line: int
    message: str


class InfraRule(Rule):
    """A rule over the configuration of the whole run (see the module docstring). Each rule defines
    `compute(infra, project)`: its findings over the run, placed in files."""

    uses_project = True
    reads_fact_files = True
    #: Python files can hold server settings (INF605 only)
    python_settings = False

    def applies_to(self, ctx) -> bool:
        words = python_words(ctx.source)
        if words.deploys:
            return True  # a Python deploy script: its `gcloud run deploy` sets a Cloud Run timeout
        if not self.python_settings:
            return False
        return words.runs_uvicorn or ctx.source.pure_path.name in GUNICORN_CONFIG_NAMES

    def check_fact_file(self, facts, project) -> Iterable[Finding]:
        return [self._finding(p) for p in self._placed(project) if p.path == facts.path]

    def finish(self, ctx) -> Iterable[Finding]:
        if ctx.project is None:
            return []
        return [self._finding(p) for p in self._placed(ctx.project) if p.path == ctx.display_path]

    def _placed(self, project) -> list[Placed]:
        """This rule's findings over the whole run, computed once per project state. The files they
        were computed from are noted for every file that asks (its cache entry depends on them)."""
        from .model import infra_of

        infra = infra_of(project)
        results = infra.__dict__.setdefault("_rule_results", {})
        if self.code not in results:
            with project.recording() as used:
                placed = [] if infra.empty else list(self.compute(infra, project))
            unique = list(dict.fromkeys((p.path, p.line, p.message) for p in placed))
            results[self.code] = ([Placed(*p) for p in unique], sorted(used))
        placed, used = results[self.code]
        project.note(*(_FileRef(path) for path in used))
        return placed

    def _finding(self, placed: Placed) -> Finding:
        return Finding(self.code, self.entry.name, placed.message, placed.path, placed.line, 0, placed.line, 0, self.entry.severity)


@dataclass(frozen=True)
class _PythonWords:
    """What a Python file's text says about deployment, read once per file for the five rules."""

    deploys: bool  # `gcloud … deploy`: a deploy script that sets a Cloud Run timeout
    runs_uvicorn: bool  # `uvicorn.run(...)`: server settings in Python


def python_words(source) -> _PythonWords:
    found = source.__dict__.get("_infra_words")
    if found is None:
        text = source.text
        found = source.__dict__["_infra_words"] = _PythonWords("gcloud" in text and "deploy" in text, "uvicorn" in text and "run" in text)
    return found


def websocket_endpoints(project) -> dict[str, object]:
    endpoints = project.endpoints()
    # every route file is read: a route that becomes a WebSocket endpoint changes the findings
    project.note(*(e.fact for e in endpoints), *(i for e in endpoints for i in e.through))
    return {e.path: e for e in endpoints if e.websocket}


def served_by(endpoints: dict, path: str) -> str:
    endpoint = endpoints.get(path)
    if endpoint is None:
        return ""
    return f"; `{path}` is served by `{endpoint.handler}` ({endpoint.fact.file}:{endpoint.fact.line})"


def nginx_endpoints(infra: Infra, location, endpoints: list[str]) -> list[str]:
    """The known endpoints a `location` can carry: with several upstreams in the run, a catch-all
    `location /` is not assumed to front the app that serves them (it may proxy another service)."""
    targets = {l.proxy_pass.args[0] if l.proxy_pass.args else "" for l in infra.nginx_locations}
    if len(targets) > 1 and location.pattern.lstrip("=^~ ") == "/":
        return []
    return [e for e in endpoints if nginx_location_for(location.siblings, e) == location.pattern]
