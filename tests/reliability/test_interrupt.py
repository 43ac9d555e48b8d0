"""Ctrl-C during a parallel run: one line, exit 2, and no worker process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ..conftest import infralint_command

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX"), pytest.mark.integration]

# enough work that a run on two cores is still busy when interrupted
_BODY = "".join(f"def handler_{i}(request):\n    value = request.get('{i}')\n    return value or {i}\n\n\n" for i in range(800))


def test_ctrl_c_stops_a_parallel_run_cleanly(tmp_path):
    for index in range(300):
        (tmp_path / f"module_{index}.py").write_text(_BODY)
    run = subprocess.Popen(
        [*infralint_command(), "check", "--no-cache", "--jobs", "2", "--exit-zero", "."],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    time.sleep(1.5)
    if run.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    os.killpg(run.pid, signal.SIGINT)  # as a terminal does: the whole process group
    stderr = run.communicate(timeout=60)[1].decode()
    assert run.returncode == 2
    assert stderr.strip() == "infralint: interrupted"  # no worker prints a traceback
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(run.pid, 0)
        except ProcessLookupError:
            break  # nothing of the group is left
        time.sleep(0.1)
    else:
        pytest.fail("a worker process outlived the interrupted run")
