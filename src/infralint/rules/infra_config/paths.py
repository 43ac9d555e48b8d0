"""Does a proxy path pattern carry WebSocket traffic?"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase


def pattern_matches(pattern: str, path: str) -> bool:
    """A proxy path pattern (`/ws/*` in a URL map, `/ws/` nginx prefix, `~ ^/ws` regex) against a path."""
    if pattern.startswith("~"):
        try:
            return re.search(pattern.lstrip("~*").strip(), path) is not None
        except re.error:
            return False
    if pattern.startswith("="):
        return path == pattern[1:].strip()
    if pattern.startswith("^~"):
        pattern = pattern[2:].strip()
    if "*" in pattern:
        return fnmatchcase(path, pattern) or fnmatchcase(path + "/", pattern)
    return path == pattern or path.startswith(pattern if pattern.endswith("/") else pattern + "/") or (pattern.endswith("/") and path == pattern[:-1])


def _concrete(path: str) -> str:
    """`/ws/{room_id}` → `/ws/x`: a concrete path a pattern can be matched against."""
    return re.sub(r"\{[^}]*\}|<[^>]*>|:[A-Za-z_]\w*", "x", path)


def websocket_paths_through(pattern: str | None, endpoints: list[str], name_patterns: list[str]) -> list[str]:
    """The WebSocket paths a proxy pattern carries: known endpoints it matches, else the pattern
    itself when it looks like a WebSocket path (`/ws`, `*/websocket/*` … per the option)."""
    if pattern is None:
        return list(endpoints)
    found = [e for e in endpoints if pattern_matches(pattern, _concrete(e))]
    if found:
        return found
    bare = pattern.lstrip("=^~* ").rstrip("$") if not pattern.startswith("~") else pattern
    if pattern.startswith("~"):
        probes = ["/ws", "/ws/x", "/websocket", "/x/ws", "/x/ws/x"]
        return [pattern] if any(pattern_matches(pattern, p) and any(fnmatchcase(p, n) for n in name_patterns) for p in probes) else []
    candidates = {bare, bare.rstrip("/*") or "/", bare.rstrip("*").rstrip("/") or "/"}
    if any(fnmatchcase(c, n) for c in candidates for n in name_patterns):
        return [bare.rstrip("*").rstrip("/") or bare]
    return []


def nginx_location_for(patterns: list[str], path: str) -> str | None:
    """The `location` nginx picks for a request path among one level's locations: an exact `=`
    match; else the longest prefix, unless a regex (`~`, `~*`, in order) matches and that prefix
    is not `^~`."""
    concrete = _concrete(path)
    exact = [p for p in patterns if p.startswith("=") and p[1:].strip() == concrete]
    if exact:
        return exact[0]
    prefixes = [p for p in patterns if not p.startswith(("=", "~")) and _prefix_of(p).startswith("/") and concrete.startswith(_prefix_of(p))]
    longest = max(prefixes, key=lambda p: len(_prefix_of(p)), default=None)
    if longest is not None and longest.startswith("^~"):
        return longest
    for pattern in patterns:
        if pattern.startswith("~") and pattern_matches(pattern, concrete):
            return pattern
    return longest


def _prefix_of(pattern: str) -> str:
    return pattern[2:].strip() if pattern.startswith("^~") else pattern.strip()
