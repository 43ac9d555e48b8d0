"""What the flake8 plugin runs once an INF code is selected: the engine with the shared resolver.

Each file is linted with its project, as `infralint check` on the whole tree lints it: the facts of
every file of the configuration root (`project.members`), read once per flake8 process (before
flake8 forks its workers, when it does) from the result cache when it holds them.

A configuration problem never stops flake8: it is one warning on standard error, and the files
under that configuration are linted with the defaults (as the language server does). Raising
from a plugin inside flake8's worker pool is what made `flake8 --jobs 2` hang now and then: the
error sends flake8 into `multiprocessing.Pool.terminate()`, which can deadlock (CPython issues
73945, 78178, 96995); a plugin that never raises keeps flake8 on its normal close-and-join path.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Iterable, Iterator

from ..config import Config, ConfigError, ConfigResolver
from ..discovery import _git_visible_files, excluded_below
from ..engine import Linter, display_path, facts_of_files
from ..finding import Finding
from ..source import decode_source


class _Flake8Linter(Linter):
    """The engine with infralint's own `# noqa` handling switchable, for flake8's `--disable-noqa`."""

    def __init__(self, config: Config, *, honour_noqa: bool) -> None:
        super().__init__(config)
        self.honour_noqa = honour_noqa

    def _suppress(self, source, findings: list[Finding]) -> list[Finding]:
        judged = super()._suppress(source, findings)
        if self.honour_noqa:
            return judged
        # keep everything, plus the unused-noqa findings the comments earned
        original = {id(f) for f in findings}
        return findings + [f for f in judged if id(f) not in original]


class _State:
    resolver = ConfigResolver()
    tops: list[Path] = []  # the paths flake8 was given
    honour_noqa = True
    linters: dict[Path | None, _Flake8Linter] = {}
    #: per folder flake8 was given: the files git does not ignore below it (None outside a checkout)
    git_visible: dict[Path, set[str] | None] = {}
    warned: set[str] = set()
    #: per (project folder, configuration): its files, and their joined facts once asked for
    projects: dict[tuple[Path, int], "_ProjectFiles"] = {}


def configure(extra_codes: tuple[str, ...], honour_noqa: bool, filenames: Iterable[str]) -> None:
    """Called from flake8's option parsing: set up the resolver and check the named paths' configuration.

    The main process warns about a bad configuration of a named path once, before flake8 starts
    its workers. A worker that parses the options again (the `spawn`/`forkserver` start methods)
    marks those same warnings as given instead of repeating them.
    """
    _State.resolver = ConfigResolver(extend_select=list(extra_codes))
    _State.honour_noqa = honour_noqa
    _State.linters = {}
    _State.tops = [Path(name) for name in filenames]
    _State.git_visible = {}
    _State.projects = {}
    in_main_process = multiprocessing.parent_process() is None
    for top in _State.tops:
        linter = _linter_for(top, warn=in_main_process)
        if in_main_process and linter.config.respect_gitignore and top.is_dir():
            # asked once, before flake8 forks its workers (which then share the answer)
            _git_visible_below(top)
        if in_main_process and top.exists():
            _project_for(top, linter)  # joined once, before the fork: the workers share it


def _warn_once(message: str, *, show: bool = True) -> None:
    if message in _State.warned:
        return
    _State.warned.add(message)
    if show:
        sys.stderr.write(f"infralint: warning: {message}\n")
        sys.stderr.flush()


def _linter_for(path: Path, *, warn: bool = True) -> _Flake8Linter:
    """One engine per configuration file; a bad one is reported once and replaced by the defaults."""
    config_file = _State.resolver.config_file_for(path)
    linter = _State.linters.get(config_file)
    if linter is not None:
        return linter
    try:
        config = _State.resolver.load(config_file)
    except ConfigError as exc:
        _warn_once(f"{exc}; INF checks of the files under it use the default configuration", show=warn)
        config = _State.resolver.load(None)
    linter = _State.linters[config_file] = _Flake8Linter(config, honour_noqa=_State.honour_noqa)
    return linter


def findings_for(filename: str, lines: list[str], *, is_stdin: bool) -> list[Finding]:
    path = Path(filename)
    linter = _linter_for(path)
    if not is_stdin and _excluded(path, linter.config):
        return []  # skipped as `infralint check` skips it when walking the same folder
    text = "".join(lines)
    if not text.isascii() and not is_stdin:
        # flake8 silently falls back to latin-1 for a file that does not decode; infralint
        # reports that file as INF002, so judge the bytes as `infralint check` does
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        if data is not None and not _decodes(data):
            return linter.lint_bytes(data, filename).findings
    return linter.lint_text(text, display_path(path), project=None if is_stdin else _project_for(path, linter)).findings


def _project_for(path: Path, linter: _Flake8Linter):
    """The joined project `path` belongs to, as `infralint check` on the same paths joins it: the
    project of its configuration root, or for a file the configuration leaves out of it (an
    excluded folder named explicitly) the folder flake8 was given. None: no enabled rule reads it."""
    for candidate in _projects_around(path, linter):
        if candidate.holds(path):
            return candidate.joined()
    return None


def _projects_around(path: Path, linter: _Flake8Linter) -> Iterator["_ProjectFiles"]:
    """The projects `path` may belong to, each found once per process."""
    from ..project.members import project_root, reads_project

    if not reads_project(linter.config):
        return
    folders = [project_root(linter.config, [path])]
    folders += [Path(os.path.realpath(top)) for top in _State.tops if top.is_dir() and _below(path, top)]
    for folder in folders:
        if folder is not None:
            key = (folder, id(linter.config))
            if key not in _State.projects:
                _State.projects[key] = _ProjectFiles(folder, linter)
            yield _State.projects[key]


class _ProjectFiles:
    """The files `infralint check FOLDER` lints with one configuration; their facts are read (from
    the result cache when it holds them) and joined the first time a file of theirs is linted."""

    def __init__(self, folder: Path, linter: _Flake8Linter) -> None:
        from ..project.members import project_members

        self.linter = linter
        try:
            self.members = project_members(linter.config, folder, _State.resolver)
        except ConfigError:  # a bad configuration (said once already): the defaults govern its files
            self.members = project_members(linter.config, folder)
        self.reals = frozenset(os.path.realpath(m) for m in self.members)
        self._project = None

    def holds(self, path: Path) -> bool:
        """`path` is one of the files, or a folder holding some of them."""
        real = os.path.realpath(path)
        return real in self.reals or (path.is_dir() and any(r.startswith(real.rstrip(os.sep) + os.sep) for r in self.reals))

    def joined(self):
        if self._project is None:
            from ..project import Project
            from ..project.members import facts_cache

            cache = facts_cache(self.linter.config, self.members) if self.members else None
            facts = facts_of_files(self.linter, self.members, cache)
            self._project = Project(facts, named_folders=self.linter.config.named_folders)
        return self._project


def _below(path: Path, folder: Path) -> bool:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    return relative == "." or not relative.startswith("..")


def _excluded(path: Path, config: Config) -> bool:
    return any(excluded_below(top, path, config) or (config.respect_gitignore and _git_ignored_below(top, path)) for top in _State.tops)


def _git_ignored_below(top: Path, path: Path) -> bool:
    """Whether the walk of the folder `top` by `infralint check` skips `path` as git-ignored."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(top))
    if relative == "." or relative.startswith(".."):
        return False  # `top` itself, named explicitly, or outside it
    visible = _git_visible_below(top)
    return visible is not None and Path(relative).as_posix() not in visible


def _git_visible_below(top: Path) -> set[str] | None:
    if top not in _State.git_visible:
        _State.git_visible[top] = _git_visible_files(top) if top.is_dir() else None
    return _State.git_visible[top]


def _decodes(data: bytes) -> bool:
    try:
        decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return False
    return True
