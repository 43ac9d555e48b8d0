"""INF603 probe-deadline-missed: a health probe whose timeout is shorter than the worst case of the
handler it calls, or longer than its own period."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...formats.values import format_seconds
from .infra_rule import InfraRule, Placed

if TYPE_CHECKING:
    from .model import Infra
    from .records import Probe


class ProbeDeadlineMissed(InfraRule):
    """INF603: a probe gives its handler less time than the handler's worst case."""

    code = "INF603"

    def compute(self, infra: Infra, project) -> Iterable[Placed]:
        from .handlers import handlers_for, worst_case

        for probe in infra.derived.probes:
            # Docker starts the next healthcheck `interval` after the previous one ends: no overlap there
            if probe.platform != "compose" and probe.timeout is not None and probe.period is not None and probe.timeout > probe.period:
                yield Placed(probe.path, probe.timeout_line or probe.line, _overlap_message(probe))
            if probe.timeout is None:
                continue
            for handler in handlers_for(project, probe.route, probe.path):
                cost = worst_case(project, handler, probe.timeout)
                head = f"{probe.kind} in {probe.path}:{probe.line} gives GET {probe.route} {format_seconds(probe.timeout)} ({probe.timeout_detail})"
                if cost.unbounded:
                    yield Placed(probe.path, probe.line, f"{head}; its worst case is unbounded: {cost.culprit_reason} ({handler.where})")
                elif cost.seconds > probe.timeout:
                    yield Placed(probe.path, probe.line, f"{head}; its worst case is {format_seconds(cost.seconds)} ({cost.text}, {handler.where})")


def _overlap_message(probe: Probe) -> str:
    if probe.platform == "gcp":
        consequence = "GCP rejects a health check whose timeout is longer than its interval"
    else:
        consequence = (
            "a probe that hangs holds up the next one, so a failing pod is noticed only after "
            "failureThreshold × the timeout, not × the period"
        )
    return (
        f"{probe.kind} of {probe.owner} waits {format_seconds(probe.timeout)} ({probe.timeout_detail}) but runs every "
        f"{format_seconds(probe.period)} ({probe.period_detail}): {consequence}"
    )
