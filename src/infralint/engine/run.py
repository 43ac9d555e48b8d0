"""A run over many files: cached results, phase one on every core, the join, phase two."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from ..cache import ResultCache
from ..collector import batch_collection
from ..config import Config
from ..finding import Finding
from ..results import FileResult, content_digest
from ..safe_files import read_regular_file
from ..source import decode_source
from .files import display_path
from .linter import Linter
from .project_phase import project_phase
from .scheduling import POOL_MIN_FILES, balanced_chunks, lint_pending

if TYPE_CHECKING:
    from ..parallel import Pool


def lint_files(
    paths: list[Path],
    config: Config,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    resolve_fixes: bool = False,
    progress: Callable[[int], None] | None = None,
    want_facts: bool = False,
    use_project: bool = True,
    context_paths: Iterable[Path] = (),
) -> Iterator[FileResult]:
    """Lint every path (served from `cache` when the content and the files it read are unchanged).

    Two phases when an enabled rule uses the project model: every file is linted (and its facts
    extracted) on every core, except those a project rule applies to; once all facts are in, the
    project is joined here and those files are linted with it. Results come in path order.
    `want_facts` extracts every file's facts even when no enabled rule uses them (`trace`);
    `use_project=False` lints every file on its own (no facts, no join: the benchmark's baseline);
    such results are never cached (they would lack the facts a project run needs).
    `context_paths`: the project's other files (`project.members`), which only contribute their
    facts to the join — never linted, never reported.
    """
    context_paths = list(context_paths) if use_project else []
    if not use_project:
        cache = None
    if cache is not None:
        cache.run_files = file_set_digest([*paths, *context_paths])
    results, linter, pool = first_phase(paths, config, jobs, cache, resolve_fixes, want_facts if use_project else False, progress, use_project)
    if linter is None and cache is not None and cache.project_in_doubt(results, context_paths, display_path):
        # every file was served, but some answers were joined with another project than this one
        # (part of the tree was linted since, or a file the run does not report changed)
        linter = Linter(config, collect_facts=True if want_facts else None)
    try:
        if linter is not None and linter.project_rules and linter.collect_facts:  # something was linted: the project may matter
            context = [FileResult(f.path, digest=f.digest, facts=f) for f in facts_of_files(linter, context_paths, cache, jobs=jobs)]
            with batch_collection():
                project_phase(linter, paths, results, cache, resolve_fixes, progress, pool, context, jobs=jobs)
    finally:
        if pool is not None:
            pool.stop()
    yield from results


def facts_of_files(
    linter: Linter, paths: Iterable[Path], cache: ResultCache | None = None, shown: Callable[[Path], str] = display_path, jobs: int = 1
) -> list:
    """The facts of files that are not reported (the rest of the project, for the join): served
    from `cache` when it holds them, else extracted (on `jobs` cores when there are many) — no
    rule runs and nothing is stored. In the order of `paths`."""
    found: dict[int, object] = {}
    missing: list[tuple[int, Path]] = []
    for index, path in enumerate(paths):
        hit = cache.lookup(path, shown(path), want_facts=True) if cache is not None else None
        if hit is None:
            missing.append((index, path))
        elif hit.facts is not None:
            found[index] = hit.facts
    if jobs > 1 and len(missing) >= POOL_MIN_FILES and shown is display_path:
        extracted = _facts_in_parallel(linter, [path for _, path in missing], jobs)
    else:
        extracted = [_facts_of_path(linter, path, shown) for _, path in missing]
    for (index, _), result in zip(missing, extracted):
        if result.facts is not None:
            found[index] = result.facts
    return [found[index] for index in sorted(found)]


def _facts_of_path(linter: Linter, path: Path, shown: Callable[[Path], str] = display_path) -> FileResult:
    """One file's facts (in a result, as the pool hands results back); none when it cannot be read."""
    name = shown(path)
    try:
        data = read_regular_file(path)
        text = decode_source(data) if name.endswith((".py", ".pyi")) else data.decode("utf-8", "replace")
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
        return FileResult(name)  # a file that cannot be read states nothing
    return FileResult(name, facts=linter.facts_of_text(text, name, content_digest(data), location=str(path)))


def _facts_in_parallel(linter: Linter, paths: list[Path], jobs: int) -> list[FileResult]:
    from ..parallel import run_tasks

    chunks = balanced_chunks(paths, jobs)
    make_linter = partial(Linter, linter.config, collect_facts=linter.collect_facts)
    extracted: list[FileResult | None] = [None] * len(paths)
    for index, results in run_tasks(linter, make_linter, _facts_of_path, [[paths[p] for p in chunk] for chunk in chunks], jobs):
        for position, result in zip(chunks[index], results):
            extracted[position] = result
    return extracted  # type: ignore[return-value]


def file_set_digest(paths: list[Path]) -> str:
    """The run's files relative to their common folder: a tree moved with its cache keeps it."""
    absolute = [os.path.abspath(p) for p in paths]
    base = os.path.commonpath([os.path.dirname(p) for p in absolute]) if absolute else ""
    return content_digest("\n".join(sorted(os.path.relpath(p, base) for p in absolute)).encode("utf-8", "surrogateescape"))


def first_phase(paths, config, jobs, cache, resolve_fixes, want_facts, progress, use_project=True) -> tuple[list[FileResult], Linter | None, "Pool | None"]:
    """Per file: cached result, or a fresh lint (on every core) that defers files waiting for the
    project. The pool of a parallel run is returned with its workers waiting for phase two: the
    caller stops it."""
    cached: dict[int, FileResult] = {}
    pending: list[Path] = []
    for index, path in enumerate(paths):
        hit = cache.lookup(path, display_path(path), want_facts=want_facts) if cache else None
        if hit is not None:
            cached[index] = hit
        else:
            pending.append(path)
    # building the rules imports every rule module (and LibCST); a fully cached run needs none of it
    linter = Linter(config, collect_facts=(True if want_facts else None) if use_project else False) if pending else None
    fresh, pool = lint_pending(linter, pending, jobs, resolve_fixes) if linter is not None else (iter(()), None)
    results: list[FileResult | None] = [None] * len(paths)
    for index, hit in cached.items():
        results[index] = hit
        if progress and not hit.deferred:
            progress(1)
    pending_index = [index for index in range(len(paths)) if index not in cached]
    try:
        with batch_collection() as collector:
            for position, result in fresh:  # a parallel run hands them back as its tasks finish
                index = pending_index[position]
                results[index] = result
                collector.file_done()
                if cache and not result.deferred:
                    cache.store(paths[index], result)
                if progress and not result.deferred:
                    progress(1)
    except BaseException:  # Ctrl-C, a full disk: the workers waiting for phase two are released
        if pool is not None:
            pool.stop()
        raise
    return results, linter, pool


def iter_findings(results: Iterable[FileResult]) -> Iterator[Finding]:
    for result in results:
        yield from result.findings


# -- the two phases as a stable interface (sharded runs: `check --shard`, `merge`) --------------


def lint_first_phase(paths: list[Path], config: Config, *, jobs: int = 1, cache: ResultCache | None = None, resolve_fixes: bool = False) -> list[FileResult]:
    """Phase one on `paths` alone: every file's facts, and the findings of every file that does not
    wait for the project (those that do come back `deferred`). Results are in path order."""
    if cache is not None:
        cache.run_files = file_set_digest(paths)
    results, _, pool = first_phase(paths, config, jobs, cache, resolve_fixes, False, None)
    if pool is not None:
        pool.stop()  # a shard's deferred files are finished by `merge`
    for result in results:
        # served from a cache a whole run wrote: its answer was joined with a project the merge
        # cannot compare with its own (a lookup that found nothing records nothing), so it waits
        if result.with_project:
            result.deferred = True
    return results


def lint_project_phase(
    results: list[FileResult],
    paths: list[Path],
    config: Config,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    resolve_fixes: bool = False,
    context_paths: Iterable[Path] = (),
) -> list[FileResult]:
    """Phase two on the first phase's `results` for `paths` (the same order), however they were
    made: the project joined from their facts and those of `context_paths` (the project's files
    that are not reported, as `lint_files` takes them), then the files that wait for it linted with
    it (read again from disk). Returns the final results in path order."""
    results = list(results)
    linter = Linter(config, collect_facts=None)
    if linter.project_rules and linter.collect_facts:
        context = [FileResult(f.path, digest=f.digest, facts=f) for f in facts_of_files(linter, context_paths, cache)]
        project_phase(linter, paths, results, cache, resolve_fixes, None, context=context, jobs=jobs)
    return results
