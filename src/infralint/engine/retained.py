"""The parsed files the first phase keeps for the project phase."""

from __future__ import annotations

from typing import NamedTuple

from ..context import FileContext
from ..finding import Finding


class Kept(NamedTuple):
    """A deferred file's context, and the findings of its rules that do not read the project
    (run in the first phase, which every process shares evenly)."""

    ctx: FileContext
    findings: list[Finding]


class RetainedContexts:
    """The parsed contexts of deferred files, up to a memory budget per process.

    A syntax tree takes tens of times its source in memory: past the budget, a deferred file's
    context is dropped and the file is read and parsed again after the join instead."""

    #: characters of source whose trees one process keeps (a few hundred MiB of trees)
    BUDGET_CHARS = 8_000_000

    def __init__(self) -> None:
        self._kept: dict[str, Kept] = {}
        self._chars = 0

    def has_room(self, ctx: FileContext) -> bool:
        return self._chars + len(ctx.source.text) <= self.BUDGET_CHARS

    def keep(self, display_path: str, ctx: FileContext, findings: list[Finding]) -> None:
        if self.has_room(ctx):
            self._kept[display_path] = Kept(ctx, findings)
            self._chars += len(ctx.source.text)

    def __contains__(self, display_path: str) -> bool:
        return display_path in self._kept

    def take(self, display_path: str) -> Kept | None:
        kept = self._kept.pop(display_path, None)
        if kept is not None:
            self._chars -= len(kept.ctx.source.text)
        return kept
