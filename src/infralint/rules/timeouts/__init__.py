"""INF3xx timeouts: Redis and network timeouts and retry budgets longer than a health probe allows.

`redis_clients`/`redis_context`/`http_clients` model the clients, `checks` and `health` find the
health code and registered service checks, `budget` computes their worst case.
"""

from . import project_facts  # noqa: F401 - registers the family's facts (clients, check registrations)
from .rules import HealthCheckBudget, RedisTimeoutMissing, RedisTimeoutTooLong

__all__ = ["HealthCheckBudget", "RedisTimeoutMissing", "RedisTimeoutTooLong"]
