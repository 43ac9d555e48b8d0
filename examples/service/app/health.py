"""Health checks and the liveness endpoints; `/health/ready` itself is served by `probes.py`.

The readiness check below is the incident: registered with a 30 s timeout on GCP and four
attempts, run by `/health/ready`, which the platform probes with a 5 s deadline — worst case over two
minutes, so every deploy failed its health check.
"""

import asyncio
import os

import redis.asyncio as aioredis
from fastapi import APIRouter

from .settings import REDIS_HEALTH_RETRIES, REDIS_HEALTH_RETRY_DELAY, REDIS_HEALTH_TIMEOUT, REDIS_URL

router = APIRouter()
is_gcp = os.getenv("PLATFORM") == "gcp"

# built without socket_timeout: a stalled Redis blocks whoever awaits it, forever
redis_client = aioredis.from_url(REDIS_URL, decode_responses=True)


class HealthRegistry:
    """Named checks that /health/ready runs one after the other."""

    def __init__(self):
        self.checks = []

    def register_check(self, name, check, timeout_seconds, retry_count=1, retry_delay=0.0):
        self.checks.append((name, check, timeout_seconds, retry_count, retry_delay))

    async def run_all(self):
        results = {}
        for name, check, timeout_seconds, retry_count, retry_delay in self.checks:
            results[name] = await _run_with_retries(check, timeout_seconds, retry_count, retry_delay)
        return results


async def _run_with_retries(check, timeout_seconds, retry_count, retry_delay):
    for attempt in range(retry_count):
        try:
            return await asyncio.wait_for(check(), timeout=timeout_seconds)
        except asyncio.TimeoutError:
            await asyncio.sleep(retry_delay)
    return False


async def _validate_redis_readiness():
    return await redis_client.ping()


health_registry = HealthRegistry()
health_registry.register_check(
    name="redis",
    check=_validate_redis_readiness,
    timeout_seconds=30.0 if is_gcp else 10.0,
    retry_count=4,
    retry_delay=1.5,
)
health_registry.register_check(
    name="redis-settings",
    check=_validate_redis_readiness,
    timeout_seconds=REDIS_HEALTH_TIMEOUT,
    retry_count=REDIS_HEALTH_RETRIES,
    retry_delay=REDIS_HEALTH_RETRY_DELAY,
)


@router.get("/health/live")
async def live():
    # "alive" only while Redis answers: a Redis outage makes Kubernetes restart every replica
    await asyncio.wait_for(redis_client.ping(), timeout=0.5)
    return {"status": "alive"}


@router.get("/health/redis")
async def redis_health():
    pong = await redis_client.ping()
    return {"redis": pong}
