"""INF605 keepalive-shorter-than-load-balancer: the app server closes idle keep-alive connections sooner
than the load balancer in front of it, which then sends requests on closed connections (502s)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .infra_rule import InfraRule, Placed, python_words

if TYPE_CHECKING:
    from .model import Infra


class KeepaliveShorterThanLoadBalancer(InfraRule):
    """INF605: the server's keep-alive is shorter than the load balancer's idle timeout."""

    code = "INF605"
    python_settings = True

    def applies_to(self, ctx) -> bool:
        from .launch_sites import looks_like_gunicorn_config

        words = python_words(ctx.source)
        return words.runs_uvicorn or looks_like_gunicorn_config(ctx.source.pure_path.name, ctx.source.text)

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        from .keepalive import keepalive_findings

        for result in keepalive_findings(infra, project):
            yield Placed(result.path, result.line, result.message)
