"""`infralint merge PARTIAL…`: join the shards' partials, run the project phase, report.

The partials must come from one split run: the same infralint and Python, the same shard count,
each shard once, the same configuration and the same file set. The project phase reads again the
files that wait for the project, so the merge runs in a checkout of the same tree (any folder):
a file whose content differs from what its shard linted is an error, never a silent re-lint.
Reporting is `check`'s: formats, baseline, `--output-file`, `--exit-zero`, statistics, exit codes.
"""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigResolver
from ..engine import lint_project_phase
from ..partials import Partial, PartialError, PartialGroup, read_partial, result_from_dict
from ..results import FileResult, content_digest
from ..safe_files import read_regular_file
from ..sharding import config_digest, path_in_run, shard_of
from .check import run_check


def run_merge(args) -> int:
    partials = [read_partial(path) for path in args.partials]
    check_complete(partials)
    return run_check(args, lint=lambda args, resolver, resolve, fixing, fixed_codes: merged_results(args, resolver, partials))


def check_complete(partials: list[Partial]) -> None:
    """One split run, every shard exactly once: anything else is a one-line error."""
    first = partials[0]
    for partial in partials[1:]:
        for what, mine, theirs in (
            ("infralint version", partial.infralint, first.infralint),
            ("Python", partial.python, first.python),
            ("shard count", partial.shard.count, first.shard.count),
        ):
            if mine != theirs:
                raise PartialError(f"{partial.source}: {what} {mine} differs from {first.source}'s ({theirs}): the partials are not from one run")
        if [(g.config, g.files_digest) for g in partial.groups] != [(g.config, g.files_digest) for g in first.groups]:
            raise PartialError(
                f"{partial.source}: another configuration or file set than {first.source}: every shard must lint the same paths with the same options"
            )
    seen: dict[int, str] = {}
    for partial in partials:
        if partial.shard.index in seen:
            raise PartialError(f"shard {partial.shard} given twice ({seen[partial.shard.index]}, {partial.source})")
        seen[partial.shard.index] = partial.source
    missing = [str(index) for index in range(1, first.shard.count + 1) if index not in seen]
    if missing:
        raise PartialError(f"missing shard(s) {', '.join(missing)} of {first.shard.count}: give merge every shard's partial")


def merged_results(args, resolver: ConfigResolver, partials: list[Partial]):
    """The final results, as `check`'s linting step returns them (no diffs, no fixed text)."""
    root = resolver.config_for(Path.cwd()).root
    jobs = args.jobs or 1
    results: list[FileResult] = []
    configs = []
    for position, group in enumerate(partials[0].groups):
        shares = [(partial, partial.groups[position]) for partial in partials]
        paths = [path_in_run(name, root) for name in group.files]
        config = resolver.config_for(paths[0]) if paths else resolver.config_for(root)
        if group.named_folders:
            config.named_folders = tuple(str(Path(root, folder).resolve()) for folder in group.named_folders)
        digest = config_digest(config, root)
        if digest != group.config:
            raise PartialError(
                f"{partials[0].source}: made with another configuration (digest {group.config}) than this merge's ({digest}): "
                "give merge the same --config/--select/--extend-select/--ignore as the shards, in the same checkout"
            )
        first_phase = _joined_results(group, shares, root)
        results.extend(lint_project_phase(first_phase, paths, config, jobs=jobs, cache=None, resolve_fixes=partials[0].fixes))
        configs.append(config)
    return results, [], None, configs


def _joined_results(group: PartialGroup, shares: list[tuple[Partial, PartialGroup]], root: Path) -> list[FileResult]:
    """The first phase's results in the file set's order, each from the shard it hashes to, and
    each checked against the file on disk."""
    by_name: dict[str, FileResult] = {}
    for partial, share in shares:
        for data in share.results:
            name = data["path"]
            if shard_of(name, partial.shard.count) != partial.shard.index or name in by_name:
                raise PartialError(f"{partial.source}: holds {name}, which is not shard {partial.shard}'s: the partials are not from one run")
            try:
                by_name[name] = result_from_dict(data, root)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise PartialError(f"{partial.source}: damaged result for {name} ({exc})") from exc
    unknown = set(by_name) - set(group.files)
    if unknown or len(by_name) != len(group.files):
        absent = sorted(set(group.files) - set(by_name)) or sorted(unknown)
        raise PartialError(f"the partials do not cover the file set ({absent[0]} and {len(absent) - 1} more): the partials are not from one run")
    results = [by_name[name] for name in group.files]
    for name, result in zip(group.files, results):
        _check_unchanged(name, result, root)
    return results


def _check_unchanged(name: str, result: FileResult, root: Path) -> None:
    if not result.digest:  # a file its shard could not read: nothing to compare
        return
    try:
        data = read_regular_file(path_in_run(name, root))
    except OSError:
        data = None
    if data is None or content_digest(data) != result.digest:
        raise PartialError(f"{name} is not the file its shard linted (changed or missing here): run merge in a checkout of the same commit as the shards")
