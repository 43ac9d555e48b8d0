"""Kubernetes probe endpoints: `/health/ready` runs every registered check, then the dependency checks.

Mounted under `/health` by `main.py`. Nothing in this file waits on anything itself: the checks are
registered in `health.py`, the dependency checks live in `dependencies.py`, and the clients they wait
on are built in `cache.py` and `db.py` with settings from `settings.py` — only the project model sees
the whole budget.
"""

from fastapi import APIRouter

from . import dependencies
from .health import health_registry

router = APIRouter()


@router.get("/ready")
async def ready():
    results = await health_registry.run_all()
    results["dependencies"] = await dependencies.check_all()
    return results
