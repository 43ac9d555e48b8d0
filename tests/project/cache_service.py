"""A small service whose findings cross files, and the edits the cache property test makes to it.

Every file has a few versions: the ones that matter to another file's findings (a constant read by a
health check, a route a probe calls, a router prefix, a subprotocol a browser client offers), a
version that does not parse (or decode), and deletion (None). Files outside `FILES`' first versions
are created by edits (`extra.py`, a second client).
"""

from __future__ import annotations

BROKEN_PY = "def broken(:\n    pass\n"
UNDECODABLE = b"x = '\xff\xfe'\n"

SETTINGS = [
    "REDIS_TIMEOUT = 30\n",
    "REDIS_TIMEOUT = 2\n",
    'import os\n\nREDIS_TIMEOUT = float(os.getenv("REDIS_TIMEOUT", "12"))\n',
    "# no timeout here any more\nOTHER = 1\n",
]

HEALTH = [
    '''\
from fastapi import APIRouter
from redis.asyncio import Redis

from .settings import REDIS_TIMEOUT

router = APIRouter()
redis_client = Redis(host="redis", socket_timeout=REDIS_TIMEOUT)


@router.get("/health/live")
async def live():
    await redis_client.ping()
    return {"ok": True}
''',
    '''\
from fastapi import APIRouter
from redis.asyncio import Redis

from .settings import REDIS_TIMEOUT

router = APIRouter()
redis_client = Redis(host="redis", socket_timeout=REDIS_TIMEOUT)


@router.get("/health/ready")
async def live():
    await redis_client.ping()
    return {"ok": True}
''',
    '''\
from fastapi import APIRouter
from redis.asyncio import Redis

from app.settings import REDIS_TIMEOUT

router = APIRouter()
# moved down a few lines: every fact of this file has new line numbers


redis_client = Redis(host="redis", socket_timeout=REDIS_TIMEOUT)


@router.get("/health/live")
async def live():
    await redis_client.ping()
    return {"ok": True}
''',
]

MAIN = [
    '''\
from fastapi import FastAPI

from .health import router as health_router
from .ws import router as ws_router

app = FastAPI()
app.include_router(health_router)
app.include_router(ws_router, prefix="/rt")
''',
    '''\
from fastapi import FastAPI

from .health import router as health_router
from .ws import router as ws_router

app = FastAPI()
app.include_router(health_router, prefix="/api")
app.include_router(ws_router)
''',
]

WS = [
    '''\
from fastapi import APIRouter, WebSocket

router = APIRouter()


@router.websocket("/feed")
async def feed(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_json({"ok": True})
''',
    '''\
from fastapi import APIRouter, WebSocket

router = APIRouter()


@router.websocket("/feed")
async def feed(websocket: WebSocket):
    await websocket.send_json({"early": True})
    await websocket.accept(subprotocol="feed.v2")
''',
    '''\
from fastapi import APIRouter, WebSocket

from .auth import offered_token

router = APIRouter()


@router.websocket("/feed")
async def feed(websocket: WebSocket):
    if offered_token(websocket) is None:
        await websocket.close(code=4401)
        return
    await websocket.accept()
''',
]

AUTH = [
    '''\
from fastapi import WebSocket


def offered_token(websocket: WebSocket):
    for entry in websocket.scope.get("subprotocols", []):
        if entry.startswith("jwt."):
            return entry[4:]
    return None
''',
    '''\
from fastapi import WebSocket


def offered_token(websocket: WebSocket):
    return websocket.headers.get("authorization")
''',
]

POOL = [
    '''\
_connections = []


def drop_connections():
    from .metrics import record_close

    record_close(len(_connections))
''',
    '''\
from .metrics import record_close

_connections = []


def drop_connections():
    record_close(len(_connections))
''',
]

LIFECYCLE = [
    '''\
import atexit

from .pool import drop_connections

atexit.register(drop_connections)
''',
    '''\
from .pool import drop_connections


def shutdown():
    drop_connections()
''',
]

METRICS = ["def record_close(count):\n    return count\n"]

EXTRA = [
    '''\
from fastapi import APIRouter

from .settings import REDIS_TIMEOUT

extra = APIRouter()


@extra.get("/health/live")
async def other_live():
    return {"timeout": REDIS_TIMEOUT}
''',
]

PROBE = [
    '''\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api
          livenessProbe:
            httpGet:
              path: {path}
              port: 8000
            timeoutSeconds: {timeout}
''',
]
PROBES = [PROBE[0].format(path="/health/live", timeout=5), PROBE[0].format(path="/api/health/live", timeout=5),
          PROBE[0].format(path="/health/live", timeout=60), "apiVersion: v1\nkind: [unclosed\n"]

SITE = '''\
server {{
    location {path} {{
        proxy_pass http://app:8000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout {timeout};
    }}
}}
'''
SITES = [SITE.format(path="/rt/feed", timeout="60s"), SITE.format(path="/feed", timeout="3600s"), "server {\n    location / {\n"]

CLIENT = [
    'export const feed = new WebSocket(`wss://${window.location.host}/rt/feed`, ["feed.v1"]);\n',
    'export const feed = new WebSocket(`wss://${window.location.host}/feed`, ["jwt.abc"]);\n',
    'export const feed = new WebSocket(`wss://${window.location.host}/rt/feed`);\n',
]

#: path → versions (the first is the initial content; None: the file is absent at first)
FILES: dict[str, tuple[list[str], bool]] = {
    "app/__init__.py": ([""], True),
    "app/settings.py": (SETTINGS, True),
    "app/health.py": (HEALTH, True),
    "app/main.py": (MAIN, True),
    "app/ws.py": (WS, True),
    "app/auth.py": (AUTH, True),
    "app/pool.py": (POOL, True),
    "app/lifecycle.py": (LIFECYCLE, True),
    "app/metrics.py": (METRICS, True),
    "app/extra.py": (EXTRA, False),
    "deploy/api.yaml": (PROBES, True),
    "deploy/nginx/site.conf": (SITES, True),
    "web/feed.js": (CLIENT, True),
    "web/other.js": (CLIENT[1:], False),
}

CONFIG = "[tool.infralint]\n"
