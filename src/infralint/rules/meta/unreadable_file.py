"""INF002 unreadable-file: the file cannot be read or decoded. The engine emits it."""

from __future__ import annotations

from ..base import Rule


class UnreadableFile(Rule):
    """INF002: the file cannot be read or decoded (binary, bad encoding, permissions)."""

    code = "INF002"
    engine_rule = True
