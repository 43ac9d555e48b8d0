"""Checks of the services the chat backend needs, run concurrently by the readiness probe."""

import asyncio

from sqlalchemy import text

from . import cache, db


async def get_redis_status():
    return await cache.redis_pool.ping()


async def get_database_status():
    async with db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return True


async def check_all():
    tasks = [get_redis_status(), get_database_status()]
    return await asyncio.gather(*tasks)
