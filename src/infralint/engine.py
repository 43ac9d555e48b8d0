"""Run the rules over files: one parse, one traversal, suppressions, cache, parallel runs, fix loop."""

from __future__ import annotations

import ast
import os
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .analysis.names import ImportMap
from .cache import ResultCache
from .input_warnings import collect_input_warnings
from .catalog import load_catalog
from .collector import batch_collection
from .config import Config
from .context import FileContext
from .finding import Finding, FixSafety
from .fixes.edits import EditConflict, FixNotApplicable, apply_edits, fixed_alongside, overlaps
from .results import FileResult, content_digest
from .rules import Rule, rule_classes
from .rules.meta import syntax_error_message
from .safe_files import describe_os_error, read_regular_file
from .source import MAX_PYTHON_CHARS, SourceFile, decode_source, walk_types
from .suppression import config_noqa_comments, noqa_comments, skip_file

if TYPE_CHECKING:
    from .parallel import Pool

MAX_FIX_PASSES = 10
# listed by every traversal whatever the rules visit: shared analyses read them (imports, calls,
# definitions, bindings) through `SourceFile.nodes_of` instead of walking the tree again
_SHARED_NODE_TYPES = frozenset(
    {ast.Import, ast.ImportFrom, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith, ast.Return}
)
POOL_MIN_FILES = 24  # below this, starting worker processes costs more than it saves
_TASKS_PER_WORKER = 16  # tasks per process of a parallel run, of about equal bytes each
_MAX_FILES_PER_TASK = 32


def _callee_names(call: ast.Call, imports: ImportMap) -> tuple[str | None, str | None]:
    """The name a call's callee ends with as spelled (`f` of `f()`) and as imported (`fail` after
    `from pytest import fail as f`)."""
    func = call.func
    spelled = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
    return spelled, imports.last_part(func)


def _meta_finding(code: str, message: str, path: str, line: int = 1, col: int = 0) -> Finding:
    entry = load_catalog()[code]
    return Finding(code, entry.name, message, path, line, col, line, col, entry.severity)


class RetainedContexts:
    """The parsed contexts of deferred files, up to a memory budget per process.

    A syntax tree takes tens of times its source in memory: past the budget, a deferred file's
    context is dropped and the file is read and parsed again after the join instead."""

    #: characters of source whose trees one process keeps (a few hundred MiB of trees)
    BUDGET_CHARS = 8_000_000

    def __init__(self) -> None:
        self._contexts: dict[str, FileContext] = {}
        self._chars = 0

    def keep(self, display_path: str, ctx: FileContext, chars: int) -> None:
        if self._chars + chars <= self.BUDGET_CHARS:
            self._contexts[display_path] = ctx
            self._chars += chars

    def take(self, display_path: str) -> FileContext | None:
        ctx = self._contexts.pop(display_path, None)
        if ctx is not None:
            self._chars -= len(ctx.source.text)
        return ctx

    def clear(self) -> None:
        self._contexts.clear()
        self._chars = 0


