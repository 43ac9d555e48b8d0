"""Result cache in `.infralint_cache/`: findings per file, keyed by content, config and version.

Content-addressed and relocatable: entries and their dependencies are named by paths relative to
the cache root, and validated by content digests (the stat shortcut only skips hashing), so a cache
folder restored on another path or runner (`actions/cache`, a shared folder) serves warm hits.

The folder sits in the linted tree, so its content is untrusted: a cache file is used only when it
is a regular file this user owns whose MAC, made with a key kept outside the tree
(`cache_key.py`), matches; and then every entry is checked field by field.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Iterable

from .finding import Finding
from .results import FileResult, content_digest
from .cache_key import cache_key, sign, verify
from .config import target_python_of_folder
from .safe_files import SymlinkRefused, create_own_file, open_own_folder, read_own_file, read_regular_file, replace_own_file
from .version import __version__

CACHE_DIR_NAME = ".infralint_cache"


# a file whose modification time is at least this old when it is stored cannot still be changing
# within the same timestamp tick, so an identical (size, mtime, inode) later means identical bytes
_SETTLED_NS = 2_000_000_000


def _target_of(location: str) -> list[int] | None:
    """The Python the file's own folder targets (a sub-project's `requires-python`), as stored: the
    configuration's own target is part of the cache file's name, this one is checked per entry."""
    target = target_python_of_folder(os.path.dirname(location))
    return list(target) if target is not None else None


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _trusted_stat(stat: os.stat_result) -> list[int] | None:
    """The stat key to trust on the next run, or None when the file is too fresh to trust it."""
    return _stat_key(stat) if time.time_ns() - stat.st_mtime_ns >= _SETTLED_NS else None


def _place_tag(root: str) -> str:
    """Where the run looks from: findings quote other files by their paths as shown (relative to
    the working folder when inside it), so a cache serves only runs that show them alike. Relative
    to the root when the working folder holds it, so a tree moved with its cache keeps its tag."""
    cwd = os.path.abspath(os.getcwd())
    inside = root == cwd or root.startswith(cwd.rstrip(os.sep) + os.sep)
    shown_from = os.path.relpath(root, cwd) if inside else cwd
    return content_digest(shown_from.encode("utf-8", "surrogateescape"))[:8]


def _interpreter_tag() -> str:
    """The findings depend on the interpreter: a file using 3.12 syntax parses on 3.12, not on 3.11."""
    return f"{sys.implementation.name}{sys.version_info.major}.{sys.version_info.minor}"


_DIGEST = re.compile(r"[0-9a-f]{32}")
# the file: `{"mac":"<hex>","entries":<entries>}`, the MAC made over the entries' exact bytes
_HEAD = b'{"mac":"'
_MIDDLE = b'","entries":'


def cache_root(config_root: Path, has_config_file: bool, files: Iterable[Path]) -> Path | None:
    """Where the cache of these files goes: inside the linted tree, never above it.

    The configuration's folder when there is a configuration file and it holds every file;
    otherwise (no configuration: the defaults' "root" is only the current folder, which may be
    `/`) the checkout that holds the files, or else their common folder. None for no files.
    """
    folders = {os.path.dirname(os.path.abspath(f)) for f in files}
    if not folders:
        return None
    common = os.path.commonpath(sorted(folders))
    root = os.path.abspath(config_root)
    if has_config_file and (common == root or common.startswith(root.rstrip(os.sep) + os.sep)):
        return Path(root)
    folder = common
    while True:
        if os.path.isdir(os.path.join(folder, ".git")):
            return Path(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return Path(common)
        folder = parent


def encode_cache_file(key: bytes, file_name: str, entries: dict) -> bytes:
    body = json.dumps(entries, separators=(",", ":")).encode("utf-8")
    return _HEAD + sign(key, file_name, body).encode("ascii") + _MIDDLE + body + b"}"


def decode_cache_file(key: bytes, file_name: str, data: bytes) -> dict | None:
    """The entries of a cache file whose MAC is `key`'s MAC of them, else None."""
    start = len(_HEAD) + 64
    if not (data.startswith(_HEAD) and data[start : start + len(_MIDDLE)] == _MIDDLE and data.endswith(b"}")):
        return None
    body = data[start + len(_MIDDLE) : -1]
    if not verify(key, file_name, body, data[len(_HEAD) : start].decode("ascii", "replace")):
        return None
    try:
        loaded = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _replayable(message: str) -> bool:
    """A message about the file alone, the same on every run over the same bytes (a file in the
    syntax of a newer Python): stored with its entry and said again when it is served. Warnings
    about the input may come from other files and are never stored (`input_warnings.py`)."""
    return message.startswith("note: ")


