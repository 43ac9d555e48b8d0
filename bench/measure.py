"""Time the peers round-robin (so a burst of background load hits every tool alike); keep medians."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .peers import Peer

PROBE = Path(__file__).resolve().parent / "probe.py"


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    max_rss_kib: int


@dataclass
class Outcome:
    """Every measurement of one peer, or why there is none."""

    peer: Peer
    files: int
    samples: list[Sample] = field(default_factory=list)
    failure: str | None = None
    #: something worth a footnote that does not void the timing (an internal error on one file)
    warning: str | None = None

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def max_rss_mib(self) -> float:
        return max(s.max_rss_kib for s in self.samples) / 1024

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds if self.seconds else float("inf")

    @property
    def ok(self) -> bool:
        return self.failure is None and self.peer.missing is None and bool(self.samples)


def probe(argv: list[str], cwd: Path) -> dict:
    proc = subprocess.run([sys.executable, str(PROBE), str(cwd), "--", *argv], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-300:] or f"probe exited {proc.returncode}"}
    return json.loads(proc.stdout)


def _failure(peer: Peer, report: dict) -> str | None:
    if "error" in report:
        return report["error"]
    if not peer.ok_returncodes(report["returncode"]):
        last = report["stderr"].strip().splitlines()[-1:] or [""]
        return f"exit code {report['returncode']}: {last[0][:200]}"
    return None


def _warning(report: dict) -> str | None:
    if "internal error" in report.get("stderr", ""):
        return "internal error" + report["stderr"].split("internal error", 1)[1].splitlines()[0][:200]
    return None


def run_all(peers: list[Peer], file_sets: dict[str, list[str]], cwd: Path, runs: int, log=print) -> list[Outcome]:
    """`file_sets[peer.key]` is that peer's (relative) file list."""
    outcomes = [Outcome(peer, len(file_sets[peer.key])) for peer in peers]
    for outcome in outcomes:
        if outcome.peer.warm_up and outcome.peer.missing is None:
            log(f"  warming up {outcome.peer.label}")
            outcome.failure = _failure(outcome.peer, probe(outcome.peer.argv(file_sets[outcome.peer.key]), cwd))
    for round_number in range(1, runs + 1):
        for outcome in outcomes:
            if outcome.peer.missing or outcome.failure:
                continue
            report = probe(outcome.peer.argv(file_sets[outcome.peer.key]), cwd)
            outcome.failure = _failure(outcome.peer, report)
            if outcome.failure:
                log(f"  run {round_number}/{runs} {outcome.peer.label}: FAILED ({outcome.failure})")
                continue
            outcome.warning = outcome.warning or _warning(report)
            outcome.samples.append(Sample(report["seconds"], report["cpu_seconds"], report["max_rss_kib"]))
            log(f"  run {round_number}/{runs} {outcome.peer.label}: {report['seconds']:.2f} s, {report['max_rss_kib'] / 1024:.0f} MiB")
    return outcomes
