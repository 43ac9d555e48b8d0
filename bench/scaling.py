"""`python -m bench.scaling [--runs N]`: does time grow linearly with what one file holds?

Generates one file with N, 2N and 4N of a shape that used to be quadratic — functions reading a
missing name (the near-miss spelling search), `elif` arms, hoistable cleanup imports under
`--fix` — times `infralint check` on each (median of the runs), and prints each size's time and
its ratio to the size before (2.0 is linear). Also times the CI formats against `concise` on a
file with many fixable findings (the "task-queue-sized" module).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULES = ["json", "logging", "os", "re", "shutil", "socket", "struct", "time", "traceback", "uuid", "zlib", "redis"]


def missing_name(n: int) -> str:
    return "".join(f"def f{i}(x):\n    return np.asarray(x) + {i}\n\n\n" for i in range(n))


def elifs(n: int) -> str:
    arms = "".join(f"    elif code == {i}:\n        return {i}\n" for i in range(1, n))
    return f"def classify(code):\n    if code == 0:\n        return 0\n{arms}"


def hoists(n: int) -> str:
    parts = ['"""Worker."""\n\nimport sys\n']
    for i in range(n):
        module = MODULES[i % len(MODULES)]
        parts.append(f"\n\ndef close_{i}(conn):\n    try:\n        conn.close()\n    finally:\n        import {module} as {module}_{i}\n        {module}_{i}.flush()\n")
    return "".join(parts)


SHAPES = [
    ("functions reading a missing `np`", missing_name, 1000, ["--select", "INF1"]),
    ("`elif` arms in one function", elifs, 250, ["--select", "INF"]),
    ("hoistable imports, `--fix --unsafe-fixes`", hoists, 50, ["--select", "INF201", "--fix", "--unsafe-fixes"]),
]


def timed(argv: list[str], cwd: Path, runs: int, prepare=None) -> float:
    samples = []
    for _ in range(runs):
        if prepare:
            prepare()
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    base = [sys.executable, "-m", "infralint", "check", "--no-cache", "--jobs", "1", "--format", "concise", "--exit-zero"]
    lines = ["| shape | N | time | × previous |", "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="infralint-scaling-") as work:
        folder = Path(work)
        (folder / "pyproject.toml").write_text("[tool.infralint]\nrespect-gitignore = false\n")
        for label, make, n, extra in SHAPES:
            previous = None
            for size in (n, 2 * n, 4 * n):
                path = folder / "shape.py"
                text = make(size)
                seconds = timed([*base, *extra, "shape.py"], folder, args.runs, prepare=lambda: path.write_text(text))
                growth = f"{seconds / previous:.2f}" if previous else "–"
                lines.append(f"| {label} | {size} | {seconds:.2f} s | {growth} |")
                print(lines[-1], file=sys.stderr, flush=True)
                previous = seconds
        lines += ["", "| many fixable findings in one file (30 hoists) | time | × concise |", "| --- | --- | --- |"]
        (folder / "tasks.py").write_text(hoists(30))
        formats = {}
        for label, extra in [("concise", []), ("json", ["--format", "json"]), ("sarif", ["--format", "sarif"]), ("sarif --show-fixes", ["--format", "sarif", "--show-fixes"])]:
            formats[label] = timed([*base, "--select", "INF", *extra, "tasks.py"], folder, args.runs)
            lines.append(f"| `{label}` | {formats[label]:.2f} s | {formats[label] / formats['concise']:.2f} |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
