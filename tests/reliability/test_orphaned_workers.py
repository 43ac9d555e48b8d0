"""Workers never outlive the run: when the main process is killed outright (SIGKILL: it stops no
one), every worker it started ends too instead of waiting forever to send results nobody reads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import infralint_command

pytestmark = [pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc"), pytest.mark.integration]

# several findings per file: the results of a worker's tasks fill the pipe back to the main process
FINDINGS = "def close{n}(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n        import json\n        import os\n"


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def workers_of(pid: int) -> set[int]:
    """The forked workers: children running the main process's own command line (discovery's
    short-lived `git` children are not workers)."""
    own = cmdline(pid)
    return {child for child in children_of(pid) if own and cmdline(child) == own}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, guard: float) -> bool:
    """Poll `condition` until it holds; `guard` only bounds a failing test."""
    deadline = time.monotonic() + guard
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_workers_end_when_the_main_process_is_killed(tmp_path: Path):
    for package in range(40):
        folder = tmp_path / f"pkg{package}"
        folder.mkdir()
        for module in range(25):
            (folder / f"m{module}.py").write_text("".join(FINDINGS.format(n=n) for n in range(20)))
    main = subprocess.Popen([*infralint_command(), "check", "--no-cache", "--jobs", "2", "."], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: workers_of(main.pid) or main.poll() is not None, guard=60), "no worker started"
        workers = workers_of(main.pid)
        assert workers and main.poll() is None, "the run ended before a worker could be seen"
        os.kill(main.pid, signal.SIGKILL)
        main.wait(timeout=30)
        assert wait_for(lambda: not any(alive(pid) for pid in workers), guard=60), [pid for pid in workers if alive(pid)]
    finally:
        for pid in children_of(main.pid) | (workers if "workers" in locals() else set()):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if main.poll() is None:
            main.kill()
