"""Infrastructure configuration (INF6xx): deadlines and headers set in Terraform, nginx and YAML,
judged against the Python code behind them through the project model.

`formats/` reads the files; `extract.py` turns each into facts (per file, cached); `model.py`
joins the facts of the run into proxy hops, probes, load balancers and server launches
(`terraform_lb.py`, `nginx_sites.py`, `kubernetes.py`); `handlers.py` finds the Python handler a
probe calls and what it waits on. One module per rule, named after it
(`websocket_cut_by_proxy_timeout` … `keepalive_shorter_than_load_balancer`), each an `InfraRule`
(`infra_rule.py`).
"""

from . import extract  # noqa: F401 - registers the configuration fact extractors
from . import launch_sites  # noqa: F401 - registers the launch-site and platform-marker extractors
