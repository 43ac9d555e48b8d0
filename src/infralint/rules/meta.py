"""INF0xx: problems with the file itself and with suppressions. The engine emits these."""

from __future__ import annotations

from .base import Rule


class SyntaxErrorRule(Rule):
    """INF001: the file does not parse; nothing else can be checked in it."""

    code = "INF001"
    engine_rule = True


class UnreadableFileRule(Rule):
    """INF002: the file cannot be read or decoded (binary, bad encoding, permissions)."""

    code = "INF002"
    engine_rule = True


class UnusedNoqaRule(Rule):
    """INF003: a `# noqa: INF…` comment that suppresses nothing (off by default)."""

    code = "INF003"
    engine_rule = True
