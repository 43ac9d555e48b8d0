"""Result cache in `.infralint_cache/`: findings per file, keyed by content, config and version."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from .finding import Finding
from .results import FileResult, content_digest
from .version import __version__

CACHE_DIR_NAME = ".infralint_cache"


# a file whose modification time is at least this old when it is stored cannot still be changing
# within the same timestamp tick, so an identical (size, mtime, inode) later means identical bytes
_SETTLED_NS = 2_000_000_000


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _trusted_stat(stat: os.stat_result) -> list[int] | None:
    """The stat key to trust on the next run, or None when the file is too fresh to trust it."""
    return _stat_key(stat) if time.time_ns() - stat.st_mtime_ns >= _SETTLED_NS else None


class ResultCache:
    """One JSON file per (version, config fingerprint, fix mode); entries by absolute path.

    An entry is used only when the file's bytes hash to the digest it was stored with, so editing a
    file, changing the configuration or upgrading infralint all miss. Hashing is skipped when the
    file's size, modification time and inode are exactly those recorded, and the file was already
    settled (not modified in the last two seconds) when they were recorded, as `git` and `make` do.
    """

    def __init__(self, root: Path, config_fingerprint: str, resolve_fixes: bool) -> None:
        self.folder = Path(root) / CACHE_DIR_NAME
        mode = "fixes" if resolve_fixes else "plain"
        self.file = self.folder / f"{__version__}-{config_fingerprint}-{mode}.json"
        self.entries: dict[str, dict] = {}
        self.dirty = False
        try:
            self.entries = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.hits = 0
        self._digests: dict[str, str] = {}  # current digests of dependencies, hashed once per run

    def lookup(self, path: Path, shown: str, *, want_facts: bool = False):
        key = os.path.abspath(path)
        entry = self.entries.get(key)
        if entry is None or (want_facts and "facts" not in entry):
            return None
        try:
            stat = os.stat(key)
        except OSError:
            return None
        if entry.get("stat") != _stat_key(stat):
            # the cheap check failed (or the file was too fresh to trust it): compare the content
            try:
                with open(key, "rb") as handle:
                    data = handle.read()
            except OSError:
                return None
            if content_digest(data) != entry["digest"]:
                return None
            entry["stat"] = _trusted_stat(stat)
            self.dirty = True
        if not self._dependencies_unchanged(entry):
            return None
        self.hits += 1
        findings = [Finding.from_dict(f) for f in entry["findings"]]
        for finding in findings:
            finding.path = shown
        result = FileResult(shown, findings, [], entry["digest"])
        result.deps = dict(entry.get("deps") or {})
        result.with_project = bool(entry.get("project"))
        if entry.get("facts") is not None:
            from .project.facts import FileFacts

            result.facts = FileFacts.from_dict(entry["facts"], shown)
        return result

    # -- findings that read other files (the project model, imported constants) ---------------

    def _dependencies_unchanged(self, entry: dict) -> bool:
        """Every other file the findings were computed from still has the digest it had then."""
        for dep, digest in (entry.get("deps") or {}).items():
            if self._current_digest(dep) != digest:
                return False
        return True

    def _current_digest(self, key: str) -> str | None:
        """A file's content digest now: its own entry's when its stat is unchanged, else hashed."""
        known = self._digests.get(key)
        if known is not None:
            return known
        try:
            stat = os.stat(key)
        except OSError:
            return None
        entry = self.entries.get(key)
        if entry is not None and entry.get("stat") == _stat_key(stat):
            digest = entry["digest"]
        else:
            try:
                with open(key, "rb") as handle:
                    digest = content_digest(handle.read())
            except OSError:
                return None
        self._digests[key] = digest
        return digest

    def store(self, path: Path, result) -> None:
        if result.errors or not result.digest:
            return  # never cache a run that had internal trouble
        key = os.path.abspath(path)
        try:
            stat = _trusted_stat(os.stat(key))
        except OSError:
            stat = None
        entry = {"digest": result.digest, "stat": stat, "findings": [f.to_dict() for f in result.findings]}
        if result.deps:
            entry["deps"] = result.deps
        if result.with_project:
            entry["project"] = True
        if result.facts is not None:
            entry["facts"] = result.facts.to_dict()
        self.entries[key] = entry
        self._digests.pop(key, None)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by infralint\n*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.entries, handle, separators=(",", ":"))
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only tree still lints; it just is not cached
