"""Result cache in `.infralint_cache/`: findings per file, keyed by content, config and version."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .finding import Finding

CACHE_DIR_NAME = ".infralint_cache"


class ResultCache:
    """One JSON file per (version, config fingerprint, fix mode); entries by absolute path.

    An entry is used only when the file's bytes hash to the digest it was stored with, so editing a
    file, changing the configuration or upgrading infralint all miss.
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

    def lookup(self, path: Path, shown: str):
        from .engine import FileResult, content_digest  # engine imports this module

        entry = self.entries.get(str(path.resolve()))
        if entry is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if content_digest(data) != entry["digest"]:
            return None
        self.hits += 1
        findings = [Finding.from_dict(f) for f in entry["findings"]]
        for finding in findings:
            finding.path = shown
        return FileResult(shown, findings, [], entry["digest"])

    def store(self, path: Path, result) -> None:
        if result.errors or not result.digest:
            return  # never cache a run that had internal trouble
        self.entries[str(path.resolve())] = {"digest": result.digest, "findings": [f.to_dict() for f in result.findings]}
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