def _relative_name(key) -> bool:
    """A path as entries name files: relative to the cache root, never absolute (a moved tree)."""
    return isinstance(key, str) and bool(key) and not os.path.isabs(key) and "\0" not in key


def _valid_entry(key, entry) -> bool:
    """An entry as `store` writes it; anything else (a hand edit, a truncated write) is discarded."""
    if not _relative_name(key) or not isinstance(entry, dict):
        return False
    notes = entry.get("notes")
    if notes is not None and not (isinstance(notes, list) and all(isinstance(n, str) and _replayable(n) for n in notes)):
        return False
    if not isinstance(entry.get("digest"), str) or not _DIGEST.fullmatch(entry["digest"]):
        return False
    if not isinstance(entry.get("findings"), list) or not all(isinstance(f, dict) for f in entry["findings"]):
        return False
    stat = entry.get("stat")
    if stat is not None and not (isinstance(stat, list) and len(stat) == 3 and all(type(v) is int for v in stat)):
        return False
    deps = entry.get("deps")
    # a dependency without a digest is a file that did not exist (a module imported but missing)
    if deps is not None and not (
        isinstance(deps, dict) and all(_relative_name(k) and (v is None or isinstance(v, str) and _DIGEST.fullmatch(v)) for k, v in deps.items())
    ):
        return False
    target = entry.get("target")
    if target is not None and not (isinstance(target, list) and len(target) == 2 and all(type(v) is int for v in target)):
        return False
    if not isinstance(entry.get("project", False), bool) or not isinstance(entry.get("files", ""), str):
        return False
    if not isinstance(entry.get("joined", ""), str) or not isinstance(entry.get("place"), str) or not isinstance(entry.get("shown"), str):
        return False
    return entry.get("facts") is None or isinstance(entry["facts"], dict)


