"""Application lifespan: open the Redis pool on start-up, close it on shutdown."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    if app.state.testing:
        # tests bring their own fakes: hand control over at once
        yield
        return
    from redis.asyncio import Redis  # start-up code, not teardown

    app.state.redis = Redis.from_url(app.state.redis_url)
    yield
    # teardown: runs while uvicorn is stopping, when imports can fail
    from .connections import manager

    await manager.close_all(reason="lifespan shutdown")
    await app.state.redis.aclose()
