"""Phase two of a project run: the facts joined, then the files that wait for the project
finished with it — by the process that kept their parse, in parallel when the pool has workers."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..config import Config
from ..results import FileResult
from .files import lint_path

if TYPE_CHECKING:
    from ..parallel import Pool
    from .linter import Linter


def project_phase(linter: "Linter", paths, results: list[FileResult], cache, resolve_fixes: bool, progress, pool: "Pool | None" = None, context=()) -> None:
    """Join the facts, then lint with the project the files that wait for it: the deferred ones,
    finished by the process that kept their parsed context (the workers of `pool` theirs, this
    process its own), and those a selective project rule picks, shared between the processes.
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
    again = [i for i, r in enumerate(results) if i in stale or (not r.deferred and not r.with_project and linter.needs_project(project, r))]
    index_of = {str(paths[i]): i for i in deferred + again}
    phase = ProjectPhase(linter.config, resolve_fixes)
    here = deferred + again
    if pool is not None and pool.waiting:
        # the workers finish the files they deferred; the files picked again are shared out
        processes = len(pool.waiting) + 1
        handed = [paths[i] for position, i in enumerate(again) if position % processes]
        pool.hand_out(phase.payload(joined), handed)
        if pool.live:
            workers_own = {str(path) for number in pool.waiting for path in pool.deferred_by.get(number, [])}
            here = [i for i in deferred if str(paths[i]) not in workers_own] + [i for position, i in enumerate(again) if position % processes == 0]
    for index in sorted(here):
        _finished(results, index, phase.finish(linter, paths[index], results[index] if results[index].deferred else None, project), cache, paths, progress)
    if pool is not None and pool.waiting and pool.live:
        for path, result in pool.collect():
            index = index_of[str(path)]
            if result is None:  # left by a worker that died
                result = phase.finish(linter, path, results[index] if results[index].deferred else None, project)
            _finished(results, index, result, cache, paths, progress)


def _finished(results: list[FileResult], index: int, result: FileResult, cache, paths, progress) -> None:
    counted = results[index].deferred
    results[index] = result
    if cache:
        cache.store(paths[index], result)
    if progress and counted:
        progress(1)


@dataclass(frozen=True)
class ProjectPhase:
    """Phase two as any process runs it (sent to the workers: module-level and picklable)."""

    config: Config
    resolve_fixes: bool

    @staticmethod
    def payload(results: list[FileResult]) -> bytes:
        """Every file's facts, pickled once for all the workers."""
        return pickle.dumps([r.facts for r in results if r.facts is not None], protocol=pickle.HIGHEST_PROTOCOL)

    def join(self, payload: bytes):
        from ..project import Project

        return Project(pickle.loads(payload), named_folders=self.config.named_folders)

    def finish(self, linter: Linter, path: Path, result: FileResult | None, project) -> FileResult:
        """A deferred file (its first-phase `result`), or any other file to lint with the project."""
        if result is not None:
            return linter.finish_deferred(result, path, project, self.resolve_fixes)
        return lint_path(linter, path, self.resolve_fixes, project=project)


def join_project(results: Iterable[FileResult], config: Config | None = None):
    """Phase two: every file's facts in one `Project` (main process, once per run)."""
    from ..project import Project

    named = config.named_folders if config is not None else ()
    return Project((r.facts for r in results if r.facts is not None), named_folders=named)