class ResultCache:
    """One JSON file per (version, interpreter, config fingerprint, fix mode); entries by path
    relative to the cache root, each valid for runs started where it was made (`_place_tag`).

    An entry is used only when the file's bytes hash to the digest it was stored with, so editing a
    file, changing the configuration or upgrading infralint all miss. Hashing is skipped when the
    file's size, modification time and inode are exactly those recorded, and the file was already
    settled (not modified in the last two seconds) when they were recorded, as `git` and `make` do.

    Findings computed with the joined project (`with_project`) also carry the key of the project
    they were computed with (`joined`): a lookup there that found nothing records no dependency,
    so when any file's facts differ (a file that no longer parses, a route renamed into place) the
    engine lints them again (`stale_project_results`) — also in a run where every file is served
    (`project_in_doubt`: a run over part of the tree refreshes only the files it reports).
    Findings quote files by their paths as shown, so an entry also serves only the same display of
    its own path (`shown`) from the same place (`_place_tag`).

    The folder lives in the linted tree, which may be hostile: a cache folder (or file inside it)
    that is a symbolic link is never followed — the cache is then simply not used, and `notice`
    says why once. An entry of the wrong shape is dropped, never trusted.
    """

    def __init__(self, root: Path, config_fingerprint: str, resolve_fixes: bool) -> None:
        self.root = os.path.abspath(root)
        self.folder: Path | None = Path(self.root) / CACHE_DIR_NAME
        mode = "fixes" if resolve_fixes else "plain"
        self.file_name = f"{__version__}-{_interpreter_tag()}-{config_fingerprint}-{mode}.json"
        self.place = _place_tag(self.root)
        self.file = self.folder / self.file_name
        self.entries: dict[str, dict] = {}
        self.dirty = False
        #: statistics of this run: entries served, lookups not served, and served entries linted again
        #: because the joined project changed
        self.hits = 0
        self.misses = 0
        self.relinted = 0
        self._digests: dict[str, str | None] = {}  # current digests of dependencies, hashed once per run
        #: a digest of the run's list of files: a finding computed with the project model may rest on
        #: a lookup that found nothing, which records no dependency, so a file added (or dropped)
        #: since makes such entries stale (`lint_files` sets it)
        self.run_files = ""
        #: the key of this run's joined project (`stale_project_results` sets it), stored with the
        #: entries linted with it
        self.project_key = ""
        self._joined: dict[str, str] = {}  # shown path of a hit → key of the project it was linted with
        self.notice: str | None = None
        try:
            self._key = cache_key()
        except OSError as exc:
            self._key = b""
            self._refuse(exc)
            return
        self.entries = self._load()

    def _name(self, path) -> str:
        """How entries name a file: its path relative to the cache root."""
        return os.path.relpath(os.path.abspath(path), self.root)

    def _path(self, name: str) -> str:
        return os.path.normpath(os.path.join(self.root, name))

    def _load(self) -> dict[str, dict]:
        try:
            folder_fd = open_own_folder(self.folder, create=False)
        except SymlinkRefused as exc:
            self._refuse(exc)
            return {}
        except OSError:
            return {}
        try:
            data = read_own_file(folder_fd, self.file_name, owned=True)
        finally:
            os.close(folder_fd)
        loaded = decode_cache_file(self._key, self.file_name, data) if data is not None else None
        if loaded is None:
            return {}  # missing, damaged, or not written by this user's infralint: never trusted
        return {key: entry for key, entry in loaded.items() if _valid_entry(key, entry)}

    def _refuse(self, exc: OSError) -> None:
        self.notice = f"{exc.filename}: {exc.strerror}; the result cache is not used"
        self.folder = None

    def lookup(self, path: Path, shown: str, *, want_facts: bool = False) -> FileResult | None:
        """The stored result of `path` (shown as `shown`) when it is still valid, else None."""
        result = self._lookup(path, shown, want_facts)
        if result is None:
            self.misses += 1
        return result

    def _shown_alike(self, entry: dict, shown: str) -> bool:
        """Whether this run shows paths as the run that stored `entry` did: the file under the same
        path, which when relative also fixes where the run looks from; when absolute, from the
        same place too (other files inside the working folder are shown relative to it)."""
        return entry["shown"] == shown and (not os.path.isabs(shown) or entry["place"] == self.place)

    def _lookup(self, path: Path, shown: str, want_facts: bool) -> FileResult | None:
        location = os.path.abspath(path)
        key = self._name(location)
        entry = self.entries.get(key)
        if entry is None or (want_facts and "facts" not in entry) or not self._shown_alike(entry, shown):
            return None
        try:
            stat = os.stat(location)
        except OSError:
            return None
        if entry.get("stat") != _stat_key(stat):
            # the cheap check failed (or the file was too fresh to trust it, or the tree was moved or
            # restored): compare the content
            try:
                data = read_regular_file(location)
            except OSError:
                return None
            if content_digest(data) != entry["digest"]:
                return None
            entry["stat"] = _trusted_stat(stat)
            self.dirty = True
        if not self._dependencies_unchanged(entry) or (entry.get("project") and entry.get("files") != self.run_files):
            return None
        if entry.get("target") != _target_of(location):
            return None  # a `requires-python` (or ruff's target) above the file changed
        try:
            findings = [Finding.from_dict(f) for f in entry["findings"]]
            facts = None
            if entry.get("facts") is not None:
                from .project.facts import FileFacts

                facts = FileFacts.from_dict(entry["facts"], shown)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            del self.entries[key]  # a damaged entry: lint the file again
            return None
        self.hits += 1
        for finding in findings:
            finding.path = shown
        result = FileResult(shown, findings, list(entry.get("notes") or ()), entry["digest"])
        result.deps = {self._path(dep): digest for dep, digest in (entry.get("deps") or {}).items()}
        result.with_project = bool(entry.get("project"))
        if result.with_project:
            self._joined[shown] = entry.get("joined", "")
        result.facts = facts
        return result

    def stale_project_results(self, results: list) -> set[int]:
        """After the first phase: set this run's project key, and return the positions of the
        results served from entries linted with another project (to be linted again with this one)."""
        self.project_key = project_key(results)
        stale = {
            index for index, result in enumerate(results)
            if result.with_project and result.path in self._joined and self._joined[result.path] != self.project_key
        }
        self.relinted += len(stale)
        return stale

    def project_in_doubt(self, results: list, context_paths, shown) -> bool:
        """A run where every file was served: whether an answer joined with the project was joined
        with another project than this run's (then the engine joins this one, which redoes them).
        `context_paths`: the project's files the run does not report (`shown` shows a path)."""
        if not any(result.with_project for result in results):
            return False
        context = []
        for path in context_paths:
            hit = self.lookup(path, shown(path), want_facts=True)
            if hit is None:
                return True  # changed since it was stored (or never was): the project may differ
            context.append(hit)
        key = project_key([*results, *context])
        return any(result.with_project and self._joined.get(result.path) != key for result in results)

    # -- findings that read other files (the project model, imported constants) ---------------

    def _dependencies_unchanged(self, entry: dict) -> bool:
        """Every other file the findings were computed from still has the digest it had then
        (None: it still does not exist)."""
        for dep, digest in (entry.get("deps") or {}).items():
            if self._current_digest(self._path(dep)) != digest:
                return False
        return True

    def _current_digest(self, location: str) -> str | None:
        """A file's content digest now: its own entry's when its stat is unchanged, else hashed;
        None when it cannot be read."""
        if location in self._digests:
            return self._digests[location]
        try:
            stat = os.stat(location)
        except OSError:
            return None  # not remembered: it may be created during the run
        entry = self.entries.get(self._name(location))
        if entry is not None and entry.get("stat") == _stat_key(stat):
            digest = entry["digest"]
        else:
            try:
                digest = content_digest(read_regular_file(location))  # never blocks on a FIFO or device
            except OSError:
                return None
        self._digests[location] = digest
        return digest

    def store(self, path: Path, result) -> None:
        if not result.digest or not all(_replayable(message) for message in result.errors):
            return  # never cache a run that had internal trouble, or warnings the next run must say
        location = os.path.abspath(path)
        key = self._name(location)
        try:
            stat = _trusted_stat(os.stat(location))
        except OSError:
            stat = None
        entry = {"digest": result.digest, "stat": stat, "place": self.place, "shown": result.path, "findings": [f.to_dict() for f in result.findings]}
        entry["target"] = _target_of(location)
        if result.errors:
            entry["notes"] = list(result.errors)
        if result.deps:
            entry["deps"] = {self._name(dep): digest for dep, digest in result.deps.items()}
        if result.with_project:
            entry["project"] = True
            entry["files"] = self.run_files
            entry["joined"] = self.project_key
        if result.facts is not None:
            entry["facts"] = result.facts.to_dict()
        self.entries[key] = entry
        self._digests.pop(location, None)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.folder is None:
            return
        try:
            folder_fd = open_own_folder(self.folder, create=True)
        except SymlinkRefused as exc:
            self._refuse(exc)
            return
        except OSError:
            return  # a read-only tree still lints; it just is not cached
        try:
            create_own_file(folder_fd, ".gitignore", b"# created by infralint\n*\n")
            replace_own_file(folder_fd, self.file_name, encode_cache_file(self._key, self.file_name, self.entries))
        except OSError:
            pass  # a read-only tree still lints; it just is not cached
        finally:
            os.close(folder_fd)


def project_key(results) -> str:
    """What the joined project of these results is made of: every file that states facts (as
    shown) and its content digest. A file that does not parse states none, so it counts too."""
    stated = sorted(f"{r.path}\0{r.digest}" for r in results if r is not None and r.facts is not None)
    return content_digest("\n".join(stated).encode("utf-8", "surrogateescape"))

