"""The collection schedule of a batch (`collector.py`): cycles are collected once enough objects
have piled up since the last collection, never scanned before, and what survives is frozen."""

from __future__ import annotations

import gc
import weakref

import pytest

from infralint import collector


class Node:
    """A file's worth of objects that point at each other: only the cyclic collector frees them."""

    def __init__(self) -> None:
        self.me = self
        self.payload = [{} for _ in range(100)]


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(collector, "_YOUNG_OBJECTS_PER_COLLECTION", 5_000)


def _file_with_a_cycle() -> weakref.ref:
    return weakref.ref(Node())


def test_cycles_wait_for_the_threshold_then_go(small_threshold):
    with collector.batch_collection() as batch:
        first = _file_with_a_cycle()
        batch.file_done()
        assert first() is not None  # a hundred objects since the last collection: not scanned yet
        files = 1
        while first() is not None and files < 200:
            _file_with_a_cycle()
            batch.file_done()
            files += 1
        assert first() is None, "the cycles were never collected"
        assert 5_000 // 102 <= files <= 2 * 5_000 // 102  # collected once the threshold was passed


def test_survivors_are_frozen_and_the_collector_is_restored(small_threshold):
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    kept = []
    with collector.batch_collection() as batch:
        assert not gc.isenabled()
        for _ in range(100):
            kept.append(Node())  # what a run keeps (deferred parses): survives every collection
            batch.file_done()
        assert gc.get_freeze_count() > frozen + 5_000  # scanned once, then out of every later scan
        assert all(node.me is node for node in kept)
    assert gc.isenabled() == enabled
