"""Phase two of a project run: the facts joined, then the files that wait for the project
finished with it — by the process that kept their parse, in parallel when the pool has workers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..config import Config
from ..results import FileResult
from .scheduling import ProjectPhase, pool_for_phase_two

if TYPE_CHECKING:
    from ..parallel import Pool
    from .linter import Linter


def project_phase(
    linter: "Linter", paths, results: list[FileResult], cache, resolve_fixes: bool, progress, pool: "Pool | None" = None, context=(), jobs: int = 1
) -> None:
    """Join the facts, then lint with the project the files that wait for it: the deferred ones,
    finished by the process that kept their parsed context (the workers of `pool` theirs, this
    process its own), and the others (those a selective project rule picks, those nobody kept)
    shared between the processes — a pool of `jobs` is started for them when there is none.
    A fully cached run never gets here: no file's facts changed, so the previous run's answers
    stand (entries read through the project carry deps). Cached answers computed with another
    project (some file's facts differ: a lookup that found nothing may find something) are redone.
    `context`: facts-only results of the project's files that are not reported (joined, never linted)."""
    joined = [*results, *context]
    stale = cache.stale_project_results(joined) if cache else set()
    deferred = [i for i, r in enumerate(results) if r.deferred]
    if not deferred and not linter.selective_rules and not stale:
        return
    project = join_project(joined, linter.config)
    phase = ProjectPhase(linter.config, resolve_fixes)
    if pool is not None and pool.waiting:
        # the workers start on the files they kept while this process decides what else to share
        pool.start_phase_two(phase.payloads(joined, pool.owners))
    again = [i for i, r in enumerate(results) if i in stale or (not r.deferred and not r.with_project and linter.needs_project(project, r))]
    index_of = {str(paths[i]): i for i in deferred + again}
    here = sorted(deferred + again)
    started = pool is None and pool_for_phase_two(linter, jobs, len(here), phase)
    if started:
        pool = started
        pool.start_phase_two(phase.payloads(joined, pool.owners))
    try:
        if pool is not None and pool.waiting:
            here = _share_out(linter, pool, paths, results, here)
        for index in here:
            _finished(results, index, phase.finish(linter, paths[index], results[index] if results[index].deferred else None, project), cache, paths, progress)
        if pool is not None and pool.waiting and pool.live:
            for path, result in pool.collect():
                index = index_of[str(path)]
                if result is None:  # left by a worker that died
                    result = phase.finish(linter, path, results[index] if results[index].deferred else None, project)
                _finished(results, index, result, cache, paths, progress)
    finally:
        if started:
            pool.stop()


def _share_out(linter: "Linter", pool: "Pool", paths, results: list[FileResult], here: list[int]) -> list[int]:
    """Hand the workers (which have the joined facts) a share of the files nobody kept; the
    indexes this process finishes (the files it kept, and its share)."""
    workers_own = {str(path) for number in pool.waiting for path in pool.deferred_by.get(number, [])}
    kept_here = {i for i in here if results[i].deferred and linter.keeps(results[i].path)}
    free = [i for i in here if i not in kept_here and str(paths[i]) not in workers_own]
    processes = len(pool.waiting) + 1
    pool.hand_out([paths[i] for position, i in enumerate(free) if position % processes])
    if not pool.live:  # every worker is gone: this process finishes everything
        return here
    mine = kept_here | {i for position, i in enumerate(free) if position % processes == 0}
    return [i for i in here if i in mine]


def _finished(results: list[FileResult], index: int, result: FileResult, cache, paths, progress) -> None:
    counted = results[index].deferred
    results[index] = result
    if cache:
        cache.store(paths[index], result)
    if progress and counted:
        progress(1)


def join_project(results: Iterable[FileResult], config: Config | None = None):
    """Phase two: every file's facts in one `Project` (main process, once per run)."""
    from ..project import Project

    named = config.named_folders if config is not None else ()
    return Project((r.facts for r in results if r.facts is not None), named_folders=named)
