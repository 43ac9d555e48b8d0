"""The project model: facts of a multi-module service, the join, route composition, the rule hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from infralint.project import FileFacts, Project, extract_python, load_extractors
from infralint.source import SourceFile

load_extractors()


def write(root: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(path)
    return paths


def project_of(paths: list[Path]) -> Project:
    facts = []
    for path in paths:
        extracted = extract_python(SourceFile(str(path), path.read_text()), str(path))
        assert extracted.errors == []
        # through the cache's serialisation, as a warm run sees them
        facts.append(FileFacts.from_dict(extracted.to_dict(), str(path)))
    return Project(facts)


FASTAPI = {
    "svc/__init__.py": "",
    "svc/main.py": (
        "from fastapi import FastAPI\n"
        "from .api import health\n"
        "from .api.rooms import rooms_router\n"
        "app = FastAPI()\n"
        "app.include_router(health.router, prefix='/internal')\n"
        "app.include_router(rooms_router, prefix='/api/v1')\n"
    ),
    "svc/api/__init__.py": "",
    "svc/api/health.py": (
        "from fastapi import APIRouter\n"
        "from .. import checks\n"
        "router = APIRouter(prefix='/health')\n"
        "@router.get('/ready')\n"
        "async def ready():\n"
        "    return await checks.registry.run_all()\n"
    ),
    "svc/api/rooms.py": (
        "from fastapi import APIRouter\n"
        "rooms_router = APIRouter(prefix='/rooms')\n"
        "@rooms_router.api_route('/{room_id}', methods=['GET', 'DELETE'])\n"
        "def room(room_id: int):\n"
        "    return {}\n"
        "@rooms_router.websocket('/{room_id}/ws')\n"
        "async def room_socket(websocket):\n"
        "    await websocket.accept()\n"
    ),
    "svc/checks.py": (
        "from .settings import TIMEOUT as CHECK_TIMEOUT\n"
        "class Registry:\n"
        "    async def run_all(self):\n"
        "        return await self._one()\n"
        "    async def _one(self):\n"
        "        return True\n"
        "registry = Registry()\n"
        "LIMIT = CHECK_TIMEOUT\n"
    ),
    "svc/settings.py": "import os\nTIMEOUT = float(os.getenv('T', '30'))\n",
}


def test_fastapi_prefixes_compose_through_include_router_and_router_prefix(tmp_path):
    project = project_of(write(tmp_path, FASTAPI))
    shown = sorted((e.method, e.path, e.handler) for e in project.endpoints())
    assert shown == [
        ("DELETE", "/api/v1/rooms/{room_id}", "svc.api.rooms.room"),
        ("GET", "/api/v1/rooms/{room_id}", "svc.api.rooms.room"),
        ("GET", "/internal/health/ready", "svc.api.health.ready"),
        ("WS", "/api/v1/rooms/{room_id}/ws", "svc.api.rooms.room_socket"),
    ]
    assert [e.handler for e in project.routes_for("/api/v1/rooms/42", "DELETE")] == ["svc.api.rooms.room"]
    assert [e.handler for e in project.routes_for("/internal/health/ready/")] == ["svc.api.health.ready"]
    (socket,) = project.routes_for("/api/v1/rooms/7/ws")
    assert [line for _, line in project.accept_sites(socket)] == [8]


def test_calls_resolve_across_modules_through_instances_and_constants(tmp_path):
    project = project_of(write(tmp_path, FASTAPI))
    ready = project.function("svc.api.health.ready")
    assert ready is not None
    (call,) = list(ready.call_sites())
    assert (call.target, call.awaited, call.resolved) == ("svc.checks.registry.run_all", True, True)
    run_all = project.function(call.target)
    assert run_all is not None and run_all.name == "svc.checks.Registry.run_all"
    assert [c.target for c in run_all.call_sites()] == ["svc.checks.Registry._one"]
    value = project.constant("svc.checks.LIMIT")
    assert value is not None and value.number == 30.0
    assert value.chain == ("svc.checks.LIMIT", "svc.settings.TIMEOUT")


def test_lookups_record_the_files_whose_facts_they_used(tmp_path):
    paths = write(tmp_path, FASTAPI)
    project = project_of(paths)
    with project.recording() as used:
        project.constant("svc.checks.LIMIT")
    assert {Path(p).name for p in used} == {"checks.py", "settings.py"}


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param(
            {
                "site/__init__.py": "",
                "site/urls.py": (
                    "from django.urls import include, path, re_path\n"
                    "from . import views\n"
                    "urlpatterns = [\n"
                    "    path('health/', views.health),\n"
                    "    path('api/', include('site.api_urls')),\n"
                    "    re_path(r'^legacy/(?P<pk>[0-9]+)/$', views.Legacy.as_view()),\n"
                    "]\n"
                ),
                "site/api_urls.py": "from django.urls import path\nfrom .views import rooms\nurlpatterns = [path('rooms/<int:pk>/', rooms)]\n",
                "site/views.py": "def health(request):\n    pass\ndef rooms(request, pk):\n    pass\nclass Legacy:\n    pass\n",
            },
            [("GET", "/api/rooms/<int:pk>", "site.views.rooms"), ("GET", "/health", "site.views.health"), ("GET", "/legacy/{pk}", "site.views.Legacy")],
            id="django",
        ),
        pytest.param(
            {
                "web/__init__.py": "",
                "web/app.py": "from flask import Flask\nfrom .admin import bp\napp = Flask(__name__)\napp.register_blueprint(bp, url_prefix='/admin')\n@app.route('/healthz')\ndef healthz():\n    return 'ok'\n",
                "web/admin.py": (
                    "from flask import Blueprint\nbp = Blueprint('admin', __name__, url_prefix='/v2')\n"
                    "@bp.route('/users/<int:uid>', methods=['GET', 'POST'])\ndef user(uid):\n    pass\n"
                ),
            },
            [("GET", "/admin/v2/users/<int:uid>", "web.admin.user"), ("GET", "/healthz", "web.app.healthz"), ("POST", "/admin/v2/users/<int:uid>", "web.admin.user")],
            id="flask-blueprints",
        ),
        pytest.param(
            {
                "chat/__init__.py": "",
                "chat/server.py": (
                    "from aiohttp import web\nfrom . import handlers\n"
                    "routes = web.RouteTableDef()\n"
                    "@routes.get('/status')\nasync def status(request):\n    return web.json_response({})\n"
                    "def make_app():\n    app = web.Application()\n    return app\n"
                    "app = web.Application()\n"
                    "app.add_routes(routes)\n"
                    "app.router.add_get('/ws', handlers.socket)\n"
                    "app.add_routes([web.post('/messages', handlers.post)])\n"
                ),
                "chat/handlers.py": (
                    "from aiohttp import web\n"
                    "async def socket(request):\n    ws = web.WebSocketResponse()\n    await ws.prepare(request)\n    return ws\n"
                    "async def post(request):\n    pass\n"
                ),
            },
            [("GET", "/status", "chat.server.status"), ("GET", "/ws", "chat.handlers.socket"), ("POST", "/messages", "chat.handlers.post"), ("WS", "/ws", "chat.handlers.socket")],
            id="aiohttp",
        ),
        pytest.param(
            {
                "st/__init__.py": "",
                "st/app.py": (
                    "from starlette.applications import Starlette\nfrom starlette.routing import Mount, Route, WebSocketRoute\n"
                    "from .views import home, feed\n"
                    "routes = [Route('/', home), Mount('/api', routes=[Route('/items/{id:int}', home, methods=['PUT'])]), WebSocketRoute('/feed', feed)]\n"
                    "app = Starlette(routes=routes)\n"
                ),
                "st/views.py": "async def home(request):\n    pass\nasync def feed(ws):\n    await ws.accept()\n",
            },
            [("GET", "/", "st.views.home"), ("PUT", "/api/items/{id:int}", "st.views.home"), ("WS", "/feed", "st.views.feed")],
            id="starlette-mount",
        ),
    ],
)
def test_route_tables(tmp_path, files, expected):
    project = project_of(write(tmp_path, files))
    assert sorted((e.method, e.path, e.handler) for e in project.endpoints()) == sorted(expected)


def test_an_extractor_that_crashes_loses_only_its_facts(tmp_path):
    from infralint.project import registry

    def broken(file):
        raise ValueError("boom")

    registry.python_extractor(broken)
    try:
        path = write(tmp_path, {"m.py": "def f():\n    pass\n"})[0]
        facts = extract_python(SourceFile(str(path), path.read_text()), str(path))
    finally:
        registry._python_extractors.remove(broken)
    assert [type(f).__name__ for f in facts.facts] == ["Function"]
    assert "ValueError: boom" in facts.errors[0]


def test_channels_and_websockets_serve_endpoints(tmp_path):
    project = project_of(
        write(
            tmp_path,
            {
                "chat/__init__.py": "",
                "chat/routing.py": (
                    "from django.urls import path, re_path\nfrom . import consumers\n"
                    "websocket_urlpatterns = [\n"
                    "    path('ws/rooms/<str:name>/', consumers.RoomConsumer.as_asgi()),\n"
                    "    re_path(r'^ws/feed/$', consumers.FeedConsumer.as_asgi()),\n"
                    "]\n"
                ),
                "chat/consumers.py": (
                    "class RoomConsumer:\n    async def connect(self):\n        await self.accept()\n"
                    "class FeedConsumer:\n    async def connect(self):\n        pass\n"
                ),
                "chat/server.py": "import websockets\nasync def handler(ws):\n    pass\nasync def main():\n    async with websockets.serve(handler, 'localhost', 8765):\n        pass\n",
            },
        )
    )
    sockets = sorted((e.path, e.handler) for e in project.endpoints() if e.websocket)
    assert sockets == [("/", "chat.server.handler"), ("/ws/feed", "chat.consumers.FeedConsumer"), ("/ws/rooms/<str:name>", "chat.consumers.RoomConsumer")]
    (room,) = project.routes_for("/ws/rooms/lobby/")
    assert room.handler == "chat.consumers.RoomConsumer"


def test_facts_survive_the_cache_and_unknown_kinds_are_dropped():
    from infralint.project import Fact, Route, fact_kind

    route = Route("a.py", 3, "a.app", "GET", "/x", "a.x", "fastapi")
    facts = FileFacts("a.py", "a", "d1", [route])
    data = facts.to_dict()
    data["facts"].append({"kind": "from-a-newer-version", "line": 1})
    back = FileFacts.from_dict(data, "shown/a.py")
    assert back.facts == [Route("shown/a.py", 3, "a.app", "GET", "/x", "a.x", "fastapi")]
    assert back.fingerprint() == FileFacts("b.py", "a", "d2", [route]).fingerprint()  # the text, not the path

    with pytest.raises(RuntimeError, match="two fact kinds claim 'route'"):

        @fact_kind("route")
        class Other(Fact):
            pass


def test_the_facts_are_in_one_order_whatever_order_they_came_in(tmp_path):
    """The whole tree joins its files in path order; one file named with the rest as context, or
    the language server adding a file, must see the facts in that same order (a rule taking the
    first of two equal answers then gives the same one)."""
    paths = write(tmp_path, {"b/app.py": "import os\n", "a.py": "import os\n", "c.py": "import os\n"})
    facts = [FileFacts.from_dict(extract_python(SourceFile(str(p), p.read_text()), str(p)).to_dict(), str(p)) for p in paths]
    in_order = sorted(str(p) for p in paths)
    assert list(Project(facts).files) == list(Project(reversed(facts)).files) == in_order
    project = Project(facts[1:])
    project.update(facts[0])  # a file added later goes in its place
    assert list(project.files) == in_order
    project.update(facts[0])  # replacing one keeps the order
    assert list(project.files) == in_order
