"""Which files to lint: Python files under the given paths, minus excludes and git-ignored files.

An explicitly named file is always linted (even an excluded one, or one without a `.py` suffix
that has a python shebang). Symbolic links are not followed out of the tree being walked.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .config import Config, ConfigResolver
from .real_paths import real_paths

if TYPE_CHECKING:
    import subprocess

PYTHON_SUFFIXES = (".py", ".pyi")


def discover(paths: Iterable[Path], config: Config, *, force_exclude: bool = False) -> list[Path]:
    """Files to lint. With `force_exclude`, files named explicitly are filtered as a folder's walk
    filters them: excludes apply, and only the kinds of file the run reads are kept (pre-commit
    names every staged file, so its hooks pass `--force-exclude` to honour the configuration, and
    hand over every text file so deployment configuration reaches the project's rules)."""
    found: dict[Path, None] = {}
    aliases = _Aliases()
    patterns = _exclude_patterns(config)
    readers = None  # found when first needed: explicit files need no rule classes
    fact_files = None  # non-Python files the project model reads (browser clients, …)
    for path in paths:
        if force_exclude and _excluded_anywhere(path, patterns, config):
            continue
        if path.is_file() or (path.exists() and not path.is_dir()):
            if force_exclude:
                if readers is None:
                    readers, fact_files = _config_file_readers(config), _fact_file_filter(config)
                if not _read_kind(path, readers, fact_files):
                    continue
            aliases.add(path, os.path.realpath(path), path.is_symlink())  # named explicitly: always linted
        elif path.is_dir():
            if readers is None:
                readers, fact_files = _config_file_readers(config), _fact_file_filter(config)
            for file, real, is_link in _walk(path, patterns, config, readers, fact_files):
                aliases.add(file, real, is_link)
        else:
            found[path] = None  # the engine reports it as unreadable
    found.update(dict.fromkeys(aliases.files()))
    return sorted(found, key=lambda p: p.as_posix())


class _Aliases:
    """One path per real file: a symbolic link to a file that is also linted under its own name
    would be linted twice (and, after `--fix`, seen as changed on disk). The file's own name wins
    over a link's; among links, the first one met."""

    def __init__(self) -> None:
        self._by_real: dict[str, tuple[Path, bool]] = {}

    def add(self, path: Path, real: str, is_link: bool) -> None:
        known = self._by_real.get(real)
        if known is None or (known[1] and not is_link):
            self._by_real[real] = (path, is_link)

    def files(self) -> list[Path]:
        return [path for path, _ in self._by_real.values()]


def _config_file_readers(config: Config) -> list:
    """Enabled rules that also read non-Python files (pytest.ini, tox.ini…) found while walking."""
    from .rules import rule_classes  # late: the rules package is not needed to list Python files

    enabled = config.enabled_codes()
    return [cls for code, cls in rule_classes().items() if code in enabled and (cls.config_file_names or getattr(cls, "reads_fact_files", False))]


def _fact_file_filter(config: Config):
    """When an enabled rule reads the project model: the test for files its extractors read."""
    from .rules import rule_classes

    enabled = config.enabled_codes()
    if not any(cls.uses_project for code, cls in rule_classes().items() if code in enabled):
        return None
    from .project import load_extractors, wants_file

    load_extractors()
    return partial(wants_file, enabled=frozenset(enabled))  # only the files an enabled rule's extractors read


def _read_kind(path: Path, readers: list, fact_files) -> bool:
    """Whether a run reads a file of this kind: a Python module (or a script whose shebang names
    python), a configuration file an enabled rule reads, a file the project's extractors read."""
    if path.name.endswith(PYTHON_SUFFIXES) or (readers and _wanted_config_file(path, readers)):
        return True
    return (fact_files is not None and fact_files(path)) or (not path.suffix and _python_shebang(path))


def _python_shebang(path: Path) -> bool:
    from .safe_files import read_regular_file

    try:
        first = read_regular_file(path, limit=200).split(b"\n", 1)[0]
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _wanted_config_file(file: Path, readers: list) -> bool:
    if any(cls.config_file_names and file.name in cls.config_file_names and cls.wants_config_file(file) for cls in readers):
        return True
    if any(getattr(cls, "reads_fact_files", False) for cls in readers):
        # deployment configuration (YAML, Terraform, nginx, Dockerfile…): only when such a rule is on
        from .project import wants_file

        return wants_file(file)
    return False


class ExcludePatterns:
    """The exclude globs, compiled once, with the matching rules of `source.path_matches`.

    Patterns without a `/` (`build`, `*.egg-info`) match any one path component. While walking,
    the folders above an entry have already been checked (excluded ones are never entered), so
    only the entry's own name needs testing against them.
    """

    def __init__(self, patterns: list[str]) -> None:
        self.component = []  # bare names: match one path component
        self.path = []  # the rest: match the whole relative path
        for raw in patterns:
            pattern = raw.replace("\\", "/")
            if "/" not in pattern.strip("*/"):
                self.component.append(_glob(pattern.strip("/")))
                continue
            variants = [pattern]
            if pattern.startswith("**/"):
                variants.append(pattern[3:])
            reduced = re.sub(r"/\*\*/", "/", pattern)
            if reduced != pattern:
                variants.append(reduced)
            self.path.append(tuple(_glob(v) for v in variants))
        self.has_path_patterns = bool(self.path)

    def name_excluded(self, name: str) -> bool:
        return any(match(name) for match in self.component)

    def path_excluded(self, posix: str) -> bool:
        """A whole relative path against the patterns that contain a `/`."""
        rooted = "/" + posix.lstrip("/")
        return any(m(posix) or m(rooted) for variants in self.path for m in variants)

    def excluded(self, posix: str) -> bool:
        """A whole path, checking every component (for paths named on the command line)."""
        return any(self.name_excluded(part) for part in posix.split("/")) or self.path_excluded(posix)


def _exclude_patterns(config: Config) -> ExcludePatterns:
    return _compiled_patterns(tuple(config.exclude), tuple(config.extend_exclude))


@lru_cache(maxsize=64)
def _compiled_patterns(exclude: tuple[str, ...], extend_exclude: tuple[str, ...]) -> ExcludePatterns:
    """Compiled once per configuration's patterns: every path named on the command line asks."""
    return ExcludePatterns([*exclude, *extend_exclude])


def _glob(pattern: str):
    return re.compile(fnmatch.translate(pattern)).match


def _walk(top: Path, patterns: ExcludePatterns, config: Config, readers: list = (), fact_files=None) -> list[tuple[Path, str, bool]]:
    """Every wanted file under `top` as (path, real path, is a link), walked with an explicit stack
    (a tree thousands of folders deep is fine), never entering an excluded folder or a linked one."""
    tracked = _git_visible_files(top) if config.respect_gitignore else None
    top_real = os.path.realpath(top)
    root_prefix = _root_prefix(Path(top_real), config)
    results = []
    stack = [""]
    while stack:
        relative_dir = stack.pop()
        folder = top / relative_dir if relative_dir else top
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue  # unreadable or vanished folder: nothing to list
        subfolders = []
        for entry in entries:
            rel = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            if patterns.name_excluded(entry.name) or _path_excluded(rel, root_prefix, patterns):
                continue
            if _is_folder(entry):
                if not entry.is_symlink():
                    subfolders.append(rel)
                continue
            if not entry.name.endswith(PYTHON_SUFFIXES) and not (readers and _wanted_config_file(Path(entry.path), readers)):
                if fact_files is None or not fact_files(Path(entry.path)):
                    continue
            is_link = entry.is_symlink()
            # linked folders are never entered, so a plain file's real path is the walk's own
            real = os.path.realpath(entry.path) if is_link else os.path.join(top_real, rel)
            if is_link and not _inside(real, top_real):
                continue
            if tracked is not None and rel not in tracked:
                continue
            results.append((top / rel, real, is_link))
        stack.extend(reversed(subfolders))
    return results


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _path_excluded(rel: str, root_prefix: str | None, patterns: ExcludePatterns) -> bool:
    if not patterns.has_path_patterns:
        return False
    if patterns.path_excluded(rel):
        return True
    return root_prefix is not None and patterns.path_excluded(root_prefix + rel)


def _root_prefix(top_real: Path, config: Config) -> str | None:
    """How the walked folder is spelled relative to the config file's folder ("" or "sub/dir/"),
    for patterns like `tests/fixtures`; None when it lies outside."""
    try:
        relative = top_real.relative_to(Path(config.root).resolve()).as_posix()
    except (ValueError, OSError):
        return None
    return "" if relative == "." else relative + "/"


def _excluded_anywhere(path: Path, patterns: ExcludePatterns, config: Config) -> bool:
    relative = _root_relative(path, config)
    return patterns.excluded(relative if relative is not None else path.as_posix()) or (
        relative is not None and patterns.path_excluded(relative)
    )


def _root_relative(path: Path, config: Config) -> str | None:
    """The path relative to the config file's folder, for patterns like `tests/fixtures`."""
    try:
        return Path(os.path.realpath(path)).relative_to(config.root).as_posix()
    except (ValueError, OSError):
        return None


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _git_visible_files(top: Path) -> set[str] | None:
    """Files git does not ignore under `top` (tracked or untracked), or None outside a checkout.

    A folder named explicitly is walked even when it is itself git-ignored (a virtualenv, an
    installed interpreter inside a checkout): explicit paths win, as they do for files.
    """
    inside_ignored = run_git(["check-ignore", "-q", "."], top)
    if inside_ignored is None or inside_ignored.returncode == 0:
        return None
    proc = run_git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], top)
    if proc is None or proc.returncode != 0:
        return None
    # paths relative to `top`, as the walk spells them
    return {name for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


# The linted tree may carry its own `.git/config` (an unpacked archive, a CI artifact): settings
# given with `-c` win over it, so none of the keys that make git run a command can take effect.
_GIT_HARDENING = (
    "--no-pager",
    "--no-optional-locks",  # never write the index (no refresh, no lock files)
    "-c", "core.fsmonitor=false",  # a command git would run before listing files
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.untrackedCache=false",
    "-c", "core.pager=cat",
    "-c", "diff.external=",
    "-c", "protocol.allow=never",
    "-c", "credential.helper=",
    "-c", "core.sshCommand=false",
)
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_EXTERNAL_DIFF": "",
}


