"""Which process lints which file: this one alone for a few files, a pool of workers otherwise,
with tasks of about equal size so the processes finish together; and what a worker does after
the join (`ProjectPhase`)."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..config import Config
from ..results import FileResult
from .files import lint_path
from .linter import Linter

if TYPE_CHECKING:
    from ..parallel import Pool

POOL_MIN_FILES = 24  # below this, starting worker processes costs more than it saves
_TASKS_PER_WORKER = 16  # tasks per process of a parallel run, of about equal bytes each
_MAX_FILES_PER_TASK = 32


def lint_pending(linter: Linter, pending: list[Path], jobs: int, resolve_fixes: bool) -> tuple[Iterator[tuple[int, FileResult]], "Pool | None"]:
    """(position in `pending`, result) for every pending file, and the pool linting them (None:
    this process alone)."""
    defer = bool(linter.project_rules) and linter.collect_facts
    if jobs <= 1 or len(pending) < POOL_MIN_FILES:
        return ((position, lint_path(linter, path, resolve_fixes, defer=defer)) for position, path in enumerate(pending)), None
    from ..parallel import Pool  # only for a cold, parallel run

    chunks = balanced_chunks(pending, jobs)
    tasks = [[pending[position] for position in chunk] for chunk in chunks]
    make_linter = partial(Linter, linter.config, collect_facts=linter.collect_facts)
    lint_file = partial(lint_path, resolve_fixes=resolve_fixes, defer=defer)
    pool = Pool(linter, make_linter, lint_file, tasks, jobs, ProjectPhase(linter.config, resolve_fixes) if defer else None)
    return ((position, result) for index, results in pool.first_phase() for position, result in zip(chunks[index], results)), pool


def balanced_chunks(pending: list[Path], jobs: int) -> list[list[int]]:
    """Positions in `pending`, grouped into the tasks of a parallel run: largest files first, each
    task about the same number of bytes (a big file alone, small ones by the dozen), so the
    processes finish together instead of one working through big files while the others wait."""
    sizes = [_size(path) for path in pending]
    target = max(1, sum(sizes) // (jobs * _TASKS_PER_WORKER))
    chunks: list[list[int]] = []
    current: list[int] = []
    current_size = 0
    for position in sorted(range(len(pending)), key=lambda p: -sizes[p]):
        current.append(position)
        current_size += sizes[position]
        if current_size >= target or len(current) >= _MAX_FILES_PER_TASK:
            chunks.append(current)
            current, current_size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reported as unreadable when linted


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_THIS_PROCESS = -1  # the owner of the facts the main process linted or read itself


@dataclass(frozen=True)
class ProjectPhase:
    """Phase two as any process runs it (sent to the workers: module-level and picklable)."""

    config: Config
    resolve_fixes: bool

    @staticmethod
    def payloads(results: list[FileResult], owners: dict[str, int]) -> Callable[[int], bytes]:
        """What each worker receives: every file's facts in the join's order, except those the
        worker sent itself (it kept them). `owners`: the worker that linted each file (by display
        path); the others are this process's. Each process's facts are pickled once, and only
        when another worker needs them: with one worker, this process's half alone."""
        groups: dict[int, list] = {}
        order: list[tuple[int, int, str]] = []  # (owner, position in the owner's group, path)
        for result in results:
            if result.facts is not None:
                owner = owners.get(result.path, _THIS_PROCESS)
                group = groups.setdefault(owner, [])
                order.append((owner, len(group), result.path))
                group.append(result.facts)
        pickled: dict[int, bytes] = {}

        def payload_for(number: int) -> bytes:
            for owner, facts in groups.items():
                if owner != number and owner not in pickled:
                    pickled[owner] = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
            others = {owner: data for owner, data in pickled.items() if owner != number}
            return pickle.dumps((number, order, others), protocol=pickle.HIGHEST_PROTOCOL)

        return payload_for

    @staticmethod
    def facts_from(payload: bytes, own_facts: dict) -> list:
        """Every file's facts in the join's order, from a worker's payload and the facts it kept
        (by display path)."""
        number, order, others = pickle.loads(payload)
        groups = {owner: pickle.loads(data) for owner, data in others.items()}
        return [own_facts[path] if owner == number else groups[owner][position] for owner, position, path in order]

    def join(self, payload: bytes, own_facts: dict):
        from ..project import Project

        return Project(self.facts_from(payload, own_facts), named_folders=self.config.named_folders)

    def finish(self, linter: Linter, path: Path, result: FileResult | None, project) -> FileResult:
        """A deferred file (its first-phase `result`), or any other file to lint with the project."""
        if result is not None:
            return linter.finish_deferred(result, path, project, self.resolve_fixes)
        return lint_path(linter, path, self.resolve_fixes, project=project)


def pool_for_phase_two(linter: "Linter", jobs: int, files: int, phase: "ProjectPhase") -> "Pool | None":
    """Workers for a project phase without a first phase of its own (a merge, a warm run that redoes
    many answers): started with no task, they wait for the joined facts at once."""
    if jobs <= 1 or files < POOL_MIN_FILES:
        return None
    from ..parallel import Pool

    pool = Pool(linter, partial(Linter, linter.config, collect_facts=linter.collect_facts), lint_path, [], jobs, phase)
    for _ in pool.first_phase():  # no task: the workers say they wait
        pass
    return pool
