"""Flow state of one scope: which names are bound at a point of its code, and why some may not be.

A `Flow` holds the names bound on every path (`bound`), the names bound on some paths only with
the reason of one path where they are not (`maybe`), and the names that are certainly unbound
because a `del` or the end of an `except … as` handler removed them (`gone`). `None` stands for a
point no path reaches (after `return`, `raise`, `break`, …).

A reason (`Why`) is a small tuple `(kind, node, *extra)` turned into words only when a finding is
reported, so the common case costs nothing.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable

Why = tuple  # (kind: str, node: ast.AST, *extra)


class Flow:
    __slots__ = ("bound", "maybe", "gone")

    def __init__(self, bound: set[str] | None = None, maybe: dict[str, Why] | None = None, gone: dict[str, Why] | None = None) -> None:
        self.bound = set() if bound is None else bound
        self.maybe = {} if maybe is None else maybe
        self.gone = {} if gone is None else gone

    def copy(self) -> Flow:
        return Flow(set(self.bound), dict(self.maybe), dict(self.gone))

    def bind(self, name: str) -> None:
        self.bound.add(name)
        if name in self.maybe:
            del self.maybe[name]
        if name in self.gone:
            del self.gone[name]

    def unbind(self, name: str, why: Why) -> None:
        self.bound.discard(name)
        self.maybe.pop(name, None)
        self.gone[name] = why

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Flow(bound={sorted(self.bound)}, maybe={sorted(self.maybe)}, gone={sorted(self.gone)})"


def join(paths: Iterable[tuple[Flow | None, Why]]) -> Flow | None:
    """The state where several paths meet. Each path comes with the reason a name it lacks is unbound.

    The inputs may be reused for the result, so callers must not use them afterwards.
    """
    live = [(flow, why) for flow, why in paths if flow is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0][0]
    first = live[0][0]
    bound = set(first.bound)
    for flow, _ in live[1:]:
        bound &= flow.bound
    maybe: dict[str, Any] = {}
    for flow, _ in live:
        for name, why in flow.maybe.items():
            if name not in maybe:
                maybe[name] = why
    for flow, _ in live:
        if len(flow.bound) == len(bound):
            continue  # nothing beyond the common part
        for name in flow.bound - bound:
            if name in maybe:
                continue
            for other, why in live:
                if name not in other.bound:
                    maybe[name] = other.gone.get(name) or other.maybe.get(name) or why
                    break
    # unbound on every path, and removed by `del`/a handler's end on at least one
    gone: dict[str, Any] = {}
    for flow, _ in live:
        for name, why in flow.gone.items():
            if name not in gone and name not in maybe and name not in bound:
                gone[name] = why
    return Flow(bound, maybe, gone)


def merge_into(accumulated: Flow | None, flow: Flow | None, why: Why) -> Flow | None:
    """Join `flow` (copied, it stays in use) into a running accumulation of states."""
    if flow is None:
        return accumulated
    if accumulated is None:
        return flow.copy()
    return join([(accumulated, why), (flow.copy(), why)])
