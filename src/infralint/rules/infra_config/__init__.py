"""Infrastructure configuration (INF6xx): deadlines and headers set in Terraform, nginx and YAML,
judged against the Python code behind them through the project model.

`formats/` reads the files; `extract.py` turns each into facts (per file, cached); `model.py`
joins the facts of the run into proxy hops, probes, load balancers and server launches
(`terraform_lb.py`, `nginx_sites.py`, `kubernetes.py`); `handlers.py` finds the Python handler a
probe calls and what it waits on; `rules.py` holds the rules.
"""

from . import extract  # noqa: F401 - registers the configuration fact extractors
from . import launch_sites  # noqa: F401 - registers the launch-site and platform-marker extractors
from .rules import (
    KeepaliveShorterThanLoadBalancer,
    LivenessDependsOnService,
    ProbeDeadlineMissed,
    WebSocketCutByProxyTimeout,
    WebSocketHeadersNotForwarded,
)

__all__ = [
    "KeepaliveShorterThanLoadBalancer",
    "LivenessDependsOnService",
    "ProbeDeadlineMissed",
    "WebSocketCutByProxyTimeout",
    "WebSocketHeadersNotForwarded",
]
