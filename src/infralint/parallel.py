"""Linting many files on every core.

The main process and `jobs - 1` worker processes take tasks (lists of files, the largest files
first) from one shared counter: whoever is free takes the next, so all finish within one task of
each other, and the main process lints instead of waiting. A worker starts on its first task as
soon as it exists (it inherits the task list) and sends each task's results back when it is done.
A worker that dies loses no file: the main process lints every task it took but never reported.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .collector import BatchCollector, start_batch

if TYPE_CHECKING:
    from .engine import Linter
    from .results import FileResult

    LintFile = Callable[[Linter, Path], FileResult]

_POLL_SECONDS = 0.2  # how often a waiting main process checks that its workers are still alive


class SharedTasks:
    """The tasks of a run and the counter every process takes the next one from (shared through
    inheritance: created before the workers start)."""

    def __init__(self, tasks: list[list[Path]], lint_file: LintFile, context) -> None:
        self.tasks = tasks
        self.lint_file = lint_file
        self._next = context.Value("i", 0)

    def take(self) -> int | None:
        with self._next.get_lock():
            index = self._next.value
            if index >= len(self.tasks):
                return None
            self._next.value = index + 1
        return index

    def lint(self, linter: Linter, index: int, collector: BatchCollector | None = None) -> list[FileResult]:
        results = []
        for path in self.tasks[index]:
            results.append(self.lint_file(linter, path))
            if collector is not None:
                collector.file_done()
        return results


def run_tasks(
    linter: Linter, make_linter: Callable[[], Linter], lint_file: LintFile, tasks: list[list[Path]], jobs: int
) -> Iterator[tuple[int, list[FileResult]]]:
    """(task index, its results) for every task, each once, as tasks are done. `lint_file` lints
    one path with a linter: this process's `linter`, or one `make_linter` builds in each worker
    (both are sent to workers started by spawning: module-level functions or partials of them)."""
    context = multiprocessing.get_context()
    shared = SharedTasks(tasks, lint_file, context)
    workers = _Workers(context, jobs - 1, (shared, make_linter))
    reported: set[int] = set()
    try:
        while (index := shared.take()) is not None:
            reported.add(index)
            yield index, shared.lint(linter, index)
            yield from workers.sent(reported, wait=False)
        yield from workers.sent(reported, wait=True)
        for index in range(len(tasks)):
            if index not in reported:  # taken by a worker that died before sending it
                yield index, shared.lint(linter, index)
    finally:
        workers.stop()


class _Workers:
    """The worker processes of a run and the queue their results come back on."""

    def __init__(self, context, count: int, args: tuple) -> None:
        self.results = context.Queue()
        self.processes = []
        for _ in range(count):
            process = context.Process(target=_work, args=(*args, self.results, os.getpid()), daemon=True)
            try:
                process.start()
            except OSError:  # no process to spare (a limit on processes or memory): fewer workers
                continue
            self.processes.append(process)
        self.running = len(self.processes)  # workers that have not said they are done

    def sent(self, reported: set[int], *, wait: bool) -> Iterator[tuple[int, list[FileResult]]]:
        """The results the workers have sent: those already here, or (`wait`) all of them, until
        every worker is done or gone."""
        while self.running:
            try:
                item = self.results.get(timeout=_POLL_SECONDS) if wait else self.results.get_nowait()
            except queue.Empty:
                if not wait or not any(process.is_alive() for process in self.processes):
                    return
                continue
            if item is None:
                self.running -= 1
                continue
            reported.add(item[0])
            yield item

    def stop(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # only when the run stops early: a done worker has exited
            process.join()
        self.results.close()


def _work(shared: SharedTasks, make_linter: Callable[[], Linter], results, parent: int | None = None) -> None:
    """A worker: take tasks until none is left, send each one's results, then None. `parent`: the
    process id of the run's main process (the one found at start when not given)."""
    _die_with_parent(os.getppid() if parent is None else parent)
    # Ctrl-C reaches the whole process group: the main process reports it and stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    linter = make_linter()
    collector = start_batch()[1]  # the worker only lints: nothing to restore
    while (index := shared.take()) is not None:
        results.put((index, shared.lint(linter, index, collector)))
    results.put(None)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with SIGKILL, it stops no
    one): nobody would read its results, and it would wait forever to send them. Linux tells the
    worker (`PR_SET_PDEATHSIG`); elsewhere a thread watches for the worker being re-parented."""
    if sys.platform.startswith("linux") and _ask_linux_for_a_signal():
        # the parent may have died before the request: then no signal will ever come
        if os.getppid() != parent and multiprocessing.get_start_method() != "forkserver":
            os._exit(1)
        return
    original = os.getppid()

    def watch() -> None:
        while os.getppid() == original:
            time.sleep(_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="infralint-parent-watch", daemon=True).start()


def _ask_linux_for_a_signal() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
