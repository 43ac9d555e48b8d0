"""The language server over stdio, sent what a broken or hostile client sends: every request is
answered (an error for what it cannot read) and the server keeps answering, `shutdown` included.

The client here writes raw frames (a real LSP client library refuses to send such messages)."""

from __future__ import annotations

import json
import queue
import subprocess
import threading

import pytest

from ..conftest import infralint_command

pytestmark = pytest.mark.integration

INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32600, -32601, -32602


class RawClient:
    def __init__(self) -> None:
        self.process = subprocess.Popen([*infralint_command(), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict | list | str) -> None:
        body = (message if isinstance(message, str) else json.dumps(message)).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def answer(self, msg_id, timeout: float = 30.0) -> dict:
        """The response to `msg_id` (the timeout only guards against a server that never answers)."""
        while True:
            message = self.messages.get(timeout=timeout)
            assert message is not None, "the server closed its output"
            if "method" not in message and message.get("id") == msg_id:
                return message

    def close(self) -> int:
        self.send({"jsonrpc": "2.0", "id": "bye", "method": "shutdown"})
        assert self.answer("bye").get("result", "missing") is None
        self.send({"jsonrpc": "2.0", "method": "exit"})
        return self.process.wait(timeout=30)


@pytest.fixture
def client():
    raw = RawClient()
    raw.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}})
    assert "capabilities" in raw.answer(0)["result"]
    raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    yield raw
    if raw.process.poll() is None:
        raw.process.kill()
        raw.process.wait(timeout=30)


@pytest.mark.parametrize(
    "message, answered_as, code",
    [
        ({"jsonrpc": "2.0", "id": None, "method": None}, None, INVALID_REQUEST),
        ({"jsonrpc": "2.0", "id": 11, "method": None, "params": {}}, 11, INVALID_REQUEST),
        ({"jsonrpc": "2.0", "id": 12, "method": "textDocument/hover", "params": "x"}, 12, INVALID_REQUEST),
        ({"jsonrpc": "2.0", "id": 13, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///x.py"}}}, 13, INVALID_PARAMS),
        ({"jsonrpc": "1.0", "id": 14, "method": "shutdown"}, 14, INVALID_REQUEST),
        ([], None, INVALID_REQUEST),
    ],
    ids=["null-method-null-id", "null-method", "params-not-object", "params-wrong-shape", "wrong-version", "batch"],
)
def test_a_malformed_request_is_answered_and_the_server_goes_on(client, message, answered_as, code):
    client.send(message)
    assert client.answer(answered_as)["error"]["code"] == code
    client.send({"jsonrpc": "2.0", "id": 20, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 0}}})
    assert "error" not in client.answer(20)
    assert client.close() == 0


@pytest.mark.parametrize("params", [{}, None], ids=["with-params", "without-params"])
def test_an_unknown_method_is_method_not_found(client, params):
    request = {"jsonrpc": "2.0", "id": 30, "method": "infralint/unknown"}
    if params is not None:
        request["params"] = params
    client.send(request)
    assert client.answer(30)["error"]["code"] == METHOD_NOT_FOUND
    assert client.close() == 0


def test_malformed_notifications_and_bodies_are_dropped_and_the_server_goes_on(client):
    client.send({"jsonrpc": "2.0", "method": None})
    client.send({"jsonrpc": "2.0", "id": 99})  # a response to nothing, without a result
    client.send("not json")
    client.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 3}})
    assert client.close() == 0
