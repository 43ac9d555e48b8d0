"""The garbage collector's schedule while a batch of files is linted.

Every parse allocates thousands of tree nodes that live as long as their file is linted, and the
analyses build scopes and flows that point at each other. CPython's automatic collector runs every
700 allocations and scans every object still alive: each file's tree is scanned again and again
while it is being linted, and the oldest generation's scans cover every module imported at start.
Linting the standard library spent a tenth of its time there.

In a batch nearly everything dies by reference counting when its file is done; only cycles need
the collector. So the automatic collector is off, the objects alive at start are frozen out of
every scan, and the cycles are collected between files, once `_YOUNG_OBJECTS_PER_COLLECTION`
objects have been created (and not freed) since the last collection. What survives a collection
is what the run keeps (results so far, the parsed contexts of files deferred to the project phase,
memoised module lookups): it is frozen too, so no later collection scans it again. Each object is
scanned at most once, and a run that keeps less than the threshold (most of what it keeps is the
parses of deferred files) is never scanned at all; memory stays flat, since uncollected cycles
never exceed the threshold.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

#: tracked objects (trees, lists, dicts…) alive since the last collection that start one: about a
#: hundred MiB were they all garbage, which they seldom are
_YOUNG_OBJECTS_PER_COLLECTION = 750_000


class BatchCollector:
    """Collects cycles between files; `file_done()` after each file."""

    def file_done(self) -> None:
        # the collector's own count of objects created minus freed since the last collection
        if gc.get_count()[0] < _YOUNG_OBJECTS_PER_COLLECTION:
            return
        gc.collect(1)
        gc.freeze()


def start_batch() -> tuple[bool, BatchCollector]:
    """Stop automatic collection and freeze what exists now; returns what `end_batch` restores."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    return was_enabled, BatchCollector()


def end_batch(was_enabled: bool) -> None:
    # what the batch left alive (a run's kept parses and results) goes to the oldest generation
    # unscanned, with what was frozen: re-enabled, the collector would otherwise scan it all at
    # once on its next allocation; garbage among it goes at the next full collection
    gc.freeze()
    gc.unfreeze()
    if was_enabled:
        gc.enable()


@contextmanager
def batch_collection() -> Iterator[BatchCollector]:
    """Collection between files while many are linted in this process, restored afterwards."""
    was_enabled, collector = start_batch()
    try:
        yield collector
    finally:
        end_batch(was_enabled)
