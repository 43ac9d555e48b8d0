"""INF501–INF504: fixtures with inline expectations, the clean look-alikes, and the INF501 fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infralint.api import fix_source, lint_source
from infralint.cache import ResultCache
from infralint.discovery import discover
from infralint.engine import iter_findings, lint_files

from ...conftest import config_for, run_infralint
from ...project.helpers import lint_project_fixture

WS = Path(__file__).parent / "fixtures"
CODES = ["INF501", "INF502", "INF503", "INF504"]
PROJECTS = WS / "projects"
# the fixtures (`*.py`, `clean/`, `projects/`) are run by tests/rules/test_rule_units.py


# -- the INF501 fix ---------------------------------------------------------------------------------

HANDLER = '''from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    offered = websocket.scope.get("subprotocols", [])
    if "jwt-auth" not in offered:
        await websocket.close(code=4401)
        return
    await websocket.accept(
        headers=[(b"x-served-by", b"chat")],
    )
'''


def test_fix_selects_the_literal_the_handler_compares_with():
    findings = lint_source(HANDLER, "app/chat.py", config_for(["INF501"]))
    assert [(f.line, f.fix.title, f.fix.safety.value) for f in findings] == [
        (12, 'Select `jwt-auth` with `subprotocol="jwt-auth"`', "unsafe")
    ]
    assert fix_source(HANDLER, "app/chat.py", config_for(["INF501"])).text == HANDLER  # unsafe: not by default
    fixed = fix_source(HANDLER, "app/chat.py", config_for(["INF501"]), unsafe=True).text
    assert fixed == HANDLER.replace('        headers=[(b"x-served-by", b"chat")],\n', '        headers=[(b"x-served-by", b"chat")],\n        subprotocol="jwt-auth",\n')
    assert lint_source(fixed, "app/chat.py", config_for(CODES)) == []
    assert fix_source(fixed, "app/chat.py", config_for(["INF501"]), unsafe=True).text == fixed


def test_each_accept_gets_its_own_fix():
    # the fixes of two findings with the same selection are built at each one's own accept call
    text = HANDLER.replace(
        '        await websocket.close(code=4401)\n        return\n',
        '        await websocket.accept()\n        await websocket.close(code=4401)\n        return\n',
    )
    findings = lint_source(text, "app/chat.py", config_for(["INF501"]), resolve_fixes=True)
    assert [(f.line, [e.start_line for e in f.fix.edits]) for f in findings] == [(10, [10]), (13, [15])]


def test_no_fix_when_the_name_is_not_known():
    text = HANDLER.replace('if "jwt-auth" not in offered:', 'if not offered or "a" not in offered or "b" not in offered:')
    findings = lint_source(text, "app/chat.py", config_for(["INF501"]))
    assert [(f.line, f.fix) for f in findings] == [(12, None)]


@pytest.mark.integration
def test_fix_takes_the_first_literal_the_clients_offer(tmp_path, monkeypatch):
    root = tmp_path / "incident"
    shutil.copytree(PROJECTS / "incident", root)
    done = run_infralint("check", ".", "--select", "INF501", "--fix", "--unsafe-fixes", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    fixed = (root / "backend" / "app" / "chat.py").read_text()
    assert fixed.count('await websocket.accept(subprotocol="jwt-auth")') == 4
    assert "await websocket.accept()" not in fixed
    again = run_infralint("check", ".", "--select", "INF5", "--no-cache", cwd=root)
    assert again.returncode == 0, again.stdout.decode()


# -- options ----------------------------------------------------------------------------------------


def test_token_protocol_pattern_option():
    text = "async def h(websocket: WebSocket, t):\n    await websocket.accept(subprotocol=f'session~{t}')\n"
    text = "from starlette.websockets import WebSocket\n\n\n" + text
    assert lint_source(text, "a.py", config_for(["INF502"])) == []
    findings = lint_source(text, "a.py", config_for(["INF502"], {"websocket.token-protocol-pattern": "^session~"}))
    assert [f.line for f in findings] == [5]


def test_extra_accept_calls_option():
    text = (
        "from fastapi import FastAPI, WebSocket\nfrom app.auth import accept_authenticated\n\napp = FastAPI()\n\n\n"
        "@app.websocket('/ws')\nasync def ws(websocket: WebSocket):\n"
        "    token = websocket.headers.get('sec-websocket-protocol')\n"
        "    await accept_authenticated(websocket, token)\n"
        "    await websocket.send_text('hi')\n"
    )
    assert lint_source(text, "a.py", config_for(CODES)) == []
    findings = lint_source(text, "a.py", config_for(CODES, {"websocket.extra-accept-calls": ["app.auth.accept_authenticated"]}))
    assert [(f.code, f.line) for f in findings] == [("INF501", 10)]


def test_client_globs_option(tmp_path):
    findings = lint_project_fixture(PROJECTS / "mismatch", tmp_path, ["INF502"]).findings
    assert [f.line for f in findings] == [12, 19, 25]
    options = {"websocket.client-globs": ["frontend/*.ts"]}  # the browser clients in web/ no longer count
    findings = lint_project_fixture(PROJECTS / "mismatch", tmp_path / "again", ["INF502"], options).findings
    # only the constant selected without looking at the offer is left, whoever the clients are
    assert [(f.line, "without looking at the offer" in f.message) for f in findings] == [(25, True)]


@pytest.mark.integration
def test_config_options_are_validated(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.infralint.websocket]\ntoken-protocol-pattern = 3\n')
    done = run_infralint("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "websocket.token-protocol-pattern" in done.stderr.decode()


# -- cache: a finding that read a client's facts changes when only the client changes ----------------


def test_editing_the_typescript_client_refreshes_the_server_finding(tmp_path, monkeypatch):
    root = tmp_path / "mismatch"
    shutil.copytree(PROJECTS / "mismatch", root)
    monkeypatch.chdir(root)
    config = config_for(["INF502"])
    config.root = root

    def run() -> list[str]:
        cache = ResultCache(root, config.fingerprint(), False)
        files = discover([Path(".")], config)
        findings = [f"{f.path}:{f.line}" for f in iter_findings(lint_files(files, config, cache=cache))]
        cache.save()
        return findings

    assert run() == ["svc/feed.py:12", "svc/feed.py:19", "svc/feed.py:25"]
    assert run() == ["svc/feed.py:12", "svc/feed.py:19", "svc/feed.py:25"]  # warm
    client = root / "web" / "feed.js"
    client.write_text(client.read_text().replace('const FEED = "feed.v1";', 'const FEED = "feed.v2";'))
    assert run() == ["svc/feed.py:19", "svc/feed.py:25"]  # only the client changed; the server finding went
