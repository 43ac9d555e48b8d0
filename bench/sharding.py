"""`python -m bench.sharding [--files N] [--shards N] [--runs N]`: one run against a split run.

On the generated multi-module service of `bench.project_model`, times one `infralint check
--format sarif` against the same work split over N shards (`check --shard K/N --partial-out`,
each a fresh one-core process run one after the other, as N CI runners would run them side by
side) and one `merge --format sarif`. A split run's wall time is its slowest shard plus the merge.
Every process gets `--jobs 1` (one core each) and `--no-cache` (cold). The merged report is
checked byte for byte against the one run's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from .project_model import _timed, generate


def _infralint(*args: str) -> list[str]:
    return [sys.executable, "-m", "infralint", *args]


def _one_round(root: Path, out: Path, shards: int) -> dict[str, tuple[float, float]]:
    """(wall s, CPU s) of each step; a shared machine's load shows as wall time above CPU time."""
    timings = {"one run": _timed(_infralint("check", "--no-cache", "--jobs", "1", "--format", "sarif", "--output-file", str(out / "one.sarif")), root)[:2]}
    runs = []
    for index in range(1, shards + 1):
        command = _infralint("check", "--no-cache", "--jobs", "1", "--shard", f"{index}/{shards}", "--partial-out", str(out / f"{index}.json"))
        runs.append(_timed(command, root)[:2])
    partials = [str(out / f"{index}.json") for index in range(1, shards + 1)]
    timings["slowest shard"] = max(runs)
    timings["fastest shard"] = min(runs)
    timings["merge"] = _timed(_infralint("merge", "--jobs", "1", "--format", "sarif", "--output-file", str(out / "merged.sarif"), *partials), root)[:2]
    timings["slowest shard + merge"] = (timings["slowest shard"][0] + timings["merge"][0], timings["slowest shard"][1] + timings["merge"][1])
    if (out / "one.sarif").read_bytes() != (out / "merged.sarif").read_bytes():
        raise SystemExit("the merged report differs from the one run's")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sharding", description=__doc__.split("\n\n")[1])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="infralint-sharding-") as work:
        root, out = Path(work) / "service", Path(work) / "partials"
        root.mkdir()
        out.mkdir()
        files = generate(root, args.files)
        rounds = [_one_round(root, out, args.shards) for _ in range(args.runs)]
        partial_kib = sum((out / f"{index}.json").stat().st_size for index in range(1, args.shards + 1)) / 1024
    print(f"**Generated service:** {len(files)} files, {args.shards} shards, `--jobs 1` per process, cold; median of {args.runs} rounds\n")
    print("| run | median wall s | median CPU s |")
    print("| --- | ---: | ---: |")
    for label in rounds[0]:
        wall = statistics.median(r[label][0] for r in rounds)
        cpu = statistics.median(r[label][1] for r in rounds)
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")
    one = statistics.median(r["one run"][0] for r in rounds)
    split = statistics.median(r["slowest shard + merge"][0] for r in rounds)
    print(f"\nSplit run / one run: {split / one:.2f}; the {args.shards} partials hold {partial_kib:.0f} KiB of JSON.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
