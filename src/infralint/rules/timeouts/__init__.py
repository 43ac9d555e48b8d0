"""INF3xx timeouts: Redis and network timeouts and retry budgets longer than a health probe allows.

One module per rule, named after it (`redis_timeout_too_long`, `redis_timeout_missing`,
`health_check_budget`), over `timeout_rule`. `redis_context` and `redis_settings` read Redis
clients and settings in context, `health` finds the health code; the client models, check calls
and worst-case budget they share with other families are in `analysis/`.
"""

from . import project_facts  # noqa: F401 - registers the family's facts (clients, check registrations)
