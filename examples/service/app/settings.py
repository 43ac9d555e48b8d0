"""Service settings, read from the environment with defaults for local development."""

import os

PLATFORM = os.getenv("PLATFORM", "local")
IS_GCP = PLATFORM == "gcp"

REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
REDIS_SOCKET_TIMEOUT = 2.0
DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+asyncpg://localhost/chat")

# how long one readiness attempt may wait for Redis; the platform probes /health/ready every 10 s
# with a 5 s deadline
REDIS_HEALTH_TIMEOUT = float(os.getenv("REDIS_HEALTH_TIMEOUT", "30.0" if IS_GCP else "10.0"))
REDIS_HEALTH_RETRIES = 4
REDIS_HEALTH_RETRY_DELAY = 1.5
