"""The client readers: browser `new WebSocket(url, protocols)` with tree-sitter, Python clients, and
the rule that tree-sitter is imported only when JS/TS files are in the run."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from infralint.formats.javascript import BrowserClient, websocket_clients
from infralint.rules.websocket.clients import python_clients
from infralint.rules.websocket.facts import url_path
from infralint.source import SourceFile


def _offers(text: str, filename: str) -> list[tuple[int, str | None, tuple[str, ...] | None]]:
    return [(c.line, c.url, c.protocols) for c in websocket_clients(textwrap.dedent(text), filename)]


@pytest.mark.parametrize("filename", ["chat.js", "chat.mjs", "chat.jsx", "chat.ts", "chat.tsx"])
def test_constants_and_template_literals_resolve_in_every_grammar(filename):
    text = """
        const AUTH = "jwt-auth";
        const base = `wss://${location.host}`;
        function open(room, token) {
          return new WebSocket(`${base}/ws/chat/${room}`, [AUTH, "jwt." + token]);
        }
    """
    assert _offers(text, filename) == [(5, "wss://{}/ws/chat/{}", ("jwt-auth", "jwt.{}"))]


def test_typescript_wrappers_single_protocol_and_no_protocols():
    text = """
        const PROTOCOLS = ["graphql-transport-ws"] as const;
        const a = new WebSocket("/graphql", PROTOCOLS);
        const b = new window.WebSocket('ws://h/feed?x=1', 'feed.v1');
        const c = new WebSocket("/plain");
        const d = new WebSocket(url, protocols);
        const e = new WebSocket("/spread", [...PROTOCOLS]);
        const f = new NotAWebSocket("/x", ["y"]);
    """
    assert _offers(text, "client.ts") == [
        (3, "/graphql", ("graphql-transport-ws",)),
        (4, "ws://h/feed?x=1", ("feed.v1",)),
        (5, "/plain", ()),
        (6, None, None),
        (7, "/spread", None),
    ]


def test_a_name_declared_twice_is_not_guessed():
    text = 'let P = "a";\nif (x) { let P = "b"; }\nnew WebSocket("/ws", [P]);\n'
    assert _offers(text, "x.js") == [(3, "/ws", ("{}",))]


def test_vue_script_blocks_keep_their_file_lines():
    text = (
        "<template><div/></template>\n"
        "<script>\nexport default {}\n</script>\n"
        '<script setup lang="ts">\nconst name: string = "lobby";\n'
        "const s = new WebSocket(`/ws/room/${name}/`, ['room.v1']);\n</script>\n"
    )
    assert websocket_clients(text, "Room.vue") == [BrowserClient(7, 10, "/ws/room/lobby/", ("room.v1",))]


def test_broken_javascript_is_read_as_far_as_it_goes():
    assert _offers('new WebSocket("/ws", ["a"]);\nfunction (( {\n', "bad.js") == [(1, "/ws", ("a",))]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("wss://example.com/ws/feed?x=1", "/ws/feed"),
        ("{}://{}/api/ws/chat/{}", "/api/ws/chat/{}"),
        ("/ws/plain", "/ws/plain"),
        ("{}/ws/x", "/ws/x"),
        ("ws://host", "/"),
        ("{}", None),
        (None, None),
    ],
)
def test_url_paths(url, path):
    assert url_path(url) == path


def test_python_clients():
    text = textwrap.dedent(
        """
        import websockets
        from starlette.testclient import TestClient

        CHAT = "chat.v1"
        PROTOCOLS = ["a", "b"]
        BASE = "ws://localhost:8000"

        async def run(session, client: TestClient, token):
            await websockets.connect(f"{BASE}/ws/chat", subprotocols=[CHAT, f"jwt.{token}"])
            await session.ws_connect(BASE + "/ws/feed", protocols=PROTOCOLS)
            client.websocket_connect("/ws/plain")
            session.ws_connect(url, protocols=protocols)
            db.connect("/not/a/socket")
        """
    )
    found = [(c.call.lineno, c.api, c.url, c.protocols) for c in python_clients(SourceFile("c.py", text))]
    assert found == [
        (10, "websockets.connect", "ws://localhost:8000/ws/chat", ("chat.v1", "jwt.{}")),
        (11, "ws_connect", "ws://localhost:8000/ws/feed", ("a", "b")),
        (12, "websocket_connect", "/ws/plain", ()),
        (13, "ws_connect", None, None),
    ]


_IMPORT_PROBE = """
import sys
from infralint.cli import main
try:
    main(["check", sys.argv[1], "--no-cache", "--jobs", "1", "--exit-zero"])
except SystemExit:
    pass
print("TREE_SITTER_IMPORTED" if any(m.split(".")[0].startswith("tree_sitter") for m in sys.modules) else "NOT_IMPORTED")
"""


def _tree_sitter_imported(folder) -> bool:
    done = subprocess.run([sys.executable, "-c", _IMPORT_PROBE, str(folder)], capture_output=True, text=True, timeout=300, cwd=folder)
    assert done.stdout.strip().splitlines()[-1] in ("TREE_SITTER_IMPORTED", "NOT_IMPORTED"), done.stderr
    return done.stdout.strip().splitlines()[-1] == "TREE_SITTER_IMPORTED"


def test_tree_sitter_is_never_imported_for_a_python_only_repository(tmp_path):
    (tmp_path / "app.py").write_text(
        "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n"
        "@app.websocket('/ws')\nasync def ws(websocket: WebSocket):\n    await websocket.accept()\n"
    )
    (tmp_path / "README.md").write_text("new WebSocket('/ws', ['a'])\n")
    assert not _tree_sitter_imported(tmp_path)


def test_tree_sitter_is_imported_when_a_client_file_is_in_the_run(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "client.ts").write_text("export const s = new WebSocket('/ws', ['a']);\n")
    assert _tree_sitter_imported(tmp_path)


def test_html_pages_and_graphql_client_libraries():
    page = (
        "<html><body>\n<script src='//cdn/x.js'></script>\n<script>\n"
        "var c = new window.SubscriptionsTransportWs.SubscriptionClient(url, {reconnect: true});\n"
        "</script></body></html>\n"
    )
    assert websocket_clients(page, "graphiql.html") == [BrowserClient(4, 8, None, ("graphql-ws",))]
    module = 'import { createClient } from "graphql-ws";\nexport const c = createClient({ url: "wss://api/graphql" });\n'
    assert _offers(module, "client.ts") == [(2, "wss://api/graphql", ("graphql-transport-ws",))]
    unrelated = "const c = createClient({ url: '/x' });\n"  # another library's createClient
    assert _offers(unrelated, "client.ts") == []
