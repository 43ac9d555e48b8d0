"""`infralint check --shard K/N --partial-out FILE`: the first phase on one share of the files.

Every shard discovers the same files, keeps those whose root-relative path hashes to it, lints
them without the project (facts, and the findings of files that do not wait for it) and writes a
partial; `infralint merge` joins the partials and reports. The shard itself reports nothing: its
exit code says whether the partial was written (0) or not (2).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..api import config_groups, files_and_configs
from ..engine import default_jobs, lint_first_phase
from ..exits import EXIT_CLEAN, UsageError
from ..partials import Partial, PartialGroup, result_to_dict, write_partial
from ..project.members import context_paths
from ..report.escape import printable
from ..sharding import config_digest, named_folders, parse_shard, relative_to_root
from .check import STDIN, note_named_folders, result_cache
from .common import resolver_from_args

#: what a shard cannot do: these belong to the merge (or need every file at once)
_MERGE_ONLY = (("fix", "--fix"), ("diff", "--diff"), ("write_baseline", "--write-baseline"), ("baseline", "--baseline"))


def run_shard(args) -> int:
    shard = parse_shard(args.shard or "1/1")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.partial_out is None:
        raise UsageError("--shard needs --partial-out FILE (where the shard's facts and findings go, for `infralint merge`)")
    for dest, option in _MERGE_ONLY:
        if getattr(args, dest, None):
            raise UsageError(f"{option} cannot be combined with --shard/--partial-out: give it to `infralint merge`")
    if args.stdin_filename is not None or STDIN in args.paths:
        raise UsageError("--shard/--partial-out lint files on disk, not standard input")
    resolver = resolver_from_args(args)
    root = resolver.config_for(Path.cwd()).root
    files, config_of = files_and_configs(args.paths or [Path(".")], resolver, args.force_exclude)
    note_named_folders(args.paths, config_of.values())
    jobs = args.jobs or default_jobs()
    groups: list[PartialGroup] = []
    linted = 0
    for config, group in config_groups(files, config_of):
        relative = [relative_to_root(path, root) for path in group]
        mine = [path for path, name in zip(group, relative) if shard.holds(name)]
        # fix edits are built whatever the format: the merge may print JSON or SARIF, which carry them
        cache = None if args.no_cache else result_cache(config, group, True)
        results = lint_first_phase(mine, config, jobs=jobs, cache=cache, resolve_fixes=True) if mine else []
        if cache:
            cache.save()
            if cache.notice:
                print(f"infralint: warning: {printable(cache.notice)}", file=sys.stderr)
        # the project's files the run does not report: the merge joins their facts, as `check` does
        context = [relative_to_root(path, root) for path in context_paths(group, config, resolver, args.paths or [Path(".")])]
        groups.append(
            PartialGroup(
                relative_to_root(config.root, root), config_digest(config), relative, context, [result_to_dict(r, root) for r in results]
            )
        )
        linted += len(mine)
    write_partial(args.partial_out, Partial(shard, groups, named_folders=named_folders(args.paths, root)))
    if not args.quiet:
        print(f"infralint: shard {shard}: {linted} of {len(files)} files, partial written to {printable(str(args.partial_out))}", file=sys.stderr)
    return EXIT_CLEAN
