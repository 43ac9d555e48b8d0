"""The shared Redis pool: bounded, but with the socket timeout the settings allow."""

import redis.asyncio as aioredis

from . import settings

redis_pool = aioredis.from_url(settings.REDIS_URL, socket_timeout=settings.REDIS_SOCKET_TIMEOUT)