class Linter:
    """The enabled rules of one configuration, ready to lint any number of files.

    `collect_facts` makes every lint also extract the file's facts for the project model
    (`FileResult.facts`); None: when an enabled rule uses the project (what `lint_files` asks for).
    A linter of single files (flake8, stdin, the editor) extracts none.
    """

    def __init__(self, config: Config, *, collect_facts: bool | None = False) -> None:
        self.config = config
        self.enabled = config.enabled_codes()
        self.rules: list[Rule] = [
            cls(config) for code, cls in sorted(rule_classes().items()) if code in self.enabled and not cls.engine_rule
        ]
        self.config_file_names = frozenset().union(*(rule.config_file_names for rule in self.rules))
        self.project_rules = [rule for rule in self.rules if rule.uses_project]
        #: project rules that pick the files they need after the join (`needs_project`)
        self.selective_rules = [rule for rule in self.project_rules if type(rule).needs_project is not Rule.needs_project]
        self.collect_facts = bool(self.project_rules) if collect_facts is None else collect_facts
        #: project rules that place findings in configuration files (YAML, Terraform, nginx…): such
        #: files are read through their own readers even by a linter of single files
        self.fact_file_rules = [rule for rule in self.project_rules if rule.reads_fact_files]
        #: the contexts of files deferred to the project phase, kept to finish them without a
        #: second read, parse and traversal
        self._retained = RetainedContexts()
        if self.collect_facts or self.fact_file_rules:
            from .project import load_extractors

            load_extractors()

    # -- one file -------------------------------------------------------------------------------

    def lint_bytes(self, data: bytes, display_path: str, *, resolve_fixes: bool = False, project=None, defer: bool = False) -> FileResult:
        """Lint one file's bytes. `project` is the joined project model for rules that use it;
        `defer` (phase one of a project run) leaves a file such a rule applies to for later."""
        result = self._lint_bytes(data, display_path, resolve_fixes=resolve_fixes, project=project, defer=defer)
        self._apply_per_file_ignores(result)
        return result

    def _apply_per_file_ignores(self, result: FileResult) -> None:
        """Per-file ignores cover every finding, the engine's own INF0xx ones included."""
        if self.config.per_file_ignores and result.findings:
            ignored = self.config.ignored_for_path(_relative_to(result.path, self.config.root))
            if ignored:
                result.findings = [f for f in result.findings if not any(f.code.startswith(i) for i in ignored)]

    def _lint_bytes(self, data: bytes, display_path: str, *, resolve_fixes: bool = False, project=None, defer: bool = False) -> FileResult:
        if Path(display_path).name in self.config_file_names:
            result = self._lint_config_file(data, display_path)
            self._non_python_facts(result, data)
            return result
        if self._is_fact_file(display_path):
            return self._lint_fact_file(data, display_path, project=project, defer=defer)
        try:
            text = decode_source(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            result = FileResult(display_path, digest=content_digest(data))
            if "INF002" in self.enabled:
                line = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else 1
                message = f"file cannot be decoded: {_describe_decode_error(exc)}"
                result.findings.append(_meta_finding("INF002", message, display_path, line))
            return result
        result = self._lint_text(text, display_path, resolve_fixes=resolve_fixes, project=project, defer=defer)
        result.digest = content_digest(data)
        if result.facts is not None:
            result.facts.digest = result.digest
        return result

    def _too_large(self, text: str, display_path: str) -> FileResult:
        """A Python file past the size limit: one INF002 finding, never parsed (its tree would take
        hundreds of times its size in memory)."""
        result = FileResult(display_path)
        message = f"file cannot be read: {len(text) / 1e6:.1f} MB, larger than the {MAX_PYTHON_CHARS // 1_000_000} MB limit for Python files (generated data, not code to lint)"
        if "INF002" in self.enabled:
            result.findings.append(_meta_finding("INF002", message, display_path, 1))
        else:
            result.errors.append(f"warning: {display_path}: {message}")
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

    def lint_text(self, text: str, display_path: str, *, resolve_fixes: bool = False, project=None, location: str | None = None) -> FileResult:
        """Lint one file's text; `location` is its path on disk when `display_path` is not relative
        to the working folder (the language server shows paths relative to the configuration root)."""
        if self._is_fact_file(display_path):
            result = self._lint_fact_file(text.encode("utf-8"), display_path, project=project)
        else:
            result = self._lint_text(text, display_path, resolve_fixes=resolve_fixes, project=project, location=location)
        self._apply_per_file_ignores(result)
        return result

    def _lint_text(
        self, text: str, display_path: str, *, resolve_fixes: bool = False, project=None, defer: bool = False, location: str | None = None,
        facts=None,
    ) -> FileResult:
        if len(text) > MAX_PYTHON_CHARS:
            return self._too_large(text, display_path)
        result = FileResult(display_path)
        source = SourceFile(display_path, text, location)
        if skip_file(source):
            return result
        source.target_python = _target_python(source.location) or self.config.requires_python
        failure = _import_failure(source, source.target_python)
        if failure is not None:
            if failure[1] == 0:  # syntax of a newer Python the project targets: a notice, not a finding
                result.errors.append(failure[0])
            elif "INF001" in self.enabled:
                message, line, col = failure
                result.findings.append(_meta_finding("INF001", message, display_path, line, col))
            return result
        ctx = FileContext(source, self.config, display_path, project)
        # facts too may read imported constants; what the project's configuration could not be
        # read as is said by the file whose rules first read it
        # tests and stubs state no facts: their nodes are not worth collecting
        collected: dict | None = {} if self.collect_facts and facts is None and not (source.is_test or source.is_stub) else None
        with _recording_dependencies(result, project), collect_input_warnings(result.errors):
            if defer and project is None and self._waits_for_project(ctx):
                # the one traversal happens now (the facts need it); the rules run on its nodes
                # once the project is joined, from the context kept here (`finish_deferred`)
                result.deferred = True
                self._walk(ctx, self._active_rules(ctx), collected)
                if self.collect_facts:
                    result.facts = self._python_facts(source, display_path, collected)
                    result.errors.extend(result.facts.errors)
                self._retained.keep(display_path, ctx, len(text))
                return result
            findings = self._run_rules(ctx, result.errors, collected)
            if facts is not None:
                result.facts = facts  # extracted in the first phase
            elif self.collect_facts:
                result.facts = self._python_facts(source, display_path, collected)
                result.errors.extend(result.facts.errors)
        return self._finish_result(result, ctx, findings, resolve_fixes, project)

    def _finish_result(self, result: FileResult, ctx: FileContext, findings: list[Finding], resolve_fixes: bool, project) -> FileResult:
        """Suppressions, then (when asked) the fixes' edits; findings in position order."""
        result.with_project = project is not None
        source = ctx.source
        findings = self._suppress(source, findings)
        if resolve_fixes:
            self._resolve_fixes(ctx, findings, result.errors)
        findings.sort(key=lambda f: f.sort_key)
        result.findings = findings
        return result

    # -- the project model's per-file phase -----------------------------------------------------

    def _python_facts(self, source: SourceFile, display_path: str, collected: dict | None = None):
        from .project import extract_python

        return extract_python(source, display_path, collected=collected or None)

    def facts_of_text(self, text: str, display_path: str, digest: str = "", location: str | None = None):
        """Only the facts of one file (the language server's project build): no rules run.
        None when the file does not parse or is skipped."""
        from .project import extract_file, load_extractors

        load_extractors()
        if not display_path.endswith((".py", ".pyi")):
            return extract_file(display_path, text, digest, self.enabled) if _reads_facts(display_path) else None
        if len(text) > MAX_PYTHON_CHARS:
            return None
        source = SourceFile(display_path, text, location)
        if skip_file(source):
            return None
        try:
            source.tree
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        facts = self._python_facts(source, display_path)
        facts.digest = digest
        return facts

    def _non_python_facts(self, result: FileResult, data: bytes) -> None:
        if not self.collect_facts:
            return
        from .project import extract_file

        result.facts = extract_file(result.path, data.decode("utf-8", "replace"), result.digest, self.enabled)

    def _lint_fact_file(self, data: bytes, display_path: str, *, project=None, defer: bool = False) -> FileResult:
        """A configuration file (YAML, Terraform, nginx…): its facts, then — once the project is
        joined — the findings project rules place in it, with `#` suppressions on its own lines.

        Linted alone (stdin, the API, an editor buffer without a workspace), the project is the file
        itself, so what one file can show on its own is still reported."""
        from .project import Project, extract_file

        result = FileResult(display_path, digest=content_digest(data))
        facts = extract_file(display_path, data.decode("utf-8", "replace"), result.digest, self.enabled)
        if facts is not None:
            result.errors.extend(facts.errors)  # what could not be read is said, not skipped
        if self.collect_facts:
            result.facts = facts
        ignored = self.config.ignored_for_path(_relative_to(display_path, self.config.root)) if self.config.per_file_ignores else ()
        rules = [r for r in self.fact_file_rules if not any(r.code.startswith(i) for i in ignored)]
        if not rules or facts is None or not facts.facts:
            return result
        if project is None and defer:
            result.deferred = True
            return result
        result.with_project = project is not None  # its cache entry then depends on the whole project
        if project is None:
            project = Project([facts])
        findings: list[Finding] = []
        with _recording_dependencies(result, project), collect_input_warnings(result.errors):
            for rule in rules:
                try:
                    findings.extend(rule.check_fact_file(facts, project))
                except Exception as exc:  # a rule bug must not stop the run
                    result.errors.append(f"internal error in {rule.code} on {display_path}: {type(exc).__name__}: {exc}")
        text = data.decode("utf-8", "replace")
        lines = text.splitlines()
        for finding in findings:  # a finding in a configuration file spans its line
            if finding.end_col == 0 and 0 < finding.line <= len(lines):
                finding.col = len(lines[finding.line - 1]) - len(lines[finding.line - 1].lstrip())
                finding.end_col = len(lines[finding.line - 1].rstrip())
        findings = self._apply_noqa(config_noqa_comments(text), display_path, findings)
        result.findings = sorted(findings, key=lambda f: f.sort_key)
        return result

    def _is_fact_file(self, display_path: str) -> bool:
        """A non-Python file an extractor reads (a browser client, deployment configuration): it
        yields facts for the project, and findings only from the rules placed in such files."""
        wanted = self.collect_facts or self.fact_file_rules
        return bool(wanted) and not display_path.endswith((".py", ".pyi")) and _reads_facts(display_path)

    def _waits_for_project(self, ctx: FileContext) -> bool:
        """Whether a rule that reads the project applies here (so the file is linted after the join)."""
        waiting = [r for r in self.project_rules if r not in self.selective_rules]
        if not waiting:
            return False
        ignored = self.config.ignored_for_path(_relative_to(ctx.display_path, self.config.root)) if self.config.per_file_ignores else ()
        return any(not any(r.code.startswith(i) for i in ignored) and r.applies_to(ctx) for r in waiting)

    def finish_deferred(self, result: FileResult, path: Path, project, resolve_fixes: bool) -> FileResult:
        """After the join: lint a file the first phase left for the project. A Python file whose
        context this process kept is finished from it — its rules run on the nodes of the first
        phase's traversal, nothing is read or parsed again; any other is linted again."""
        ctx = self._retained.take(result.path)
        if ctx is None:
            return self.lint_deferred(result, path, project, resolve_fixes)
        ctx.project = project
        errors = [e for e in result.errors]
        finished = FileResult(result.path, errors=errors, digest=result.digest, facts=result.facts)
        with _recording_dependencies(finished, project), collect_input_warnings(finished.errors):
            findings = self._dispatch(ctx, self._active_rules(ctx), ctx.source.walked_nodes(), finished.errors)
        finished.deps = {**result.deps, **finished.deps}
        self._finish_result(finished, ctx, findings, resolve_fixes, project)
        self._apply_per_file_ignores(finished)
        return finished

    def lint_deferred(self, result: FileResult, path: Path, project, resolve_fixes: bool) -> FileResult:
        """After the join: lint a file the first phase left for the project, reusing its facts. The
        file is read and parsed again (its context was not kept: over the memory budget, or
        served from the cache)."""
        if self._is_fact_file(result.path):
            return lint_path(self, path, resolve_fixes, project=project)  # a configuration file
        try:
            data = path.read_bytes()
            text = decode_source(data)
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            return lint_path(self, path, resolve_fixes, project=project)
        if content_digest(data) != result.digest:  # changed since the first phase: start over
            return lint_path(self, path, resolve_fixes, project=project)
        fresh = self._lint_text(text, result.path, resolve_fixes=resolve_fixes, project=project, facts=result.facts)
        fresh.digest = result.digest
        self._apply_per_file_ignores(fresh)
        return fresh

    def needs_project(self, project, result: FileResult) -> bool:
        """After the join: whether a selective project rule wants this (already linted) file again."""
        if result.facts is None or not self.selective_rules:
            return False
        with collect_input_warnings(result.errors):
            return any(rule.needs_project(project, result.facts) for rule in self.selective_rules)

    def _active_rules(self, ctx: FileContext) -> list[Rule]:
        ignored = self.config.ignored_for_path(_relative_to(ctx.display_path, self.config.root)) if self.config.per_file_ignores else ()
        return [r for r in self.rules if not any(r.code.startswith(i) for i in ignored) and r.applies_to(ctx)]

    def _run_rules(self, ctx: FileContext, errors: list[str], collected: dict | None = None) -> list[Finding]:
        """Run the rules in one traversal; `collected` (a dict) also receives the nodes the fact
        extractors want (`FACT_NODE_TYPES`), so facts cost no second walk."""
        rules = self._active_rules(ctx)
        if not rules and collected is None:
            return []
        nodes = self._walk(ctx, rules, collected)
        return self._dispatch(ctx, rules, nodes, errors)

    def _walk(self, ctx: FileContext, rules: list[Rule], collected: dict | None) -> list[ast.AST]:
        """The file's one traversal: the nodes every rule and shared analysis visits, and those the
        fact extractors want (into `collected`, by type). Kept by the source, so the analyses
        rules ask for reuse the list."""
        wanted = {node_type for rule in rules for node_type in rule.node_types} | _SHARED_NODE_TYPES
        if collected is not None:
            from .project.registry import FACT_NODE_TYPES

            wanted |= FACT_NODE_TYPES
        nodes = list(walk_types(ctx.tree, wanted))
        ctx.source.remember_walk(wanted, nodes)
        if collected is not None:
            for node_type in FACT_NODE_TYPES:
                collected[node_type] = []
            for node in nodes:
                if type(node) in collected:
                    collected[type(node)].append(node)
        return nodes

    def _dispatch(self, ctx: FileContext, rules: list[Rule], nodes: list[ast.AST], errors: list[str]) -> list[Finding]:
        """Hand each node of the traversal to the rules that visit its type, then finish them."""
        findings: list[Finding] = []
        broken: set[Rule] = set()
        dispatch: dict[type, list[Rule]] = defaultdict(list)
        for rule in rules:
            for node_type in rule.node_types:
                dispatch[node_type].append(rule)
        nothing: list[Rule] = []
        call_names = {rule: rule.call_names for rule in dispatch.get(ast.Call, ()) if rule.call_names is not None}
        imports = ctx.analysis(ImportMap) if call_names else None
        for node in nodes:
            kind = type(node)
            if kind not in dispatch:
                continue
            callee = _callee_names(node, imports) if kind is ast.Call and imports is not None else None
            for rule in dispatch.get(kind, nothing):
                if rule in broken or (callee is not None and rule in call_names and callee[0] not in call_names[rule] and callee[1] not in call_names[rule]):
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
        return self._apply_noqa(noqa_comments(source), source.path, findings)

    def _apply_noqa(self, noqas: dict, path: str, findings: list[Finding]) -> list[Finding]:
        if not noqas:
            return findings
        kept = [f for f in findings if not (f.line in noqas and noqas[f.line].suppresses(f.code))]
        if "INF003" in self.enabled:
            for noqa in noqas.values():
                for code in noqa.codes or ():
                    judged = code.startswith("INF") and any(c.startswith(code) for c in self.enabled - {"INF003"})
                    if judged and code not in noqa.used:
                        kept.append(
                            _meta_finding("INF003", f"unused `noqa` for {code}: nothing on this line is reported as {code}", path, noqa.line, noqa.col)
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
            key = (finding.code, repr(fix.data))  # a `fix_data` record (or the dict of an untyped fix)
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

    def fix_text(self, text: str, display_path: str, *, unsafe: bool = False, project=None) -> "FixOutcome":
        """Apply fixes until nothing changes; never return a text that does not parse.

        A pass lints once, then applies either all of one rule's fixes together (a rule that
        can compute them from one parse, like the import hoist) or every non-overlapping fix
        whose edits it built. The number of passes depends on the rules involved, never on the
        number of findings, and the result is a fixed point: a second run changes nothing.
        `project` lets the rules that read other files' facts offer their fixes too.
        """
        allowed = {FixSafety.SAFE, FixSafety.UNSAFE} if unsafe else {FixSafety.SAFE}
        outcome = FixOutcome(original=text, text=text)
        seen = {text}
        for _ in range(MAX_FIX_PASSES):
            result = self.lint_text(outcome.text, display_path, project=project)
            outcome.errors.extend(e for e in result.errors if e not in outcome.errors)
            outcome.remaining = result.findings
            fixable = [f for f in result.findings if f.fix and f.fix.safety in allowed]
            if not fixable:
                break
            new_text, applied = self._fix_pass(outcome.text, display_path, fixable, outcome.errors, project)
            if new_text is None or new_text in seen:
                break
            seen.add(new_text)
            outcome.passes += 1
            outcome.applied.extend(applied)
            outcome.text = new_text
        else:
            outcome.remaining = self.lint_text(outcome.text, display_path, project=project).findings
        return outcome

    def _fix_pass(self, text: str, display_path: str, fixable: list[Finding], errors: list[str], project=None) -> tuple[str | None, list[Finding]]:
        ctx = FileContext(SourceFile(display_path, text), self.config, display_path, project)
        together = self._fix_together(ctx, fixable, errors)
        if together is not None:
            return together
        self._resolve_fixes(ctx, fixable, errors)
        chosen = _non_overlapping([f for f in fixable if f.fix])
        if not chosen:
            return None, []
        new_text, applied = _apply_parsing(text, chosen)
        return new_text, applied + fixed_alongside(applied, fixable)

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


def _apply_parsing(text: str, chosen: list[Finding]) -> tuple[str | None, list[Finding]]:
    """Apply the chosen fixes together; if the result does not parse, fall back to the first alone.
    Returns the new text and the findings whose fixes it holds."""
    for group in (chosen, chosen[:1]):
        try:
            new_text = apply_edits(text, [e for f in group for e in f.fix.edits])
            ast.parse(new_text)
            return new_text, group
        except (EditConflict, SyntaxError, ValueError):
            continue
    return None, []


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


class _recording_dependencies:
    """Record the other files a lint read (project modules, project facts) into `result.deps`."""

    def __init__(self, result: FileResult, project) -> None:
        self.result, self.project = result, project

    def __enter__(self):
        from .analysis import project_modules

        self._modules = project_modules.recording()
        self._used_modules = self._modules.__enter__()
        self._facts = self.project.recording() if self.project is not None else None
        self._used_files = self._facts.__enter__() if self._facts is not None else set()
        return self

    def __exit__(self, *exc) -> None:
        if self._facts is not None:
            self._facts.__exit__(*exc)
        self._modules.__exit__(*exc)
        deps = dict(self._used_modules)
        for path in self._used_files:
            file = self.project.files.get(path)
            if file is not None and file.digest:
                deps[str(self.project.absolute(path))] = file.digest
        own = self.project.absolute(self.result.path) if self.project is not None else os.path.abspath(self.result.path)
        deps.pop(str(own), None)
        self.result.deps = deps


def _reads_facts(display_path: str) -> bool:
    from .project import wants_file

    return wants_file(display_path)


# -- containing failures: one file, one rule ---------------------------------------------------


def _target_python(location: str) -> tuple[int, int] | None:
    """The Python the file's own project targets (the nearest folder above it that states one)."""
    from .config import target_python_of_folder

    return target_python_of_folder(os.path.dirname(os.path.abspath(location)))


def _import_failure(source: SourceFile, target: tuple[int, int] | None = None) -> tuple[str, int, int] | None:
    """INF001's (message, line, column) when importing the file would fail before running it:
    it does not parse, or it parses but the compiler rejects it ('return' outside function…).
    Line 0: the file uses the syntax of a newer Python the project `target`s (a notice)."""
    try:
        tree = source.tree
    except SyntaxError as exc:
        from .rules.meta import judge_unparsable

        _, line, col = _syntax_error_finding(exc, None)
        message, is_finding = judge_unparsable(source.text, source.path, exc.msg or "invalid syntax", target)
        return (message, line, col) if is_finding else (message, 0, 0)
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"file does not parse: {_describe_parser_limit(exc)}; importing it raises {type(exc).__name__}", 1, 0
    from .rules.meta import compile_time_error

    error = compile_time_error(tree, source.text, source.path)
    return _syntax_error_finding(error, None) if error is not None else None


def _syntax_error_finding(exc: SyntaxError, newer: tuple[int, int] | None) -> tuple[str, int, int]:
    """`newer`: the project's declared Python when it is newer than this one (its syntax may be newer)."""
    line = exc.lineno or 1
    col = max((exc.offset or 1) - 1, 0)  # SyntaxError counts characters, as findings do
    detail = exc.msg if exc.msg else "invalid syntax"
    return syntax_error_message(detail, newer), line, col


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

def lint_path(linter: Linter, path: Path, resolve_fixes: bool, *, project=None, defer: bool = False) -> FileResult:
    """One file on disk: read, linted, and every failure turned into a finding or an error."""
    shown = display_path(path)
    try:
        data = read_regular_file(path)
    except OSError as exc:
        result = FileResult(shown)
        if "INF002" in linter.enabled:
            result.findings.append(_meta_finding("INF002", f"file cannot be read: {describe_os_error(exc)}", shown))
        return result
    try:
        return linter.lint_bytes(data, shown, resolve_fixes=resolve_fixes, project=project, defer=defer)
    except Exception as exc:  # one file's trouble never stops the run: the others are still linted
        result = FileResult(shown)
        result.errors.append(f"internal error on {shown}: {type(exc).__name__}: {exc or _describe_parser_limit(exc)}")
        return result


def lint_files(
    paths: list[Path],
    config: Config,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    resolve_fixes: bool = False,
    progress: Callable[[int], None] | None = None,
    want_facts: bool = False,
    use_project: bool = True,
    context_paths: Iterable[Path] = (),
) -> Iterator[FileResult]:
    """Lint every path (served from `cache` when the content and the files it read are unchanged).

    Two phases when an enabled rule uses the project model: every file is linted (and its facts
    extracted) on every core, except those a project rule applies to; once all facts are in, the
    project is joined here and those files are linted with it. Results come in path order.
    `want_facts` extracts every file's facts even when no enabled rule uses them (`trace`);
    `use_project=False` lints every file on its own (no facts, no join: the benchmark's baseline);
    such results are never cached (they would lack the facts a project run needs).
    `context_paths`: the project's other files (`project.members`), which only contribute their
    facts to the join — never linted, never reported.
    """
    context_paths = list(context_paths) if use_project else []
    if not use_project:
        cache = None
    if cache is not None:
        cache.run_files = _file_set_digest([*paths, *context_paths])
    results, linter, pool = _first_phase(paths, config, jobs, cache, resolve_fixes, want_facts if use_project else False, progress, use_project)
    if linter is None and cache is not None and cache.project_in_doubt(results, context_paths, display_path):
        # every file was served, but some answers were joined with another project than this one
        # (part of the tree was linted since, or a file the run does not report changed)
        linter = Linter(config, collect_facts=True if want_facts else None)
    try:
        if linter is not None and linter.project_rules and linter.collect_facts:  # something was linted: the project may matter
            context = [FileResult(f.path, digest=f.digest, facts=f) for f in facts_of_files(linter, context_paths, cache)]
            with batch_collection():
                _project_phase(linter, paths, results, cache, resolve_fixes, progress, pool, context)
    finally:
        if pool is not None:
            pool.stop()
    yield from results


def facts_of_files(linter: Linter, paths: Iterable[Path], cache: ResultCache | None = None, shown: Callable[[Path], str] = display_path) -> list:
    """The facts of files that are not reported (the rest of the project, for the join): served
    from `cache` when it holds them, else extracted — no rule runs and nothing is stored."""
    found = []
    for path in paths:
        name = shown(path)
        hit = cache.lookup(path, name, want_facts=True) if cache is not None else None
        if hit is not None:
            if hit.facts is not None:
                found.append(hit.facts)
            continue
        try:
            data = read_regular_file(path)
            text = decode_source(data) if name.endswith((".py", ".pyi")) else data.decode("utf-8", "replace")
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            continue  # a file that cannot be read states nothing
        facts = linter.facts_of_text(text, name, content_digest(data), location=str(path))
        if facts is not None:
            found.append(facts)
    return found


def _file_set_digest(paths: list[Path]) -> str:
    """The run's files relative to their common folder: a tree moved with its cache keeps it."""
    absolute = [os.path.abspath(p) for p in paths]
    base = os.path.commonpath([os.path.dirname(p) for p in absolute]) if absolute else ""
    return content_digest("\n".join(sorted(os.path.relpath(p, base) for p in absolute)).encode("utf-8", "surrogateescape"))


def _project_phase(linter: Linter, paths, results: list[FileResult], cache, resolve_fixes: bool, progress, pool=None, context=()) -> None:
    """Join the facts, then lint with the project the files that wait for it: the deferred ones,
    finished by the process that kept their parsed context (the workers of `pool` theirs, this
    process its own), and those a selective project rule picks, shared between the processes.
    A fully cached run never gets here: no file's facts changed, so the previous run's answers
    stand (entries read through the project carry deps). Cached answers computed with another
    project (some file's facts differ: a lookup that found nothing may find something) are redone.
    `context`: facts-only results of the project's files that are not reported (joined, never linted)."""
    joined = [*results, *context]
    stale = cache.stale_project_results(joined) if cache else set()
    deferred = [i for i, r in enumerate(results) if r.deferred]
    if not deferred and not linter.selective_rules and not stale:
        return
    project = join_project(joined, linter.config)
    again = [i for i, r in enumerate(results) if i in stale or (not r.deferred and not r.with_project and linter.needs_project(project, r))]
    index_of = {str(paths[i]): i for i in deferred + again}
    phase = ProjectPhase(linter.config, resolve_fixes)
    here = deferred + again
    if pool is not None and pool.waiting:
        # the workers finish the files they deferred; the files picked again are shared out
        processes = len(pool.waiting) + 1
        handed = [paths[i] for position, i in enumerate(again) if position % processes]
        pool.hand_out(phase.payload(joined), handed)
        if pool.live:
            workers_own = {str(path) for number in pool.waiting for path in pool.deferred_by.get(number, [])}
            here = [i for i in deferred if str(paths[i]) not in workers_own] + [i for position, i in enumerate(again) if position % processes == 0]
    for index in sorted(here):
        _finished(results, index, phase.finish(linter, paths[index], results[index] if results[index].deferred else None, project), cache, paths, progress)
    if pool is not None and pool.waiting and pool.live:
        for path, result in pool.collect():
            index = index_of[str(path)]
            if result is None:  # left by a worker that died
                result = phase.finish(linter, path, results[index] if results[index].deferred else None, project)
            _finished(results, index, result, cache, paths, progress)


def _finished(results: list[FileResult], index: int, result: FileResult, cache, paths, progress) -> None:
    counted = results[index].deferred
    results[index] = result
    if cache:
        cache.store(paths[index], result)
    if progress and counted:
        progress(1)


@dataclass(frozen=True)
class ProjectPhase:
    """Phase two as any process runs it (sent to the workers: module-level and picklable)."""

    config: Config
    resolve_fixes: bool

    @staticmethod
    def payload(results: list[FileResult]) -> bytes:
        """Every file's facts, pickled once for all the workers."""
        return pickle.dumps([r.facts for r in results if r.facts is not None], protocol=pickle.HIGHEST_PROTOCOL)

    def join(self, payload: bytes):
        from .project import Project

        return Project(pickle.loads(payload), named_folders=self.config.named_folders)

    def finish(self, linter: Linter, path: Path, result: FileResult | None, project) -> FileResult:
        """A deferred file (its first-phase `result`), or any other file to lint with the project."""
        if result is not None:
            return linter.finish_deferred(result, path, project, self.resolve_fixes)
        return lint_path(linter, path, self.resolve_fixes, project=project)


def _first_phase(paths, config, jobs, cache, resolve_fixes, want_facts, progress, use_project=True) -> tuple[list[FileResult], Linter | None, "Pool | None"]:
    """Per file: cached result, or a fresh lint (on every core) that defers files waiting for the
    project. The pool of a parallel run is returned with its workers waiting for phase two: the
    caller stops it."""
    cached: dict[int, FileResult] = {}
    pending: list[Path] = []
    for index, path in enumerate(paths):
        hit = cache.lookup(path, display_path(path), want_facts=want_facts) if cache else None
        if hit is not None:
            cached[index] = hit
        else:
            pending.append(path)
    # building the rules imports every rule module (and LibCST); a fully cached run needs none of it
    linter = Linter(config, collect_facts=(True if want_facts else None) if use_project else False) if pending else None
    fresh, pool = _lint_pending(linter, pending, jobs, resolve_fixes) if linter is not None else (iter(()), None)
    results: list[FileResult | None] = [None] * len(paths)
    for index, hit in cached.items():
        results[index] = hit
        if progress and not hit.deferred:
            progress(1)
    pending_index = [index for index in range(len(paths)) if index not in cached]
    with batch_collection() as collector:
        for position, result in fresh:  # a parallel run hands them back as its tasks finish
            index = pending_index[position]
            results[index] = result
            collector.file_done()
            if cache and not result.deferred:
                cache.store(paths[index], result)
            if progress and not result.deferred:
                progress(1)
    return results, linter, pool


def join_project(results: Iterable[FileResult], config: Config | None = None):
    """Phase two: every file's facts in one `Project` (main process, once per run)."""
    from .project import Project

    named = config.named_folders if config is not None else ()
    return Project((r.facts for r in results if r.facts is not None), named_folders=named)


def _lint_pending(linter: Linter, pending: list[Path], jobs: int, resolve_fixes: bool) -> tuple[Iterator[tuple[int, FileResult]], "Pool | None"]:
    """(position in `pending`, result) for every pending file, and the pool linting them (None:
    this process alone)."""
    defer = bool(linter.project_rules) and linter.collect_facts
    if jobs <= 1 or len(pending) < POOL_MIN_FILES:
        return ((position, lint_path(linter, path, resolve_fixes, defer=defer)) for position, path in enumerate(pending)), None
    from .parallel import Pool  # only for a cold, parallel run

    chunks = _balanced_chunks(pending, jobs)
    tasks = [[pending[position] for position in chunk] for chunk in chunks]
    make_linter = partial(Linter, linter.config, collect_facts=linter.collect_facts)
    lint_file = partial(lint_path, resolve_fixes=resolve_fixes, defer=defer)
    pool = Pool(linter, make_linter, lint_file, tasks, jobs, ProjectPhase(linter.config, resolve_fixes) if defer else None)
    return ((position, result) for index, results in pool.first_phase() for position, result in zip(chunks[index], results)), pool


def _balanced_chunks(pending: list[Path], jobs: int) -> list[list[int]]:
    """Positions in `pending`, grouped into the tasks of a parallel run: largest files first, each
    task about the same number of bytes (a big file alone, small ones by the dozen), so the
    processes finish together instead of one working through big files while the others wait."""
    sizes = [_size(path) for path in pending]
    target = max(1, sum(sizes) // (jobs * _TASKS_PER_WORKER))
    chunks: list[list[int]] = []
    current: list[int] = []
    current_size = 0
    for position in sorted(range(len(pending)), key=lambda p: -sizes[p]):
        current.append(position)
        current_size += sizes[position]
        if current_size >= target or len(current) >= _MAX_FILES_PER_TASK:
            chunks.append(current)
            current, current_size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reported as unreadable when linted


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def iter_findings(results: Iterable[FileResult]) -> Iterator[Finding]:
    for result in results:
        yield from result.findings


# -- the two phases as a stable interface (sharded runs: `check --shard`, `merge`) --------------


def lint_first_phase(paths: list[Path], config: Config, *, jobs: int = 1, cache: ResultCache | None = None, resolve_fixes: bool = False) -> list[FileResult]:
    """Phase one on `paths` alone: every file's facts, and the findings of every file that does not
    wait for the project (those that do come back `deferred`). Results are in path order."""
    if cache is not None:
        cache.run_files = _file_set_digest(paths)
    results, _, pool = _first_phase(paths, config, jobs, cache, resolve_fixes, False, None)
    if pool is not None:
        pool.stop()  # a shard's deferred files are finished by `merge`
    return results


def lint_project_phase(
    results: list[FileResult],
    paths: list[Path],
    config: Config,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    resolve_fixes: bool = False,
    context_paths: Iterable[Path] = (),
) -> list[FileResult]:
    """Phase two on the first phase's `results` for `paths` (the same order), however they were
    made: the project joined from their facts and those of `context_paths` (the project's files
    that are not reported, as `lint_files` takes them), then the files that wait for it linted with
    it (read again from disk). Returns the final results in path order."""
    results = list(results)
    linter = Linter(config, collect_facts=None)
    if linter.project_rules and linter.collect_facts:
        context = [FileResult(f.path, digest=f.digest, facts=f) for f in facts_of_files(linter, context_paths, cache)]
        _project_phase(linter, paths, results, cache, resolve_fixes, None, context=context)
    return results
