"""Run one command and report its wall time and peak memory as JSON on standard output.

Started as a fresh process for every measurement, so `RUSAGE_CHILDREN` covers exactly the measured
command (and the worker processes it waited for) and nothing measured before it. Standard library
only: it runs as a script, outside the repository's import path.

    python probe.py CWD -- COMMAND [ARGS...]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

STDERR_TAIL = 600


def main(argv: list[str]) -> int:
    cwd, separator, *command = argv
    if separator != "--" or not command:
        print("usage: probe.py CWD -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        # the largest resident set of the command or any process it waited for, in KiB on Linux
        "max_rss_kib": usage.ru_maxrss,
        "returncode": proc.returncode,
        "stderr": proc.stderr.decode("utf-8", "replace")[-STDERR_TAIL:],
    }
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
