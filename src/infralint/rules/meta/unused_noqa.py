"""INF003 unused-noqa: a suppression that suppresses nothing. The engine emits it."""

from __future__ import annotations

from ..base import Rule


class UnusedNoqa(Rule):
    """INF003: a `# noqa: INF…` comment that suppresses nothing (off by default)."""

    code = "INF003"
    engine_rule = True
