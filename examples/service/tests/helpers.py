"""Test helpers shared by the suites: real-service requirements and probes."""

import functools
import shutil
import subprocess

import pytest


def docker_available() -> bool:
    """Whether a Docker daemon answers on this machine."""
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def require_docker_services(*services: str, timeout: float = 60.0):
    """Mark a test as needing the real stack (Redis, Postgres, the API) started by docker compose.

    Fails the test when Docker is missing: a mission-critical test must never pass without the
    services it exists to check.
    """

    def decorate(test):
        @functools.wraps(test)
        async def wrapper(*args, **kwargs):
            if not docker_available():
                pytest.fail(f"Docker is required for {test.__name__} (services: {services or 'all'})")
            return await test(*args, **kwargs)

        wrapper.required_services = services
        wrapper.startup_timeout = timeout
        return wrapper

    return decorate
