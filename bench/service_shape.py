"""A generated service whose modules reference each other as real backends do.

`bench/project_model.py` generates many small modules; a FastAPI/Celery backend is different:
a few hundred modules of a few hundred lines each, most of which import handlers, settings and
managers from each other (connection managers with register/unregister, Redis clients built from
settings, health checks, WebSocket endpoints, Celery tasks, cleanup paths). That is the shape where
the project phase costs the most, so the benchmark keeps its targets there too:
`python -m bench --corpus shape` (or `service_paths(root, files)` from code).
"""

from __future__ import annotations

from pathlib import Path

_SETTINGS = '''"""Settings read from the environment."""

import os

REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
REDIS_SOCKET_TIMEOUT = float(os.getenv("REDIS_SOCKET_TIMEOUT", "2"))
HTTP_TIMEOUT = 3.0
CHECK_RETRIES = 2
FEATURE_FLAGS = {{"ws": True, "tasks": True}}
{constants}
'''

_MANAGER = '''"""Manager {index}: connections and cached state for one domain."""

import asyncio
import json
import logging

import redis.asyncio as aioredis
from fastapi import WebSocket

from ..settings import REDIS_SOCKET_TIMEOUT, REDIS_URL, LIMIT_{index}
from . import manager{neighbour} as neighbour

logger = logging.getLogger(__name__)
client = aioredis.from_url(REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)


class ConnectionManager{index}:
    def __init__(self):
        self.active: dict[str, WebSocket] = {{}}
        self.lock = asyncio.Lock()

    async def register(self, key: str, websocket: WebSocket):
        async with self.lock:
            self.active[key] = websocket

    async def unregister(self, key: str):
        async with self.lock:
            self.active.pop(key, None)

    async def broadcast(self, message: dict):
        payload = json.dumps(message)
        for key, websocket in list(self.active.items()):
            try:
                await websocket.send_text(payload)
            except Exception:
                logger.warning("dropping %s", key)
                await self.unregister(key)

{methods}

manager = ConnectionManager{index}()
'''

_MANAGER_METHOD = '''
    async def load_{index}_{k}(self, key: str):
        cached = await client.get(f"{{key}}:{k}")
        if cached is not None:
            return json.loads(cached)
        value = await neighbour.manager.fetch_{neighbour}_{k}(key)
        await client.set(f"{{key}}:{k}", json.dumps(value), ex=LIMIT_{index})
        return value

    async def fetch_{index}_{k}(self, key: str):
        await asyncio.sleep(0)
        return {{"key": key, "part": {k}, "size": len(self.active)}}
'''

_HANDLER = '''"""Routes of domain {index}."""

import asyncio
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ..managers.manager{index} import manager
from ..managers.manager{neighbour} import ConnectionManager{neighbour}
from ..services import service{index} as service
from ..settings import FEATURE_FLAGS, HTTP_TIMEOUT

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/d{index}")
peers = ConnectionManager{neighbour}()


@router.websocket("/ws")
async def stream(websocket: WebSocket):
    await websocket.accept()
    key = str(id(websocket))
    await manager.register(key, websocket)
    try:
        while True:
            message = await websocket.receive_json()
            reply = await service.handle(message)
            await websocket.send_json(reply)
    except WebSocketDisconnect:
        logger.info("client left")
    finally:
        await manager.unregister(key)

{routes}
'''

_ROUTE = '''
@router.get("/items{k}/{{item_id}}")
async def get_item_{k}(item_id: int):
    if not FEATURE_FLAGS["ws"]:
        return {{"disabled": True}}
    result = await asyncio.wait_for(service.lookup_{k}(item_id), timeout=HTTP_TIMEOUT)
    return {{"id": item_id, "result": result}}


@router.post("/items{k}")
async def create_item_{k}(payload: dict):
    created = await service.create_{k}(payload)
    await manager.broadcast({{"created": created}})
    return created
'''

