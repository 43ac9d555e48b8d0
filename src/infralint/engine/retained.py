"""The parsed files the first phase keeps for the project phase."""

from __future__ import annotations

from ..context import FileContext


class RetainedContexts:
    """The parsed contexts of deferred files, up to a memory budget per process.

    A syntax tree takes tens of times its source in memory: past the budget, a deferred file's
    context is dropped and the file is read and parsed again after the join instead."""

    #: characters of source whose trees one process keeps (a few hundred MiB of trees)
    BUDGET_CHARS = 8_000_000

    def __init__(self) -> None:
        self._contexts: dict[str, FileContext] = {}
        self._chars = 0

    def keep(self, display_path: str, ctx: FileContext) -> None:
        chars = len(ctx.source.text)
        if self._chars + chars <= self.BUDGET_CHARS:
            self._contexts[display_path] = ctx
            self._chars += chars

    def __contains__(self, display_path: str) -> bool:
        return display_path in self._contexts

    def take(self, display_path: str) -> FileContext | None:
        ctx = self._contexts.pop(display_path, None)
        if ctx is not None:
            self._chars -= len(ctx.source.text)
        return ctx
