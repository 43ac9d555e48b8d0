"""`infralint check`: discover, lint (cached, in parallel), fix or diff, report, exit code."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from ..api import config_groups, files_and_configs
from ..cache import ResultCache, cache_root
from ..config import Config, ConfigResolver
from ..engine import Linter, default_jobs, join_project, lint_files
from ..exits import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError
from ..finding import FixSafety
from ..fixes.files import fix_buffer, fix_file
from ..report import RunSummary, reporter, statistics_reporter
from ..report.escape import printable
from ..report.fixed import render_fixed
from ..results import FileResult
from ..rules.meta import newer_syntax_note
from ..safe_files import read_regular_file, write_report_file
from ..source import decode_source, physical_lines
from .common import resolver_from_args, use_color

PROGRESS_MIN_FILES = 200
#: the output formats that carry each fix's edits (built lazily: only these pay for them)
FORMATS_WITH_EDITS = ("json", "json-lines", "sarif")
STDIN = Path("-")


def run_check(args, lint=None) -> int:
    """`lint` replaces the linting of `args.paths` (`merge` reports joined partials this way)."""
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    reads_stdin = STDIN in args.paths
    if reads_stdin and len(args.paths) > 1:
        raise UsageError("`-` (standard input) cannot be combined with other paths")
    if args.format == "full":  # ruff's name for the default report
        args.format = "text"
    resolver = resolver_from_args(args)
    # the project root of the run (baseline paths, SARIF's %SRCROOT% fallback): where it was started
    config = resolver.config_for(Path.cwd())
    fixing = args.fix or args.diff
    out_stream = sys.stdout if args.output_file is None else None
    summary = RunSummary(
        statistics=args.statistics,
        unsafe_fixes=args.unsafe_fixes,
        color=args.output_file is None and args.format == "text" and use_color(args.color, sys.stdout),
        quiet=args.quiet,
        source_root=_repository_root(config),
        show_fixes=args.show_fixes,
    )
    # building fixes costs a LibCST parse per file with fixes: only the formats that carry the edits do
    resolve = args.format in FORMATS_WITH_EDITS and not args.statistics
    if args.stdin_filename is not None or reads_stdin:
        stdin_config = resolver.config_for(Path(args.stdin_filename)) if args.stdin_filename else config
        results, diffs, fixed_text, stdin_lines = _check_stdin(args, stdin_config, resolve, summary.fixed_codes, resolver)
    else:
        results, diffs, fixed_text, configs = (lint or _check_paths)(args, resolver, resolve, fixing, summary.fixed_codes)
        stdin_lines = None
        _note_newer_python(configs, results)
    internal_errors = False
    shown: set[str] = set()  # a warning about the run's input (a foreign parser) is said once
    for result in results:
        for message in result.errors:
            internal_errors |= message.startswith("internal error")
            if message not in shown:
                shown.add(message)
                print(f"infralint: {printable(message)}", file=sys.stderr)  # names a file of the tree
        if args.debug and result.facts is not None:
            # why a file was not read (a Helm template, invalid YAML…): facts of kind "note"
            for note in (f for f in result.facts.facts if f.kind == "note"):
                where = printable(f"{note.file}:{note.line}: {getattr(note, 'message', '')}")
                print(f"infralint: note: {where}", file=sys.stderr)
    findings = sorted((f for r in results for f in r.findings), key=lambda f: f.sort_key)
    summary.files = len(results)
    summary.fixed = sum(r.fixed for r in results)
    wrote_baseline = False
    if args.write_baseline is not None or args.baseline is not None:
        findings, wrote_baseline = _apply_baseline(args, config, findings, _sources_for(findings, stdin_lines))
    if args.format in ("text", "sarif", "gitlab") and not args.statistics:
        summary.sources = _sources_for(findings, stdin_lines)  # code frames; SARIF and GitLab fingerprints

    if args.diff:
        sys.stdout.write("".join(diffs))
    elif fixed_text is not None:
        sys.stdout.flush()
        sys.stdout.buffer.write(fixed_text)  # stdin + --fix: the fixed source goes to stdout, as bytes
        sys.stdout.buffer.flush()
        out_stream = sys.stderr
    if not args.diff:
        report = (statistics_reporter(args.format) if args.statistics else reporter(args.format))(findings, summary)
        if args.output_file is not None:
            _write_output(args.output_file, report)
        else:
            out_stream.write(report)
        if args.show_fixes and (args.format != "text" or args.quiet or args.statistics):
            sys.stderr.write(render_fixed(summary.fixed_codes))  # keeps a machine-read report intact

    if internal_errors:
        return EXIT_ERROR
    if args.exit_zero or wrote_baseline:
        return EXIT_CLEAN
    if args.diff:
        return EXIT_FINDINGS if diffs else EXIT_CLEAN
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _write_output(path: Path, report: str) -> None:
    try:
        write_report_file(path, report.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc


def _apply_baseline(args, config, findings, sources):
    """Write the baseline (accepting every current finding) or drop the findings it records."""
    from ..baseline import BaselineError, load_baseline, new_findings, write_baseline

    try:
        if args.write_baseline is not None:
            count = write_baseline(args.write_baseline, findings, sources, config.root)
            print(f"infralint: wrote {count} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
            return findings, True
        fresh, matched = new_findings(findings, load_baseline(args.baseline), sources, config.root)
    except BaselineError as exc:
        raise UsageError(str(exc)) from exc
    if matched and not args.quiet:
        print(f"infralint: {matched} finding(s) hidden by baseline {args.baseline}", file=sys.stderr)
    return fresh, False


def _allowed(args) -> set[FixSafety]:
    return {FixSafety.SAFE, FixSafety.UNSAFE} if args.unsafe_fixes else {FixSafety.SAFE}


def _check_stdin(args, config, resolve, fixed_codes, resolver=None):
    data = sys.stdin.buffer.read()
    linter = Linter(config)
    name = args.stdin_filename or "-"
    result = linter.lint_bytes(data, name, resolve_fixes=resolve, project=_stdin_project(linter, args, data, resolver))
    diffs: list[str] = []
    fixed = None
    if args.fix or args.diff:
        wanted = any(f.fix and f.fix.safety in _allowed(args) for f in result.findings)
        buffer = fix_buffer(linter, data, name, unsafe=args.unsafe_fixes) if wanted else None
        if buffer is not None and buffer.outcome is not None:
            result.findings = buffer.outcome.remaining
            result.errors.extend(buffer.outcome.errors)
            result.fixed = len(buffer.outcome.applied)
            if result.fixed and not args.diff:
                fixed_codes[name] = Counter(f.code for f in buffer.outcome.applied)
            diffs = buffer.diffs
        if args.fix and not args.diff:
            fixed = buffer.data if buffer is not None else data  # bytes in, the same bytes out
    try:
        lines = {name: source_lines(decode_source(data))}
    except (UnicodeDecodeError, SyntaxError, LookupError):
        lines = {}
    return [result], diffs, fixed, lines


def _stdin_project(linter, args, data: bytes, resolver):
    """The project of the file standard input stands for (`--stdin-filename`): its buffer is
    judged as the file would be by `infralint check` on the whole tree."""
    if args.stdin_filename is None:
        return None
    from ..project.members import project_with_buffer

    try:
        text = decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return None  # reported as undecodable, with no project to ask
    return project_with_buffer(linter, Path(args.stdin_filename), args.stdin_filename, text, resolver)


def note_named_folders(paths, configs) -> None:
    """Several folders named on one command line are separate trees unless a checkout holds them."""
    folders = tuple(dict.fromkeys(str(p.resolve()) for p in paths or () if p.is_dir()))
    if len(folders) > 1:
        for config in configs:
            config.named_folders = folders


def result_cache(config, files, resolve) -> ResultCache | None:
    root = cache_root(config.root, config.source is not None, files)
    return ResultCache(root, config.fingerprint(), resolve) if root is not None else None


def _check_paths(args, resolver: ConfigResolver, resolve, fixing, fixed_codes):
    """Lint the files under `args.paths`, each group of files with the configuration that governs it."""
    from ..project.members import context_paths

    files, config_of = files_and_configs(args.paths or [Path(".")], resolver, args.force_exclude)
    note_named_folders(args.paths, config_of.values())
    jobs = args.jobs or default_jobs()
    progress = _progress(len(files))
    by_path: dict[Path, FileResult] = {}
    try:
        for config, group in config_groups(files, config_of):
            cache = None if args.no_cache else result_cache(config, group, resolve)
            advance = progress.advance if progress else None
            # the rest of the project these files belong to: its facts join, its findings are not asked for
            context = context_paths(group, config, resolver, args.paths or [Path(".")])
            by_path.update(zip(group, lint_files(group, config, jobs=jobs, cache=cache, resolve_fixes=resolve, progress=advance, context_paths=context)))
            if cache:
                cache.save()
                if cache.notice:
                    print(f"infralint: warning: {printable(cache.notice)}", file=sys.stderr)
    finally:
        if progress:
            progress.stop()
    results = [by_path[path] for path in files]
    diffs: list[str] = []
    if fixing and _fix_paths(args, files, results, config_of, diffs, fixed_codes):
        _refresh_after_fixes(args, resolver, resolve, results)
    return results, diffs, None, {id(c): c for c in config_of.values()}.values()


def _fix_paths(args, files, results, config_of, diffs: list[str], fixed_codes) -> bool:
    """Fix (or diff) every file with a fix the options allow; whether any file was written."""
    allowed = _allowed(args)
    linters: dict[int, Linter] = {}
    project = None
    written = False
    for path, result in zip(files, results):
        if not any(f.fix and f.fix.safety in allowed for f in result.findings):
            continue
        config = config_of[path]
        if id(config) not in linters:
            linters[id(config)] = Linter(config)
        linter = linters[id(config)]
        # a fix of a rule that reads other files' facts is computed against the run's project
        # (only for the files that have one: the project makes every re-lint slower)
        project_codes = {rule.code for rule in linter.project_rules}
        needs_project = any(f.fix and f.code in project_codes for f in result.findings)
        if needs_project and project is None:
            project = join_project(results, config)
        done = fix_file(linter, path, result, unsafe=args.unsafe_fixes, diff_only=args.diff, project=project if needs_project else None)
        if done.diff:
            diffs.append(done.diff)
        if done.written:
            written = True
            fixed_codes[result.path] = Counter(f.code for f in done.applied)
    return written


def _refresh_after_fixes(args, resolver: ConfigResolver, resolve, results: list[FileResult]) -> None:
    """Lint the tree again once fixes were written, so that the remaining findings carry the
    fixed texts' positions and messages, also where one names a line of another fixed file.

    The result cache keeps this to the fixed files and the findings that used their facts. What
    was fixed, and the problems met while fixing, stay with each file.
    """
    fresh = {r.path: r for r in _check_paths(args, resolver, resolve, False, {})[0]}
    for result in results:
        again = fresh.get(result.path)
        if again is not None:
            result.findings = again.findings
            result.errors.extend(e for e in again.errors if e not in result.errors)


def _note_newer_python(configs, results) -> None:
    """Say once per required version that files were not parsed because this Python is too old."""
    affected = {f.path for r in results for f in r.findings if f.code == "INF001" and f.message.startswith("needs Python")}
    if not affected:
        return
    for required in sorted({c.requires_python for c in configs if c.needs_newer_python()}):
        print(f"infralint: note: {newer_syntax_note(required, len(affected))}", file=sys.stderr)


def _repository_root(config: Config) -> Path:
    """The root SARIF paths are relative to: the enclosing git checkout, else the project root.

    Found by looking for `.git` (a folder, or a file in a worktree); git itself is not run.
    """
    here = Path.cwd()  # not resolved: finding paths are made absolute the same way
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return config.root if config.source is not None else here


def source_lines(text: str) -> list[str]:
    """The code frames' lines, numbered as the parser numbers them (a form feed or a lone `\\r` in
    the middle of a line does not shift them, as `str.splitlines` would)."""
    return [line.rstrip("\r\n") for line in physical_lines(text)]


def _sources_for(findings, stdin_lines) -> dict[str, list[str]]:
    if stdin_lines is not None:
        return stdin_lines
    sources: dict[str, list[str]] = {}
    for path in {f.path for f in findings}:
        try:
            sources[path] = source_lines(decode_source(read_regular_file(path)))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            continue
    return sources


class _Progress:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(file=sys.stderr), transient=True)
        self._task = self._progress.add_task("linting", total=total)
        self._progress.start()

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def stop(self) -> None:
        self._progress.stop()


def _progress(total: int):
    if total >= PROGRESS_MIN_FILES and sys.stderr.isatty():
        return _Progress(total)
    return None
