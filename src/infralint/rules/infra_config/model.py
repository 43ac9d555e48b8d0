"""The configuration side of the project: every fact of the run decoded and derived once.

`infra_of(project)` is computed once per state of the project (the language server's project
changes file by file: a new state, a new derivation) and shared by the INF6xx rules.
"""

from __future__ import annotations

import weakref

from ...formats.terraform import TerraformFile
from ...project import Project
from . import implied_hops, kubernetes, terraform_lb
from . import cloud_run
from .cloud_run import CloudRunDeploy
from .encoding import decode_block, decode_directives, decode_yaml
from .facts import CONFIGURATION_KINDS, NginxTree, ServerLaunch, TerraformBlock, YamlDocument
from .nginx_sites import ProxyLocation, proxy_locations
from .records import Derived, Launch

_cache: weakref.WeakKeyDictionary[object, Infra] = weakref.WeakKeyDictionary()


class Infra:
    """What the configuration of a run says, and the facts it was read from (for cache keys)."""

    def __init__(self, project: Project) -> None:
        self.derived = Derived()
        self.facts = [fact for kind in CONFIGURATION_KINDS for fact in project.facts(kind)]
        self._terraform(project.facts(TerraformBlock))
        trees = {(f"{f.file}::{f.key}" if f.key else f.file): decode_directives(f.directives, f.file) for f in project.facts(NginxTree)}
        self.nginx_locations: list[ProxyLocation] = proxy_locations(trees) if trees else []
        documents = [(f.file, f.doc_kind, decode_yaml(f.document)) for f in project.facts(YamlDocument)]
        kubernetes.derive(documents, self.derived)
        cloud_run.derive(project.facts(CloudRunDeploy), self.derived)
        implied_hops.derive(documents, self.derived)
        self._healthchecks(project)
        for fact in project.facts(ServerLaunch):
            self.derived.launches.append(
                Launch(fact.server, fact.keepalive, fact.worker_class, fact.source, fact.file, fact.line, fact.ws_ping_interval, fact.ws_ping_disabled, fact.config_file)
            )

    def _terraform(self, blocks: list[TerraformBlock]) -> None:
        by_file: dict[str, list] = {}
        for fact in blocks:
            by_file.setdefault(fact.file, []).append(decode_block(fact.block))
        files = [TerraformFile(path, found) for path, found in sorted(by_file.items())]
        for module in terraform_lb.iter_modules(files):
            terraform_lb.derive(module, self.derived)

    def _healthchecks(self, project: Project) -> None:
        """Dockerfile HEALTHCHECKs, and the routes healthcheck scripts request."""
        from .facts import DockerHealthcheck
        from .healthchecks import docker_probe, resolve_scripts

        for fact in project.facts(DockerHealthcheck):
            probe = docker_probe(fact)
            if probe is not None:
                self.derived.probes.append(probe)
        if any(p.script for p in self.derived.probes):
            resolve_scripts(self.derived.probes, project)

    @property
    def empty(self) -> bool:
        return not self.facts


def infra_of(project: Project) -> Infra:
    key = project.index
    found = _cache.get(key)
    if found is None:
        found = Infra(project)
        _cache[key] = found
    project.note(*found.facts)
    return found
