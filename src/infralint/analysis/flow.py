"""Flow state of one scope: which names are bound at a point of its code, and why some may not be.

A `Flow` holds the names bound on every path (`bound`), the names bound on some paths only with
the reason of one path where they are not (`maybe`), and the names that are certainly unbound
because a `del` or the end of an `except … as` handler removed them (`gone`). `None` stands for a
point no path reaches (after `return`, `raise`, `break`, …). `facts` and `guards` are path facts
(a bit mask of what is known per condition key; the scope family's `path_facts` computes them): what
is known of values on this path, and for a name in `maybe` the facts that hold whenever it is
unbound. Where paths meet, only the facts every path shares survive (`meet`).

The scope family tracks names with it; the WebSocket family tracks the handshake state of a socket.

A reason (`Why`) is a small tuple `(kind, node, *extra)` turned into words only when a finding is
reported, so the common case costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


Why = tuple  # (kind: str, node: ast.AST, *extra)
_new_flow = object.__new__


class Flow:
    __slots__ = ("bound", "maybe", "gone", "facts", "guards")

    def __init__(
        self,
        bound: set[str] | None = None,
        maybe: dict[str, Why] | None = None,
        gone: dict[str, Why] | None = None,
        facts: dict[str, int] | None = None,
        guards: dict[str, dict[str, int]] | None = None,
    ) -> None:
        self.bound = set() if bound is None else bound
        self.maybe = {} if maybe is None else maybe
        self.gone = {} if gone is None else gone
        self.facts = {} if facts is None else facts
        self.guards = {} if guards is None else guards  # the inner dicts are shared: never change one in place

    def copy(self) -> Flow:
        flow = _new_flow(Flow)  # every branch copies a state: no defaults to test
        flow.bound = self.bound.copy()
        flow.maybe = self.maybe.copy()
        flow.gone = self.gone.copy()
        flow.facts = self.facts.copy()
        flow.guards = self.guards.copy()
        return flow

    def bind(self, name: str) -> None:
        self.bound.add(name)
        if name in self.maybe:
            del self.maybe[name]
            self.guards.pop(name, None)
        if name in self.gone:
            del self.gone[name]

    def unbind(self, name: str, why: Why) -> None:
        self.bound.discard(name)
        if self.maybe.pop(name, None) is not None:
            self.guards.pop(name, None)
        self.gone[name] = why

    def forget(self, names_of: dict[str, frozenset[str]], name: str) -> None:
        """`name` gets a new value: facts and guard entries about its old one no longer hold."""
        facts = self.facts
        if facts:
            for key in [k for k in facts if name in names_of[k]]:
                del facts[key]
        guards = self.guards
        if guards:
            for owner, guard in list(guards.items()):
                if any(name in names_of[k] for k in guard):
                    kept = {k: m for k, m in guard.items() if name not in names_of[k]}
                    if kept:
                        guards[owner] = kept
                    else:
                        del guards[owner]

    def unbound_facts(self, name: str) -> dict[str, int]:
        """The facts that hold on this path whenever `name` is unbound on it: its guard, and the facts of
        the whole path (`exc = e` in a handler holds whether or not the `try` bound the name)."""
        if name not in self.maybe:
            return self.facts
        guard = self.guards.get(name)
        if not guard:
            return self.facts
        if not self.facts:
            return guard
        if guard.items() <= self.facts.items():
            return self.facts  # the path knows all the guard says already (its guard is an earlier state of it)
        combined = dict(self.facts)
        for key, mask in guard.items():
            combined[key] = combined.get(key, 0) | mask
        return combined

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Flow(bound={sorted(self.bound)}, maybe={sorted(self.maybe)}, gone={sorted(self.gone)})"


def join(paths: Iterable[tuple[Flow | None, Why]]) -> Flow | None:
    """The state where several paths meet. Each path comes with the reason a name it lacks is unbound.

    With one live path its flow is the result, so callers must not use the inputs afterwards; with
    several the result is a new flow (sharing only guards, which are never changed in place).
    """
    live = [path for path in paths if path[0] is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0][0]
    flows = [flow for flow, _ in live]
    first, others = flows[0], flows[1:]
    bound = first.bound.intersection(*[flow.bound for flow in others])
    maybe: dict[str, Any] = dict(first.maybe)
    for flow in others:
        if flow.maybe:
            for name, why in flow.maybe.items():
                if name not in maybe:
                    maybe[name] = why
    common = len(bound)
    for flow in flows:
        if len(flow.bound) == common:
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
    for flow in flows:
        if flow.gone:
            for name, why in flow.gone.items():
                if name not in gone and name not in maybe and name not in bound:
                    gone[name] = why
    for flow in flows:
        if flow.facts or flow.guards:
            guards = _joined_guards(flows, bound, maybe)
            break
    else:
        guards = {}
    return Flow(bound, maybe, gone, meet(first.facts, [flow.facts for flow in others]), guards)


def _joined_guards(flows: list[Flow], bound: set[str], maybe: dict[str, Why]) -> dict[str, dict[str, int]]:
    """The guard of each name the joined paths may leave unbound: the facts every path where it is
    unbound shares."""
    guards: dict[str, dict[str, int]] = {}
    copies: dict[int, dict[str, int]] = {}
    # names bound on some paths here, or guarded on some: the others have nothing new to say
    candidates: set[str] = set()
    common = len(bound)
    for flow in flows:
        if len(flow.bound) != common:
            candidates |= flow.bound - bound
        if flow.guards:
            candidates.update(name for name in flow.guards if name in maybe)
    if not candidates:
        return guards
    live_facts = {id(flow.facts) for flow in flows}
    # many names share one guard (a loop's entry facts): combine and meet each set of facts once
    unbound_of: dict[tuple[int, int], dict[str, int]] = {}
    met: dict[tuple[int, ...], dict[str, int]] = {}
    for name in candidates:
        parts = []
        for flow in flows:
            if name in flow.bound:
                continue
            if name not in flow.maybe:
                parts.append(flow.facts)  # not even possibly bound: the path's own facts hold
                continue
            key = (id(flow), id(flow.guards.get(name)))
            unbound = unbound_of.get(key)
            if unbound is None:
                unbound = unbound_of[key] = flow.unbound_facts(name)
            parts.append(unbound)
        if not parts:
            continue
        guard = parts[0]
        if len(parts) > 1:
            key = tuple(map(id, parts))
            guard = met.get(key)
            if guard is None:
                guard = parts[0]
                for unbound in parts[1:]:
                    if not guard:
                        break
                    guard = meet(guard, [unbound])
                met[key] = guard
        if guard:
            if id(guard) in live_facts:  # an input's live facts: freeze a copy
                frozen = copies.get(id(guard))
                if frozen is None:
                    frozen = copies[id(guard)] = dict(guard)
                guard = frozen
            guards[name] = guard
    return guards


def meet(first: dict[str, int], others: list[dict[str, int]]) -> dict[str, int]:
    """The facts that hold on every one of several paths."""
    common: dict[str, int] = {}
    if not first:
        return common
    for other in others:
        if not other:
            return common
    for key, mask in first.items():
        for other in others:
            known = other.get(key)
            if known is None:
                mask = 0
                break
            mask &= known
            if not mask:
                break
        if mask:
            common[key] = mask
    return common


def merge_into(accumulated: Flow | None, flow: Flow | None, why: Why) -> Flow | None:
    """Join `flow` (it stays in use: copied, or only read by a join of two) into a running accumulation of states."""
    if flow is None:
        return accumulated
    if accumulated is None:
        return flow.copy()
    return join([(accumulated, why), (flow, why)])
