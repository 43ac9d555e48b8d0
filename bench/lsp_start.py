"""`python -m bench.lsp_start [--runs N]`: how fast the language server answers an editor.

Starts `infralint lsp` (and `ruff server` when installed) over stdio, sends `initialize`, and
reports the median time until its answer, then until the first diagnostics of an opened document.
Standard library only: the client speaks JSON-RPC with Content-Length framing itself.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCUMENT = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"


def _send(proc: subprocess.Popen, message: dict) -> None:
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def _receive(proc: subprocess.Popen) -> dict:
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise EOFError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return json.loads(proc.stdout.read(length))


def _wait_for(proc: subprocess.Popen, accept) -> dict:
    while True:
        message = _receive(proc)
        if accept(message):
            return message


def measure(argv: list[str], folder: Path) -> tuple[float, float]:
    """(seconds to the initialize answer, seconds to the first diagnostics after didOpen)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        _send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}}})
        _wait_for(proc, lambda m: m.get("id") == 1)
        initialized = time.perf_counter() - started
        _send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        uri = (folder / "job.py").as_uri()
        opened = time.perf_counter()
        _send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": DOCUMENT}}})
        _wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        diagnostics = time.perf_counter() - opened
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        _wait_for(proc, lambda m: m.get("id") == 2)
        _send(proc, {"jsonrpc": "2.0", "method": "exit", "params": None})
        proc.wait(timeout=10)
        return initialized, diagnostics
    finally:
        if proc.poll() is None:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lsp_start")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    servers = [("infralint lsp", [sys.executable, "-m", "infralint", "lsp"])]
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff:
        servers.append(("ruff server", [ruff, "server"]))
    lines = ["| language server | `initialize` answered | first diagnostics after `didOpen` |", "| --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="infralint-lsp-") as work:
        folder = Path(work)
        (folder / "job.py").write_text(DOCUMENT)
        for label, command in servers:
            samples = [measure(command, folder) for _ in range(args.runs)]
            first = statistics.median(s[0] for s in samples)
            second = statistics.median(s[1] for s in samples)
            lines.append(f"| {label} | {first * 1000:.0f} ms | {second * 1000:.0f} ms |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