def run_git(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess | None:
    """Run a read-only git command in `cwd` with the tree's own configuration defused.

    git itself refuses a repository owned by another user (`safe.directory`); that, like any
    failure, returns None and discovery then simply does not use .gitignore.
    """
    import subprocess  # only for folders: files named on the command line ask git nothing

    executable = trusted_git(cwd)
    if executable is None:
        return None
    env = {**os.environ, **_GIT_ENV}
    try:
        return subprocess.run(
            [executable, *_GIT_HARDENING, *arguments], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None


def trusted_git(tree: Path) -> str | None:
    """The absolute path of the `git` to run in `tree`, or None.

    Resolved before the change of folder and from absolute `PATH` entries only: an empty or
    relative entry (`PATH=:$PATH`, `.`, `bin`) would otherwise be searched inside the linted tree.
    A `git` that lives inside the tree anyway (a `PATH` naming the checkout's own `bin/`) is refused.
    """
    executable = _git_on_path(os.environ.get("PATH", os.defpath))
    if executable is None or _inside(executable, os.path.realpath(tree)):
        return None
    return executable


@lru_cache(maxsize=8)
def _git_on_path(search_path: str) -> str | None:
    import shutil

    absolute = os.pathsep.join(entry for entry in search_path.split(os.pathsep) if os.path.isabs(entry))
    found = shutil.which("git", path=absolute) if absolute else None
    return os.path.realpath(found) if found else None


def is_excluded(path: Path, config: Config) -> bool:
    """Whether the configuration's `exclude`/`extend-exclude` skip `path` (as `--force-exclude` applies them)."""
    return _excluded_anywhere(path, _exclude_patterns(config), config)


def excluded_below(top: Path, path: Path, config: Config) -> bool:
    """Whether walking the folder `top` would skip `path` below it (the same tests as the walk,
    folder by folder). A path that is `top` itself was named explicitly: never excluded."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(top))
    if relative == "." or relative.startswith(".."):
        return False
    patterns = _exclude_patterns(config)
    root_prefix = _root_prefix(Path(os.path.realpath(top)), config)
    parts = Path(relative).parts
    for depth in range(1, len(parts) + 1):
        below = "/".join(parts[:depth])
        if patterns.name_excluded(parts[depth - 1]) or _path_excluded(below, root_prefix, patterns):
            return True
    return False


# -- many paths, each file with the configuration that governs it ------------------------------


def files_and_configs(paths: list[Path], resolver: ConfigResolver, force_exclude: bool = False) -> tuple[list[Path], dict[Path, Config]]:
    """The files to lint under `paths`, and the configuration of each.

    A folder is walked with the configuration that governs it; a file found under a nested
    configuration is then skipped if that configuration's own excludes say so (as ruff does).
    """
    config_of: dict[Path, Config] = {}
    for top in paths:
        walk_config = resolver.config_for(top)
        for path in discover([top], walk_config, force_exclude=force_exclude):
            own = resolver.config_for(path)
            if own is not walk_config and excluded_below(top, path, own):
                continue
            config_of.setdefault(path, own)
    for alias in _aliases_of_named_files(config_of):
        del config_of[alias]
    return sorted(config_of, key=lambda p: p.as_posix()), config_of


def _aliases_of_named_files(files: Iterable[Path]) -> list[Path]:
    """Paths that name a file another path of the run names too (a link named beside its target,
    on one command line): each real file is linted once, under its own name when it was given."""
    kept: dict[str, Path] = {}
    dropped: list[Path] = []
    files = list(files)
    for path, real in zip(files, real_paths(files)):
        known = kept.get(real)
        if known is None:
            kept[real] = path
        elif known.is_symlink() and not path.is_symlink():
            dropped.append(known)
            kept[real] = path
        else:
            dropped.append(path)
    return dropped


def config_groups(files: list[Path], config_of: dict[Path, Config]) -> list[tuple[Config, list[Path]]]:
    """The files grouped by configuration (each group keeps the files' order)."""
    groups: dict[int, tuple[Config, list[Path]]] = {}
    for path in files:
        config = config_of[path]
        groups.setdefault(id(config), (config, []))[1].append(path)
    return list(groups.values())
