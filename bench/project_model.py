"""`python -m bench.project_model [--files N] [--runs N]`: the project model on a synthetic service.

Generates a multi-module service of N files (packages of modules that call each other, routers
with prefixes included from `main.py`, health routes, checks registered in other modules, clients
built with timeouts from settings), then times `infralint check --jobs 1` with and without the
project phase (fresh processes, median of the runs) and measures the join itself in-process: time
to build the `Project` from every file's facts and compose its routes, and the memory it holds.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

_PACKAGE_SIZE = 50

_SETTINGS = '''import os

REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
REDIS_SOCKET_TIMEOUT = float(os.getenv("REDIS_SOCKET_TIMEOUT", "2"))
CHECK_TIMEOUT = 2.0
CHECK_RETRIES = 3
'''

_MODULE = '''"""Module {index} of package {package}."""

import asyncio

from fastapi import APIRouter

from ..settings import CHECK_RETRIES, CHECK_TIMEOUT
from . import {neighbour} as neighbour
from .registry import registry

router = APIRouter(prefix="/{package}/m{index}")
LIMIT_{index} = {index} * 2


class Service{index}:
    def __init__(self):
        self.items = []

    async def load(self, key):
        value = await neighbour.fetch(key)
        self.items.append(value)
        return self.transform(value)

    def transform(self, value):
        return [value, LIMIT_{index}]


async def fetch(key):
    await asyncio.sleep(0)
    return {{"key": key}}


async def compute(values):
    tasks = [fetch(v) for v in values]
    return await asyncio.gather(*tasks)


@router.get("/items/{{item_id}}")
async def get_item(item_id: int):
    return await Service{index}().load(item_id)


@router.post("/items")
async def create_item(payload: dict):
    return await compute(list(payload))
{extra}'''

_HEALTH_ROUTE = '''

@router.get("/health/ready")
async def ready():
    return await registry.run_all()
'''

_CHECK = '''

async def ping_{index}():
    return True


registry.register_check(name="check-{index}", check=ping_{index}, timeout_seconds=CHECK_TIMEOUT, retry_count=CHECK_RETRIES)
'''

_REGISTRY = '''class Registry:
    def __init__(self):
        self.checks = []

    def register_check(self, name, check, timeout_seconds, retry_count=1):
        self.checks.append((name, check, timeout_seconds, retry_count))

    async def run_all(self):
        return [await check() for _, check, *_ in self.checks]


registry = Registry()
'''

_CLIENT = '''import redis.asyncio as aioredis

from ..settings import REDIS_SOCKET_TIMEOUT, REDIS_URL

client = aioredis.from_url(REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)
'''


def generate(root: Path, files: int) -> list[Path]:
    """A service package `svc/` with about `files` Python files."""
    service = root / "svc"
    service.mkdir(parents=True)
    (service / "__init__.py").write_text("")
    (service / "settings.py").write_text(_SETTINGS)
    packages = max(1, (files - 3) // (_PACKAGE_SIZE + 3))
    main_lines = ["from fastapi import FastAPI", ""]
    includes = []
    for p in range(packages):
        name = f"pkg{p}"
        folder = service / name
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        (folder / "registry.py").write_text(_REGISTRY)
        (folder / "clients.py").write_text(_CLIENT)
        for m in range(_PACKAGE_SIZE):
            extra = (_HEALTH_ROUTE if m % 10 == 0 else "") + (_CHECK.format(index=m) if m % 7 == 0 else "")
            text = _MODULE.format(index=m, package=name, neighbour=f"m{(m + 1) % _PACKAGE_SIZE}", extra=extra)
            (folder / f"m{m}.py").write_text(text)
            if m % 5 == 0:
                main_lines.append(f"from .{name} import m{m} as {name}_m{m}")
                includes.append(f'app.include_router({name}_m{m}.router, prefix="/api")')
    (service / "main.py").write_text("\n".join(main_lines + ["", "app = FastAPI()", *includes, ""]))
    return sorted(root.rglob("*.py"))


def _timed(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS MiB of the child) of one fresh process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss // 1024


_IN_PROCESS = '''
import sys
from pathlib import Path
from infralint.config import Config
from infralint.engine import lint_files
files = sorted(Path(".").rglob("*.py"))
list(lint_files(files, Config(root=Path(".").resolve()), jobs=1, use_project={use_project}))
'''


def _join_cost(root: Path) -> dict:
    """Time and memory of the join alone, from facts extracted beforehand."""
    from infralint.config import Config
    from infralint.engine import join_project, lint_files

    cwd = os.getcwd()
    os.chdir(root)
    try:
        files = sorted(Path(".").rglob("*.py"))
        results = list(lint_files(files, Config(root=Path(".").resolve()), jobs=1, want_facts=True))
        facts = sum(len(r.facts.facts) for r in results if r.facts)
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        project = join_project(results)
        endpoints = project.endpoints()
        project.callers("")  # builds the callers index
        callers = project.index.callers_of or {}
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        serialized = sum(len(json.dumps(r.facts.to_dict())) for r in results if r.facts)
        return {"files": len(files), "facts": facts, "endpoints": len(endpoints), "call_names": len(callers),
                "join_s": elapsed, "join_mib": peak / 2**20, "facts_json_mib": serialized / 2**20}
    finally:
        os.chdir(cwd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.project_model", description=__doc__.split("\n\n")[1])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="infralint-project-") as work:
        root = Path(work)
        files = generate(root, args.files)
        rows = {}
        for label, use in (("with the project phase", True), ("without (every file alone)", False)):
            rows[label] = []
        for _ in range(args.runs):  # interleaved, so background load hits both alike
            for label, use in (("with the project phase", True), ("without (every file alone)", False)):
                code = _IN_PROCESS.format(use_project=use)
                rows[label].append(_timed([sys.executable, "-c", code], root))
        join = _join_cost(root)
    print(f"**Synthetic service:** {len(files)} files, {join['facts']} facts, {join['endpoints']} endpoints; median of {args.runs} runs, `--jobs 1`\n")
    print("| run | median wall s | median CPU s | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: |")
    for label, samples in rows.items():
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        rss = max(s[2] for s in samples)
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {rss} |")
    print(
        f"\nJoin (in the main process, facts already extracted): {join['join_s'] * 1000:.0f} ms, "
        f"{join['join_mib']:.1f} MiB allocated for the indexes and composed routes; "
        f"the facts themselves serialise to {join['facts_json_mib']:.1f} MiB of JSON."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
