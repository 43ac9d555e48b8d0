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
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

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


class ProjectPhase(Protocol):
    """What a worker needs for the second phase of a run (module-level and picklable)."""

    def join(self, payload: bytes, own_facts: dict): ...

    def finish(self, linter: Linter, path: Path, result: FileResult | None, project) -> FileResult: ...


class Pool:
    """The worker processes of one run, through both phases.

    Phase one: every process (the main one included) takes tasks of files from one shared counter
    and sends each task's results back. A worker keeps the parsed contexts of the files it deferred
    to the project, and waits. Phase two: every worker receives the joined project's facts
    (`start_phase_two`) and finishes its own deferred files from the contexts it kept, then lints
    the files it is handed (`hand_out`), and sends each result back. A worker that dies loses no
    file: the main process lints whatever it took and never reported."""

    def __init__(self, linter: Linter, make_linter: Callable[[], Linter], lint_file: LintFile, tasks: list[list[Path]], jobs: int, phase: ProjectPhase | None) -> None:
        context = multiprocessing.get_context()
        self.linter = linter
        self.phase = phase
        self.shared = SharedTasks(tasks, lint_file, context)
        self.results = context.Queue()
        self.processes = []
        self.inboxes = []
        for _ in range(jobs - 1):
            number, inbox = len(self.processes), context.Queue()
            process = context.Process(target=_work, args=(self.shared, make_linter, self.results, os.getpid(), inbox, phase, number), daemon=True)
            try:
                process.start()
            except OSError:  # no process to spare (a limit on processes or memory): fewer workers
                continue
            self.processes.append(process)
            self.inboxes.append(inbox)
        #: per worker: the paths of the files it deferred (known once its tasks are reported)
        self.deferred_by: dict[int, list[Path]] = {}
        self.waiting: set[int] = set()  # workers done with phase one, waiting for phase two
        #: the worker that sent each file's result (by display path): it keeps that file's facts
        self.owners: dict[str, int] = {}

    # -- phase one -------------------------------------------------------------------------------

    def first_phase(self) -> Iterator[tuple[int, list[FileResult]]]:
        """(task index, its results) for every task, each once, as tasks are done."""
        reported: set[int] = set()
        while (index := self.shared.take()) is not None:
            reported.add(index)
            yield index, self.shared.lint(self.linter, index)
            yield from self._tasks_sent(reported, wait=False)
        yield from self._tasks_sent(reported, wait=True)
        for index in range(len(self.shared.tasks)):
            if index not in reported:  # taken by a worker that died before sending it
                yield index, self.shared.lint(self.linter, index)

    def _tasks_sent(self, reported: set[int], *, wait: bool) -> Iterator[tuple[int, list[FileResult]]]:
        """The tasks the workers have sent: those already here, or (`wait`) all of them, until
        every worker is done with phase one or gone."""
        while len(self.waiting) < len(self.processes):
            item = self._receive(wait, set(range(len(self.processes))) - self.waiting)
            if item is None:
                return
            if item[0] == "task":
                _, number, index, task_results = item
                reported.add(index)
                self.deferred_by.setdefault(number, []).extend(
                    path for path, result in zip(self.shared.tasks[index], task_results) if result.deferred
                )
                self.owners.update(dict.fromkeys((result.path for result in task_results), number))
                yield index, task_results
            elif item[0] == "waiting":
                self.waiting.add(item[1])

    def _receive(self, wait: bool, senders: set[int]):
        """The next message, or None: none is here (not `wait`), or none of the workers that
        still owe one (`senders`) is alive."""
        while True:
            try:
                return self.results.get(timeout=_POLL_SECONDS) if wait else self.results.get_nowait()
            except queue.Empty:
                if not wait or not any(self.processes[number].is_alive() for number in senders):
                    return None

    # -- phase two -------------------------------------------------------------------------------

    def start_phase_two(self, payload_for: Callable[[int], bytes]) -> None:
        """Phase two starts: every waiting worker receives the joined project's facts (those it
        did not send itself: `payload_for(number)`) and finishes the files it deferred at once,
        while this process decides what else to share."""
        self.live = [number for number in sorted(self.waiting) if self.processes[number].is_alive()]
        self.orphans: list[Path] = [path for number, paths in self.deferred_by.items() if number not in self.live for path in paths]
        self.expected: dict[str, Path] = {}
        for number in self.live:
            for path in self.deferred_by.get(number, []):
                self.expected[str(path)] = path
            self.inboxes[number].put(payload_for(number))

    def hand_out(self, handed: list[Path]) -> None:
        """Each worker of phase two receives a share of `handed`: files to lint with the project
        besides its own deferred ones (the last message it waits for)."""
        if not self.live:
            self.orphans.extend(handed)
            return
        for position, number in enumerate(self.live):
            share = handed[position :: len(self.live)]
            for path in share:
                self.expected[str(path)] = path
            self.inboxes[number].put(share)

    def collect(self) -> Iterator[tuple[Path, FileResult | None]]:
        """(path, result) for every file phase two gave the workers, as they send them; (path,
        None) for what a worker that died (or never reached phase two) leaves to the main process."""
        for path in self.orphans:
            yield path, None
        finished: set[int] = set()
        while len(finished) < len(self.live):
            item = self._receive(True, set(self.live) - finished)
            if item is None:
                break
            if item[0] == "file":
                path = self.expected.pop(item[1], None)
                if path is not None:
                    yield path, item[2]
            elif item[0] == "finished":
                finished.add(item[1])
        for path in self.expected.values():  # a worker died before sending them
            yield path, None

    def stop(self) -> None:
        """Release the workers (told there is no phase two, or stopped when the run ends early)."""
        for number, inbox in enumerate(self.inboxes):
            if self.processes[number].is_alive():
                try:
                    inbox.put(None)
                except (OSError, ValueError):
                    pass
        for process in self.processes:
            process.join(timeout=_POLL_SECONDS * 5)
            if process.is_alive():
                process.terminate()
                process.join()
        self.results.close()
        for inbox in self.inboxes:
            inbox.close()