_SERVICE = '''"""Business logic of domain {index}."""

import logging
from dataclasses import dataclass, field

import httpx

from ..managers.manager{index} import manager
from ..settings import HTTP_TIMEOUT, LIMIT_{index}
from ..tasks import tasks{index} as tasks

logger = logging.getLogger(__name__)


@dataclass
class Record{index}:
    key: str
    values: list = field(default_factory=list)

    def total(self):
        return sum(self.values) + LIMIT_{index}


async def handle(message: dict) -> dict:
    kind = message.get("kind")
    if kind == "ping":
        return {{"kind": "pong"}}
    elif kind == "load":
        return await manager.load_{index}_0(message["key"])
    return {{"kind": "unknown"}}

{functions}
'''

_SERVICE_FUNCTION = '''
async def lookup_{k}(item_id: int):
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        response = await http.get(f"http://upstream/items/{{item_id}}")
    records = [Record{index}(str(item_id), [item_id, {k}])]
    return [record.total() for record in records] + [response.status_code]


async def create_{k}(payload: dict):
    record = Record{index}(payload.get("key", "k{k}"), list(payload.get("values", [])))
    try:
        tasks.process_{k}.delay(record.key)
    except Exception as error:
        logger.error("queueing failed: %s", error)
        raise
    finally:
        logger.debug("create_{k} done")
    return {{"key": record.key, "total": record.total()}}
'''

_TASKS = '''"""Celery tasks of domain {index}."""

import logging

from celery import shared_task

from ..managers.manager{index} import client
from ..settings import LIMIT_{index}

logger = logging.getLogger(__name__)

{tasks}
'''

_TASK = '''
@shared_task(bind=True, max_retries=3)
def process_{k}(self, key):
    try:
        value = client.get(key)
        return {{"key": key, "value": value, "limit": LIMIT_{index}}}
    except ConnectionError as error:
        raise self.retry(exc=error, countdown=5)
'''

_HEALTH = '''"""Health endpoints."""

import asyncio

from fastapi import APIRouter

from .managers.manager0 import client
from .settings import CHECK_RETRIES

router = APIRouter()


async def check_redis():
    for _ in range(CHECK_RETRIES):
        try:
            return await asyncio.wait_for(client.ping(), timeout=1.0)
        except asyncio.TimeoutError:
            continue
    return False


@router.get("/health/ready")
async def ready():
    return {{"redis": await check_redis()}}
'''


def generate(root: Path, files: int = 300, parts: int = 6) -> list[Path]:
    """A service package `app/` of about `files` modules: a quarter each managers, handlers,
    services and tasks, each with `parts` groups of functions (about 60 lines per group)."""
    domains = max(1, (files - 6) // 4)
    app = root / "app"
    for package in ("", "managers", "handlers", "services", "tasks"):
        (app / package).mkdir(parents=True, exist_ok=True)
        (app / package / "__init__.py").write_text("")
    constants = "\n".join(f"LIMIT_{i} = {60 + i}" for i in range(domains))
    (app / "settings.py").write_text(_SETTINGS.format(constants=constants))
    (app / "health.py").write_text(_HEALTH.format())
    main = ["from fastapi import FastAPI", "", "from . import health"]
    for i in range(domains):
        neighbour = (i + 1) % domains
        methods = "".join(_MANAGER_METHOD.format(index=i, neighbour=neighbour, k=k) for k in range(parts))
        (app / "managers" / f"manager{i}.py").write_text(_MANAGER.format(index=i, neighbour=neighbour, methods=methods))
        routes = "".join(_ROUTE.format(k=k) for k in range(parts))
        (app / "handlers" / f"handler{i}.py").write_text(_HANDLER.format(index=i, neighbour=neighbour, routes=routes))
        functions = "".join(_SERVICE_FUNCTION.format(index=i, k=k) for k in range(parts))
        (app / "services" / f"service{i}.py").write_text(_SERVICE.format(index=i, functions=functions))
        tasks = "".join(_TASK.format(index=i, k=k) for k in range(parts))
        (app / "tasks" / f"tasks{i}.py").write_text(_TASKS.format(index=i, tasks=tasks))
        main.append(f"from .handlers import handler{i}")
    main += ["", "app = FastAPI()", "app.include_router(health.router)"]
    main += [f"app.include_router(handler{i}.router)" for i in range(domains)]
    (app / "main.py").write_text("\n".join(main) + "\n")
    return sorted(root.rglob("*.py"))
