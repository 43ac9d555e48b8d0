"""Run the rules over files: one parse, one traversal, suppressions, cache, process pool, fix loop."""

from __future__ import annotations

import ast
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .cache import ResultCache
from .catalog import load_catalog
from .config import Config
from .context import FileContext
from .finding import Finding, FixSafety
from .fixes.edits import EditConflict, FixNotApplicable, apply_edits, overlaps
from .results import FileResult, content_digest
from .rules import Rule, rule_classes
from .safe_files import describe_os_error, read_regular_file
from .source import SourceFile, decode_source, walk_types
from .suppression import noqa_comments, skip_file

MAX_FIX_PASSES = 10
POOL_MIN_FILES = 24  # below this, starting worker processes costs more than it saves


def _meta_finding(code: str, message: str, path: str, line: int = 1, col: int = 0) -> Finding:
    entry = load_catalog()[code]
    return Finding(code, entry.name, message, path, line, col, line, col, entry.severity)


class Linter:
    """The enabled rules of one configuration, ready to lint any number of files."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.enabled = config.enabled_codes()
        self.rules: list[Rule] = [
            cls(config) for code, cls in sorted(rule_classes().items()) if code in self.enabled and not cls.engine_rule
        ]
        self.config_file_names = frozenset().union(*(rule.config_file_names for rule in self.rules))

    # -- one file -------------------------------------------------------------------------------

    def lint_bytes(self, data: bytes, display_path: str, *, resolve_fixes: bool = False) -> FileResult:
        result = self._lint_bytes(data, display_path, resolve_fixes=resolve_fixes)
        self._apply_per_file_ignores(result)
        return result

    def _apply_per_file_ignores(self, result: FileResult) -> None:
        """Per-file ignores cover every finding, the engine's own INF0xx ones included."""
        if self.config.per_file_ignores and result.findings:
            ignored = self.config.ignored_for_path(_relative_to(result.path, self.config.root))
            if ignored:
                result.findings = [f for f in result.findings if not any(f.code.startswith(i) for i in ignored)]

    def _lint_bytes(self, data: bytes, display_path: str, *, resolve_fixes: bool = False) -> FileResult:
        if Path(display_path).name in self.config_file_names:
            return self._lint_config_file(data, display_path)
        try:
            text = decode_source(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            result = FileResult(display_path, digest=content_digest(data))
            if "INF002" in self.enabled:
                line = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else 1
                message = f"file cannot be decoded: {_describe_decode_error(exc)}"
                result.findings.append(_meta_finding("INF002", message, display_path, line))
            return result
        result = self._lint_text(text, display_path, resolve_fixes=resolve_fixes)
        result.digest = content_digest(data)
        return result

    def _lint_config_file(self, data: bytes, display_path: str) -> FileResult:
        """A non-Python file some rule reads (pytest.ini, tox.ini…): only those rules see it."""
        result = FileResult(display_path, digest=content_digest(data))
        text = data.decode("utf-8", "replace")
        ignored = self.config.ignored_for_path(_relative_to(display_path, self.config.root))
        name = Path(display_path).name
        for rule in self.rules:
            if name not in rule.config_file_names or any(rule.code.startswith(i) for i in ignored):
                continue
            try:
                result.findings.extend(rule.check_config_file(display_path, text))
            except Exception as exc:  # a rule bug must not stop the run
                result.errors.append(f"internal error in {rule.code} on {display_path}: {type(exc).__name__}: {exc}")
        result.findings.sort(key=lambda f: f.sort_key)
        return result

    def lint_text(self, text: str, display_path: str, *, resolve_fixes: bool = False) -> FileResult:
        result = self._lint_text(text, display_path, resolve_fixes=resolve_fixes)
        self._apply_per_file_ignores(result)
        return result

    def _lint_text(self, text: str, display_path: str, *, resolve_fixes: bool = False) -> FileResult:
        result = FileResult(display_path)
        source = SourceFile(display_path, text)
        if skip_file(source):
            return result
        failure = _import_failure(source)
        if failure is not None:
            if "INF001" in self.enabled:
                message, line, col = failure
                result.findings.append(_meta_finding("INF001", message, display_path, line, col))
            return result
        ctx = FileContext(source, self.config, display_path)
        findings = self._run_rules(ctx, result.errors)
        findings = self._suppress(source, findings)
        if resolve_fixes:
            self._resolve_fixes(ctx, findings, result.errors)
        findings.sort(key=lambda f: f.sort_key)
        result.findings = findings
        return result

    def _active_rules(self, ctx: FileContext) -> list[Rule]:
        ignored = self.config.ignored_for_path(_relative_to(ctx.display_path, self.config.root)) if self.config.per_file_ignores else ()
        return [r for r in self.rules if not any(r.code.startswith(i) for i in ignored) and r.applies_to(ctx)]

    def _run_rules(self, ctx: FileContext, errors: list[str]) -> list[Finding]:
        rules = self._active_rules(ctx)
        if not rules:
            return []
        findings: list[Finding] = []
        broken: set[Rule] = set()
        dispatch: dict[type, list[Rule]] = defaultdict(list)
        for rule in rules:
            for node_type in rule.node_types:
                dispatch[node_type].append(rule)
        if dispatch:
            for node in walk_types(ctx.tree, dispatch):
                for rule in dispatch[type(node)]:
                    if rule in broken:
                        continue
                    try:
                        findings.extend(rule.visit(node, ctx))
                    except Exception as exc:  # a rule bug must not stop the run
                        broken.add(rule)
                        errors.append(_crash_message(rule, ctx, exc, getattr(node, "lineno", None)))
        for rule in rules:
            if rule in broken:
                continue
            try:
                findings.extend(rule.finish(ctx))
            except Exception as exc:
                errors.append(_crash_message(rule, ctx, exc, None))
        return findings

    def _suppress(self, source: SourceFile, findings: list[Finding]) -> list[Finding]:
        noqas = noqa_comments(source)
        if not noqas:
            return findings
        kept = [f for f in findings if not (f.line in noqas and noqas[f.line].suppresses(f.code))]
        if "INF003" in self.enabled:
            for noqa in noqas.values():
                for code in noqa.codes or ():
                    judged = code.startswith("INF") and any(c.startswith(code) for c in self.enabled - {"INF003"})
                    if judged and code not in noqa.used:
                        kept.append(
                            _meta_finding("INF003", f"unused `noqa` for {code}: nothing on this line is reported as {code}", source.path, noqa.line, noqa.col)
                        )
        return kept

    def resolve_fixes(self, text: str, display_path: str, findings: list[Finding]) -> list[str]:
        """Build the edits of these findings' fixes only (an editor's code actions under the
        cursor), from one context of `text`; returns the problems met."""
        errors: list[str] = []
        wanted = [f for f in findings if f.fix is not None and not f.fix.resolved]
        if wanted:
            self._resolve_fixes(FileContext(SourceFile(display_path, text), self.config, display_path), wanted, errors)
        return errors

    def _resolve_fixes(self, ctx: FileContext, findings: list[Finding], errors: list[str]) -> None:
        """Build the edits of lazy fixes. Fixes with the same data from the same rule (every
        `import time` INF101 would add) have the same edits: each distinct one is built once."""
        rules = {rule.code: rule for rule in self.rules}
        built: dict[tuple[str, str], list | None] = {}
        for finding in findings:
            fix = finding.fix
            if fix is None or fix.resolved:
                continue
            key = (finding.code, repr(sorted(fix.data.items())))
            if key not in built:
                built[key] = self._build_edits(rules[finding.code], finding, ctx, errors)
            edits = built[key]
            if not edits:
                finding.fix = None
                continue
            fix.edits = list(edits)
            fix.resolved = True

    def _build_edits(self, rule: Rule, finding: Finding, ctx: FileContext, errors: list[str]) -> list | None:
        try:
            edits = rule.resolve_fix(finding, ctx)
        except FixNotApplicable:
            return None
        except Exception as exc:
            errors.append(f"{finding.path}:{finding.line}: fix for {finding.code} failed: {type(exc).__name__}: {exc}")
            return None
        if not edits:
            return None
        problem = _fix_problem(ctx.source.text, edits)
        if problem:
            errors.append(f"{finding.path}:{finding.line}: fix for {finding.code} dropped: {problem}")
            return None
        return edits

    # -- fixing ---------------------------------------------------------------------------------

    def fix_text(self, text: str, display_path: str, *, unsafe: bool = False) -> "FixOutcome":
        """Apply fixes until nothing changes; never return a text that does not parse.

        A pass lints once, then applies either all of one rule's fixes together (a rule that
        can compute them from one parse, like the import hoist) or every non-overlapping fix
        whose edits it built. The number of passes depends on the rules involved, never on the
        number of findings, and the result is a fixed point: a second run changes nothing.
        """
        allowed = {FixSafety.SAFE, FixSafety.UNSAFE} if unsafe else {FixSafety.SAFE}
        outcome = FixOutcome(original=text, text=text)
        seen = {text}
        for _ in range(MAX_FIX_PASSES):
            result = self.lint_text(outcome.text, display_path)
            outcome.errors.extend(e for e in result.errors if e not in outcome.errors)
            outcome.remaining = result.findings
            fixable = [f for f in result.findings if f.fix and f.fix.safety in allowed]
            if not fixable:
                break
            new_text, applied = self._fix_pass(outcome.text, display_path, fixable, outcome.errors)
            if new_text is None or new_text in seen:
                break
            seen.add(new_text)
            outcome.passes += 1
            outcome.applied.extend(applied)
            outcome.text = new_text
        else:
            outcome.remaining = self.lint_text(outcome.text, display_path).findings
        return outcome

    def _fix_pass(self, text: str, display_path: str, fixable: list[Finding], errors: list[str]) -> tuple[str | None, list[Finding]]:
        ctx = FileContext(SourceFile(display_path, text), self.config, display_path)
        together = self._fix_together(ctx, fixable, errors)
        if together is not None:
            return together
        self._resolve_fixes(ctx, fixable, errors)
        chosen = _non_overlapping([f for f in fixable if f.fix])
        if not chosen:
            return None, []
        return _apply_parsing(text, chosen), chosen

    def _fix_together(self, ctx: FileContext, fixable: list[Finding], errors: list[str]) -> tuple[str, list[Finding]] | None:
        """The first rule with several fixes here that can apply them all from one parse."""
        groups: dict[str, list[Finding]] = defaultdict(list)
        for finding in fixable:
            groups[finding.code].append(finding)
        rules = {rule.code: rule for rule in self.rules}
        for code, group in sorted(groups.items()):
            if len(group) < 2 or code not in rules:
                continue
            try:
                new_text = rules[code].fix_together(group, ctx)
            except FixNotApplicable:
                continue
            except Exception as exc:
                errors.append(f"{ctx.display_path}: fixes for {code} failed together: {type(exc).__name__}: {exc}")
                continue
            if new_text is not None and new_text != ctx.source.text and _parses(new_text):
                return new_text, group
        return None


@dataclass
class FixOutcome:
    original: str
    text: str
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    passes: int = 0  # passes that changed the text

    @property
    def changed(self) -> bool:
        return self.text != self.original


def _non_overlapping(findings: list[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    taken = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        edits = finding.fix.edits
        if any(overlaps(a, b) for a in edits for b in taken):
            continue
        chosen.append(finding)
        taken.extend(edits)
    return chosen


def _apply_parsing(text: str, chosen: list[Finding]) -> str | None:
    """Apply the chosen fixes together; if the result does not parse, fall back to the first alone."""
    for group in (chosen, chosen[:1]):
        try:
            new_text = apply_edits(text, [e for f in group for e in f.fix.edits])
            ast.parse(new_text)
            return new_text
        except (EditConflict, SyntaxError, ValueError):
            continue
    return None


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _fix_problem(text: str, edits) -> str | None:
    try:
        ast.parse(apply_edits(text, edits))
    except EditConflict as exc:
        return str(exc)
    except (SyntaxError, ValueError) as exc:
        return f"the fixed file would not parse ({exc})"
    return None


# -- containing failures: one file, one rule ---------------------------------------------------


def _import_failure(source: SourceFile) -> tuple[str, int, int] | None:
    """INF001's (message, line, column) when importing the file would fail before running it:
    it does not parse, or it parses but the compiler rejects it ('return' outside function…)."""
    try:
        tree = source.tree
    except SyntaxError as exc:
        return _syntax_error_finding(source, exc)
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"file does not parse: {_describe_parser_limit(exc)}; importing it raises {type(exc).__name__}", 1, 0
    from .rules.meta import compile_time_error

    error = compile_time_error(tree, source.text, source.path)
    return _syntax_error_finding(source, error) if error is not None else None


def _syntax_error_finding(source: SourceFile, exc: SyntaxError) -> tuple[str, int, int]:
    line = exc.lineno or 1
    # SyntaxError counts characters; findings use UTF-8 byte columns like ast
    col = len(source.line_text(line)[: max((exc.offset or 1) - 1, 0)].encode("utf-8"))
    detail = exc.msg if exc.msg else "invalid syntax"
    return f"file does not parse: {detail}; importing it raises SyntaxError", line, col


def _describe_parser_limit(exc: Exception) -> str:
    """Words for the parser's resource errors, which CPython often raises without any text."""
    if isinstance(exc, MemoryError):
        return "too large or too deeply nested for CPython's parser, which ran out of memory"
    if isinstance(exc, RecursionError):
        return "too deeply nested for CPython's parser (recursion limit)"
    return str(exc) or type(exc).__name__


def _crash_message(rule: Rule, ctx: FileContext, exc: Exception, line: int | None) -> str:
    where = f"{ctx.display_path}:{line}" if line else ctx.display_path
    if isinstance(exc, (RecursionError, MemoryError)):
        # the file is legal Python this rule's analysis cannot handle: a warning, not a crash;
        # the other rules' findings for the file stand
        return f"{where}: {rule.code} skipped: the file is too large or too deeply nested for its analysis ({type(exc).__name__})"
    return f"internal error in {rule.code} on {where}: {type(exc).__name__}: {exc or 'no message'}"


def _describe_decode_error(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError) and exc.encoding in ("utf-16", "utf-32"):
        return f"{exc.reason}; importing it raises SyntaxError"
    if isinstance(exc, UnicodeDecodeError):
        return f"{exc.reason} at byte {exc.start} (not valid {exc.encoding}); importing it raises SyntaxError"
    return f"{exc}; importing it raises SyntaxError"


def _relative_to(path: str, root: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            return candidate.as_posix()
    try:
        return Path(os.path.realpath(Path.cwd() / candidate)).relative_to(root).as_posix()
    except (ValueError, OSError):
        return candidate.as_posix()


def display_path(path: Path) -> str:
    """Paths are reported relative to the working directory when they are inside it."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        # realpath, not Path.resolve: a symbolic-link loop must not raise (Python 3.11 does)
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(os.getcwd())).as_posix()
    except ValueError:
        return path.as_posix()


# -- many files --------------------------------------------------------------------------------

_worker_linter: Linter | None = None


def _init_worker(config: Config) -> None:
    global _worker_linter
    _worker_linter = Linter(config)


def _lint_one(linter: Linter, path: Path, resolve_fixes: bool) -> FileResult:
    shown = display_path(path)
    try:
        data = read_regular_file(path)
    except OSError as exc:
        result = FileResult(shown)
        if "INF002" in linter.enabled:
            result.findings.append(_meta_finding("INF002", f"file cannot be read: {describe_os_error(exc)}", shown))
        return result
    try:
        return linter.lint_bytes(data, shown, resolve_fixes=resolve_fixes)
    except Exception as exc:  # one file's trouble never stops the run: the others are still linted
        result = FileResult(shown)
        result.errors.append(f"internal error on {shown}: {type(exc).__name__}: {exc or _describe_parser_limit(exc)}")
        return result


def _worker_lint(args: tuple[Path, bool]) -> FileResult:
    path, resolve_fixes = args
    assert _worker_linter is not None
    return _lint_one(_worker_linter, path, resolve_fixes)


def lint_files(
    paths: list[Path],
    config: Config,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    resolve_fixes: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[FileResult]:
    """Lint every path (served from `cache` when the content is unchanged); results stream in path order."""
    pending: list[Path] = []
    cached: dict[Path, FileResult] = {}
    for path in paths:
        hit = cache.lookup(path, display_path(path)) if cache else None
        if hit is not None:
            cached[path] = hit
        else:
            pending.append(path)
    # building the rules imports every rule module (and LibCST); a fully cached run needs none of it
    fresh = _lint_pending(Linter(config), pending, jobs, resolve_fixes) if pending else iter(())
    for path in paths:
        result = cached.get(path) or next(fresh)
        if cache and path not in cached:
            cache.store(path, result)
        if progress:
            progress(1)
        yield result


def _lint_pending(linter: Linter, pending: list[Path], jobs: int, resolve_fixes: bool) -> Iterator[FileResult]:
    if jobs <= 1 or len(pending) < POOL_MIN_FILES:
        for path in pending:
            yield _lint_one(linter, path, resolve_fixes)
        return
    from concurrent.futures import (
        ProcessPoolExecutor,  # multiprocessing: only for a cold, parallel run
    )

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(linter.config,)) as pool:
        chunk = max(1, min(32, len(pending) // (jobs * 8)))
        yield from pool.map(_worker_lint, [(p, resolve_fixes) for p in pending], chunksize=chunk)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def iter_findings(results: Iterable[FileResult]) -> Iterator[Finding]:
    for result in results:
        yield from result.findings