def run_tasks(
    linter: Linter, make_linter: Callable[[], Linter], lint_file: LintFile, tasks: list[list[Path]], jobs: int
) -> Iterator[tuple[int, list[FileResult]]]:
    """Phase one alone: (task index, its results) for every task, each once, as tasks are done."""
    pool = Pool(linter, make_linter, lint_file, tasks, jobs, None)
    try:
        yield from pool.first_phase()
    finally:
        pool.stop()


def _work(shared: SharedTasks, make_linter: Callable[[], Linter], results, parent: int | None = None, inbox=None, phase: ProjectPhase | None = None, number: int = 0) -> None:
    """A worker: take tasks until none is left and send each one's results; then, when the run has
    a project `phase`, wait for the joined project and finish the files it deferred and those it
    is handed. `parent`: the process id of the run's main process (the one found at start when
    not given)."""
    _die_with_parent(os.getppid() if parent is None else parent)
    # Ctrl-C reaches the whole process group: the main process reports it and stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    linter = make_linter()
    collector = start_batch()[1]  # the worker only lints: nothing to restore
    deferred: dict[str, tuple[Path, FileResult]] = {}
    own_facts: dict[str, object] = {}  # sent to the main process: phase two's payload leaves them out
    while (index := shared.take()) is not None:
        task_results = shared.lint(linter, index, collector)
        for path, result in zip(shared.tasks[index], task_results):
            if result.deferred:
                deferred[str(path)] = (path, result)
            if result.facts is not None:
                own_facts[result.path] = result.facts
        results.put(("task", number, index, task_results))
    results.put(("waiting", number))
    payload = inbox.get() if inbox is not None and phase is not None else None
    if payload is not None:
        project = phase.join(payload, own_facts)
        for path, result in deferred.values():
            results.put(("file", str(path), phase.finish(linter, path, result, project)))
            collector.file_done()
        handed = inbox.get() or []  # None: the run stopped before sharing any other file
        for path in handed:
            results.put(("file", str(path), phase.finish(linter, path, None, project)))
            collector.file_done()
    results.put(("finished", number))


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
