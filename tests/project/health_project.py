"""A package whose health check's timeout is a constant of another module: the project model
connects them (shared by the cache tests and the language server's project tests)."""

SETTINGS = "REDIS_HEALTH_TIMEOUT = {timeout}\n"
HEALTH = '''\
from .settings import REDIS_HEALTH_TIMEOUT


class Registry:
    def register_check(self, name, check, timeout_seconds, retry_count=1):
        pass


registry = Registry()


async def ping():
    return True


registry.register_check(name="redis", check=ping, timeout_seconds=REDIS_HEALTH_TIMEOUT, retry_count=2)
'''
