"""Parallel runs: every file is linted once, whichever process takes its task, even when a worker dies."""

from __future__ import annotations

import os

from infralint import parallel
from infralint.engine import lint_files

from ..conftest import config_for


def _files(tmp_path, count=40):
    for index in range(count):
        (tmp_path / f"m{index}.py").write_text("def f(:\n" if index % 4 == 0 else f"value = {index}\n")
    return sorted(tmp_path.glob("*.py"))


def _outcome(results):
    return [(r.path, [f.code for f in r.findings]) for r in results]


def _take_one_task_and_die(shared, make_linter, results, *phase_two):
    shared.take()  # the task is taken from the counter, and never reported
    os._exit(3)


def test_a_worker_that_dies_loses_no_file(tmp_path, monkeypatch):
    files = _files(tmp_path)
    config = config_for(None)
    serial = _outcome(lint_files(files, config, jobs=1))
    monkeypatch.setattr(parallel, "_work", _take_one_task_and_die)
    assert _outcome(lint_files(files, config, jobs=3)) == serial
    assert sum(len(codes) for _, codes in serial) == 10


def test_tasks_are_taken_once_each(tmp_path):
    import multiprocessing

    tasks = [[tmp_path / "a.py"], [tmp_path / "b.py"], [tmp_path / "c.py"]]
    shared = parallel.SharedTasks(tasks, lambda linter, path: None, multiprocessing.get_context())
    assert [shared.take() for _ in range(5)] == [0, 1, 2, None, None]


def test_a_worker_started_by_spawning_lints_every_task(tmp_path):
    # macOS and Windows start processes by spawning: all a worker needs travels by pickling
    import multiprocessing
    from functools import partial

    from infralint.engine import Linter, lint_path

    files = _files(tmp_path, count=8)
    config = config_for(None)
    context = multiprocessing.get_context("spawn")
    shared = parallel.SharedTasks([[path] for path in files], partial(lint_path, resolve_fixes=False), context)
    results = context.Queue()
    worker = context.Process(target=parallel._work, args=(shared, partial(Linter, config), results))
    worker.start()
    received = []
    while (item := results.get(timeout=60))[0] == "task":
        received.append(item[2:])
    assert item == ("waiting", 0)
    assert results.get(timeout=60) == ("finished", 0)  # no project phase: the worker is done
    worker.join(timeout=60)
    assert sorted(index for index, _ in received) == list(range(len(files)))
    by_task = {index: task_results for index, task_results in received}
    assert [(r.path, [f.code for f in r.findings]) for index in range(len(files)) for r in by_task[index]] == _outcome(
        lint_files(files, config, jobs=1)
    )


def test_a_worker_that_cannot_start_leaves_the_work_to_the_main_process(tmp_path, monkeypatch):
    import multiprocessing

    files = _files(tmp_path, count=30)
    config = config_for(None)
    serial = _outcome(lint_files(files, config, jobs=1))

    refused = []

    class NoProcess(multiprocessing.get_context().Process):
        def start(self):
            refused.append(self)
            raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.get_context(), "Process", NoProcess)
    assert _outcome(lint_files(files, config, jobs=3)) == serial
    assert len(refused) == 2
