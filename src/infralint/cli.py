"""Command-line interface: argument parsing and exit codes only; the work happens in the engine."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from .config import ConfigError
from .exits import EXIT_ERROR, UsageError, leave
from .report import FORMATS
from .version import __version__


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, like every other usage error
        raise UsageError(message)


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def _patterns(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


COLOR_HELP = "colour the report: auto (on a terminal, off with NO_COLOR, on with FORCE_COLOR), always or never"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="infralint", description="Find the infrastructure anti-patterns that take services down.")
    parser.add_argument("--version", action="version", version=f"infralint {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = commands.add_parser("check", help="lint files and folders (default: the current folder)")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders to lint; `-` reads standard input")
    # repeated options add up (`--select INF1 --select INF2`), as ruff's do
    check.add_argument("--select", type=_codes, action="extend", help="codes or prefixes to enable, replacing the configured set; `ALL`: every rule")
    check.add_argument("--extend-select", type=_codes, action="extend", default=[], help="codes or prefixes to enable in addition")
    check.add_argument("--ignore", type=_codes, action="extend", default=[], help="codes or prefixes to disable")
    check.add_argument("--exclude", type=_patterns, action="extend", help="file patterns to exclude, replacing the configured `exclude`")
    check.add_argument("--extend-exclude", type=_patterns, action="extend", default=[], help="file patterns to exclude in addition")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that change behaviour (with --fix or --diff)")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    check.add_argument("--format", "--output-format", dest="format", choices=FORMATS, default="text",
                       help="report format (`--output-format` is the same option, as ruff spells it; `full` is `text`)")
    check.add_argument("--show-fixes", action="store_true", help="with --fix: list what was fixed, per file and rule")
    check.add_argument("--output-file", type=Path, help="write the report to this file instead of standard output")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--config", type=Path, help="use this configuration file for every file (default: the nearest one above each file)")
    check.add_argument("--force-exclude", action="store_true", help="apply excludes to files named explicitly too (for pre-commit)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write .infralint_cache/")
    check.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    check.add_argument("--stdin-filename", help="lint standard input, reported under this name (its configuration is the one nearest to it)")
    check.add_argument("--statistics", action="store_true", help="show a count per rule instead of the findings")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=COLOR_HELP)
    check.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    check.add_argument("--write-baseline", type=Path, metavar="FILE", help="record the current findings in FILE and exit 0")
    check.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not recorded in FILE")
    check.add_argument("--shard", metavar="K/N", help="lint only shard K of N of the files (by a stable hash of each path) and write them to --partial-out for `infralint merge`")
    check.add_argument("--partial-out", type=Path, metavar="FILE", help="where --shard writes the shard's facts and findings (versioned JSON)")

    merge = commands.add_parser("merge", help="join the partials of `check --shard` runs and report (run in a checkout of the same tree)")
    merge.add_argument("partials", nargs="+", type=Path, metavar="PARTIAL", help="the partial of every shard, in any order")
    _reuse_options(check, merge, MERGE_OPTIONS)
    merge.set_defaults(paths=[], fix=False, unsafe_fixes=False, diff=False, show_fixes=False, stdin_filename=None, exclude=None, extend_exclude=[],
                       force_exclude=False, no_cache=True, shard=None, partial_out=None)

    trace = commands.add_parser("trace", help="what the project model knows about one route (handler, calls, clients, checks)")
    trace.add_argument("route", help="a path (`/health/ready`), a method and path (`GET /items/1`) or a handler (`app.health.ready`)")
    trace.add_argument("paths", nargs="*", type=Path, help="files or folders of the project (default: the current folder)")
    trace.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    trace.add_argument("--config", type=Path, help="read configuration from this pyproject.toml")
    trace.add_argument("--no-cache", action="store_true", help="neither read nor write .infralint_cache/")
    trace.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    trace.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=COLOR_HELP)
    trace.set_defaults(select=None, extend_select=[], ignore=[])

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", "--output-format", dest="format", choices=("text", "json"), default="text", help="a table (text) or a JSON list (default: text)")
    rule = commands.add_parser("rule", help="explain one rule")
    rule.add_argument("code", help="a rule's code (`INF101`) or name (`undefined-name`)")
    lsp = commands.add_parser("lsp", help="run the language server over stdio (needs infralint[lsp])")
    lsp.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    return parser


#: `check`'s options that `merge` takes as they are: reporting, and the configuration (whose
#: digest must be the shards')
MERGE_OPTIONS = ("select", "extend_select", "ignore", "format", "output_file", "exit_zero", "config", "jobs", "statistics", "quiet", "color",
                 "debug", "write_baseline", "baseline")


def _reuse_options(source: argparse.ArgumentParser, target: argparse.ArgumentParser, dests: tuple[str, ...]) -> None:
    """Give `target` the same option objects as `source` (as argparse's `parents=` does, for a subset)."""
    for action in source._actions:
        if action.dest in dests:
            target._add_action(action)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    if sys.stderr is None:  # started with standard error closed: what would be said goes nowhere
        sys.stderr = open(os.devnull, "w")
    try:
        args = build_parser().parse_args(argv)
        if sys.stdout is None:
            _without_standard_output(args)
        if args.command == "check" and (args.shard is not None or args.partial_out is not None):
            from .commands.shard import run_shard

            return run_shard(args)
        if args.command == "check":
            from .commands.check import run_check

            return run_check(args)
        if args.command == "merge":
            from .commands.merge import run_merge

            return run_merge(args)
        if args.command == "trace":
            from .commands.trace import run_trace

            return run_trace(args)
        if args.command == "rules":
            from .commands.explain import list_rules

            return list_rules(args.format)
        if args.command == "rule":
            from .commands.explain import explain_rule

            return explain_rule(args.code)
        if args.command == "lsp":
            from .commands.lsp import run_lsp

            return run_lsp()
        build_parser().print_help(sys.stderr)
        return EXIT_ERROR
    except (UsageError, ConfigError) as exc:
        print(f"infralint: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("infralint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # never a bare traceback unless asked for
        if debug:
            traceback.print_exc()
        print(f"infralint: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_ERROR


def console_main() -> None:
    """The `infralint` command (and `python -m infralint`): `main`, then an exit without the
    interpreter's teardown of what the run built (`exits.leave`)."""
    leave(main())


def _without_standard_output(args) -> None:
    """Started with standard output closed (`>&-`): a report written to a file needs none, anything
    else stops before doing any work (a `--fix` whose report nobody could read changes nothing)."""
    reads_stdin = args.command == "check" and (args.stdin_filename is not None or Path("-") in args.paths)
    # a shard writes its partial, a merge its report, to the files they are given
    writes_files = getattr(args, "output_file", None) is not None or getattr(args, "partial_out", None) is not None
    if args.command in ("check", "merge") and writes_files and not getattr(args, "diff", False) and not reads_stdin:
        sys.stdout = open(os.devnull, "w")
        return
    raise UsageError("standard output is closed; nothing could be reported (use --output-file FILE)")


def _one_line(message: str) -> str:
    """Line breaks inside a message (a configuration key spelled `"a\\nb"`) shown escaped."""
    return "\\n".join(message.splitlines()) or message
