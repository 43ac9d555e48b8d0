"""The Markdown report: machine, versions, date, the timing table and the targets."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from importlib import metadata

from .measure import Outcome

REFERENCE = "cold1"


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    return f"{model}, {cores} cores usable{memory}, {platform.system()} {platform.release()}"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "missing"


def _ruff_version(ruff: str | None) -> str:
    if not ruff:
        return "missing"
    try:
        out = subprocess.run([ruff, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "missing"
    return out.split()[-1] if out.strip() else "unknown"


def versions(ruff: str | None) -> str:
    parts = [f"Python {platform.python_version()}"]
    parts += [f"{name} {_version(name)}" for name in ("infralint", "pyflakes", "flake8", "pylint")]
    parts.append(f"ruff {_ruff_version(ruff)}")
    return ", ".join(parts)


def _fmt_seconds(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def table(outcomes: list[Outcome], total_files: int) -> str:
    by_key = {o.peer.key: o for o in outcomes}
    reference = by_key.get(REFERENCE)
    per_file_ref = reference.seconds / reference.files if reference and reference.ok else None
    rows = [
        "| command | files | median wall s | median CPU s | files/s | time per file ÷ infralint cold `--jobs 1` | peak RSS MiB | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for outcome in outcomes:
        peer = outcome.peer
        if peer.missing:
            rows.append(f"| {peer.label} | – | – | – | – | – | – | missing: {peer.missing} |")
            continue
        if not outcome.ok:
            rows.append(f"| {peer.label} | {outcome.files} | – | – | – | – | – | failed: {outcome.failure} |")
            continue
        notes = list(peer.notes)
        if outcome.files < total_files:
            notes.insert(0, f"sample of {outcome.files} of {total_files} files")
        if outcome.warning:
            notes.append(outcome.warning)
        ratio = (outcome.seconds / outcome.files) / per_file_ref if per_file_ref else None
        rows.append(
            f"| {peer.label} | {outcome.files} | {_fmt_seconds(outcome.seconds)} | {_fmt_seconds(outcome.cpu_seconds)} | {outcome.files_per_second:.0f} | "
            f"{'–' if ratio is None else f'{ratio:.2f}'} | {outcome.max_rss_mib:.0f} | {'; '.join(notes)} |"
        )
    return "\n".join(rows)


def _per_file(outcome: Outcome | None) -> float | None:
    return outcome.seconds / outcome.files if outcome and outcome.ok else None


def targets(outcomes: list[Outcome]) -> str:
    """Each target of the performance budget with the measured figure and whether it is met."""
    by_key = {o.peer.key: o for o in outcomes}
    cold1, cold_n, warm = (_per_file(by_key.get(k)) for k in ("cold1", "coldN", "warm"))
    pyflakes, ruff_warm, ruff_cold = (_per_file(by_key.get(k)) for k in ("pyflakes", "ruff-warm", "ruff-cold"))
    lines = ["| target | measured | met |", "| --- | --- | --- |"]

    def ratio_row(label: str, mine: float | None, theirs: float | None, limit: float, against: str) -> None:
        if mine is None or theirs is None:
            lines.append(f"| {label} | not measured | – |")
            return
        ratio = mine / theirs
        lines.append(f"| {label} | {ratio:.2f} × {against} | {'yes' if ratio <= limit else 'no'} |")

    ratio_row("cold `--jobs 1` ≤ 1 × pyflakes", cold1, pyflakes, 1.0, "pyflakes")
    ratio_row("cold all cores ≤ 0.6 × pyflakes", cold_n, pyflakes, 0.6, "pyflakes")
    ratio_row("`--format sarif` ≤ 1.2 × concise", _per_file(by_key.get("sarif1")), cold1, 1.2, "concise")
    ratio_row("warm ≤ 3 × ruff (ruff with its cache)", warm, ruff_warm, 3.0, "ruff warm")
    ratio_row("warm ≤ 3 × ruff (ruff without cache)", warm, ruff_cold, 3.0, "ruff cold")
    full = by_key.get("cold1")
    halves = [o for o in (by_key.get("half"), by_key.get("other-half")) if o and o.ok]
    if full and full.ok:
        peak = max(o.max_rss_mib for o in outcomes if o.ok and o.peer.key in ("cold1", "coldN", "warm", "half", "other-half"))
        lines.append(f"| peak memory < 300 MiB | {peak:.0f} MiB (largest infralint process) | {'yes' if peak < 300 else 'no'} |")
    if full and full.ok and len(halves) == 2:
        hungrier = max(h.max_rss_mib for h in halves)
        growth = full.max_rss_mib / hungrier
        lines.append(
            f"| memory flat as files double | halves of {halves[0].files} and {halves[1].files} files: "
            f"{halves[0].max_rss_mib:.0f} and {halves[1].max_rss_mib:.0f} MiB → {full.max_rss_mib:.0f} MiB on {full.files} files "
            f"(× {growth:.2f} of the hungrier half) | {'yes' if growth < 1.15 else 'no'} |"
        )
    return "\n".join(lines)


def render(outcomes: list[Outcome], *, paths: list[str], total_files: int, total_lines: int, runs: int, ruff: str | None, codes: list[str]) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"**Files:** {total_files} Python files, {total_lines:,} lines, under {', '.join(f'`{p}`' for p in paths)}  ",
            f"**Machine:** {machine()}  ",
            f"**Versions:** {versions(ruff)}  ",
            f"**Date:** {now}; median of {runs} runs each, tools interleaved; rules: {len(codes)} ({', '.join(codes)})  ",
            f"**Command:** `{' '.join(['python -m bench', *sys.argv[1:]])}`",
            "",
            table(outcomes, total_files),
            "",
            targets(outcomes),
            "",
        ]
    )
