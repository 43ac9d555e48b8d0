"""`infralint merge PARTIAL…`: join the partials, run the project phase, report.

Two kinds of partials join:
- the shards of one split run (`check --shard K/N`): the same file set in every partial, every
  shard exactly once;
- partials of disjoint file sets (`check --partial-out FILE PATHS`, one per build target): the
  merge reports what one `check` of all their files reports.
Either way they come from the same infralint and Python, with the same configuration. The project
phase reads again the files that wait for the project, and the facts of the project's files no
partial reports, so the merge runs in a checkout of the same tree (any folder): a file whose
content differs from what its partial recorded is an error, never a silent re-lint.
Reporting is `check`'s: formats, baseline, `--output-file`, `--exit-zero`, statistics, exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import ConfigResolver
from ..engine import default_jobs, lint_project_phase
from ..partials import Partial, PartialError, PartialGroup, interpreter_tag, read_partial, result_from_dict
from ..results import FileResult, content_digest
from ..safe_files import read_regular_file
from ..sharding import config_digest, path_in_run
from ..version import __version__
from .check import run_check


def run_merge(args) -> int:
    partials = [read_partial(path) for path in args.partials]
    groups = join_partials(partials)
    # the folders one `check` of every partial's paths would have named
    named = sorted({folder for partial in partials for folder in partial.named_folders})
    return run_check(args, lint=lambda args, resolver, resolve, fixing, fixed_codes: merged_results(args, resolver, groups, named, partials[0].fixes))


@dataclass
class JoinedGroup:
    """One configuration's share of every partial, joined: serialised results by file."""

    config_root: str
    config: str
    files: set[str] = field(default_factory=set)
    context: set[str] | None = None
    results: dict[str, tuple[Partial, dict]] = field(default_factory=dict)


def join_partials(partials: list[Partial]) -> list[JoinedGroup]:
    """The partials' groups joined, after checking that they make up one run (one-line errors)."""
    first = partials[0]
    for partial in partials:
        # the merge lints too (the files that wait for the project): with the shards' infralint and Python
        for what, theirs, mine in (("infralint", partial.infralint, __version__), ("Python", partial.python, interpreter_tag())):
            if theirs != mine:
                raise PartialError(f"{partial.source}: made with {what} {theirs}, this merge runs {what} {mine}: shards and merge need the same")
    if all(partial.signature == first.signature for partial in partials):
        _check_shards(partials)
    else:
        _check_disjoint_sets(partials)
    joined: dict[str, JoinedGroup] = {}
    for partial in partials:
        for group in partial.groups:
            target = joined.setdefault(group.config_root, JoinedGroup(group.config_root, group.config))
            if group.config != target.config:
                raise PartialError(f"{partial.source}: made with another configuration than {first.source}: every partial needs the same options")
            _add_group(target, partial, group)
    return sorted(joined.values(), key=lambda g: min(g.files, default=""))

def _check_shards(partials: list[Partial]) -> None:
    """The shards of one split: the same count, each shard exactly once."""
    first = partials[0]
    for partial in partials[1:]:
        if partial.shard.count != first.shard.count:
            raise PartialError(f"{partial.source}: shard count {partial.shard.count} differs from {first.source}'s ({first.shard.count}): the partials are not from one run")
    seen: dict[int, str] = {}
    for partial in partials:
        if partial.shard.index in seen:
            raise PartialError(f"shard {partial.shard} given twice ({seen[partial.shard.index]}, {partial.source})")
        seen[partial.shard.index] = partial.source
    missing = [str(index) for index in range(1, first.shard.count + 1) if index not in seen]
    if missing:
        raise PartialError(f"missing shard(s) {', '.join(missing)} of {first.shard.count}: give merge every shard's partial")


def _check_disjoint_sets(partials: list[Partial]) -> None:
    """Partials of different file sets are whole runs of their own files (one per target), never shards."""
    first = partials[0]
    for partial in partials:
        if partial.shard.count != 1:
            other = first if partial is not first else partials[1]
            raise PartialError(
                f"{partial.source}: shard {partial.shard} of another configuration or file set than {other.source}: "
                "every shard must lint the same paths with the same options"
            )


def _add_group(target: JoinedGroup, partial: Partial, group: PartialGroup) -> None:
    own = set(group.files)
    for data in group.results:
        name = data["path"]
        if name not in own:
            raise PartialError(f"{partial.source}: holds {name}, which is not in its file set: the partial is damaged")
        if partial.shard.count > 1 and not partial.shard.holds(name):
            raise PartialError(f"{partial.source}: holds {name}, which is not shard {partial.shard}'s: the partials are not from one run")
        known = target.results.get(name)
        if known is not None and known[1].get("digest") != data.get("digest"):
            raise PartialError(f"{name} is in {known[0].source} and in {partial.source} with different contents: the partials are not from one checkout")
        target.results.setdefault(name, (partial, data))  # a file of two targets: the same first phase
    target.files |= own
    # the project's files none of the partials reports (each partial names those it does not)
    target.context = set(group.context) if target.context is None else target.context & set(group.context)


def merged_results(args, resolver: ConfigResolver, groups: list[JoinedGroup], named: list[str], fixes: bool):
    """The final results, as `check`'s linting step returns them (no diffs, no fixed text)."""
    root = resolver.config_for(Path.cwd()).root
    results: list[FileResult] = []
    configs = []
    for group in groups:
        names = sorted(group.files)
        paths = [path_in_run(name, root) for name in names]
        config = resolver.config_for(paths[0]) if paths else resolver.config_for(root)
        if len(named) > 1:
            config.named_folders = tuple(str(Path(root, folder).resolve()) for folder in named)
        digest = config_digest(config)
        if digest != group.config:
            raise PartialError(
                f"the partials were made with another configuration (digest {group.config}) than this merge's ({digest}): "
                "give merge the same --config/--select/--extend-select/--ignore as the shards, in the same checkout"
            )
        first_phase = _first_phase_results(group, names, root)
        context = [path_in_run(name, root) for name in sorted((group.context or set()) - group.files)]
        final = lint_project_phase(first_phase, paths, config, jobs=args.jobs or default_jobs(), cache=None, resolve_fixes=fixes, context_paths=context)
        results.extend(final)
        configs.append(config)
    results.sort(key=lambda result: result.path)  # `check`'s order: the files' paths
    return results, [], None, configs


def _first_phase_results(group: JoinedGroup, names: list[str], root: Path) -> list[FileResult]:
    """The first phase's results of `names` (in that order), each checked against the file on disk."""
    missing = [name for name in names if name not in group.results]
    if missing:
        raise PartialError(f"no partial holds {missing[0]} ({len(missing)} file(s) of the run): give merge every partial")
    results = []
    for name in names:
        partial, data = group.results[name]
        try:
            result = result_from_dict(data, root)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PartialError(f"{partial.source}: damaged result for {name} ({exc})") from exc
        _check_unchanged(name, result, root)
        results.append(result)
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
