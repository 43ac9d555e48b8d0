"""One configuration's rules, run over one file at a time.

A Python file goes through the same stages whatever asks for it (`check`, flake8, the language
server, the project phase): read and decode → parse (and what would stop its import) → one walk
→ the rules → per-file ignores and `noqa` → the fixes' edits. Configuration and fact files take
their own path (`file_kinds`).
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..context import FileContext
from ..finding import Finding
from ..fixes.resolve import resolve_lazy_fixes
from ..input_warnings import collect_input_warnings
from ..results import FileResult, content_digest
from ..rules import Rule, rule_classes
from ..source import MAX_PYTHON_CHARS, SourceFile, decode_source
from ..suppression import noqa_comments, skip_file
from . import file_kinds
from .dependencies import recording_dependencies
from .failures import describe_decode_error, import_failure, meta_finding, target_python
from .files import lint_path
from .ignores import apply_noqa, apply_per_file_ignores, ignored_prefixes, not_ignored
from .retained import RetainedContexts
from .traversal import dispatch, walk


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
        #: project rules that make a file they apply to wait for the join (`defer`)
        self._waiting_rules = frozenset(rule for rule in self.project_rules if rule not in self.selective_rules)
        #: the contexts of files deferred to the project phase, kept to finish them without a
        #: second read, parse and traversal
        self._retained = RetainedContexts()
        if self.collect_facts or self.fact_file_rules:
            from ..project import load_extractors

            load_extractors()

    # -- entry points ---------------------------------------------------------------------------

    def lint_bytes(self, data: bytes, display_path: str, *, resolve_fixes: bool = False, project=None, defer: bool = False) -> FileResult:
        """Lint one file's bytes. `project` is the joined project model for rules that use it;
        `defer` (phase one of a project run) leaves a file such a rule applies to for later."""
        if Path(display_path).name in self.config_file_names:
            result = file_kinds.lint_config_file(self, data, display_path)
            file_kinds.non_python_facts(self, result, data)
        elif file_kinds.is_fact_file(self, display_path):
            result = file_kinds.lint_fact_file(self, data, display_path, project=project, defer=defer)
        else:
            result = self._lint_python_bytes(data, display_path, resolve_fixes=resolve_fixes, project=project, defer=defer)
        apply_per_file_ignores(self.config, result)
        return result

    def lint_text(self, text: str, display_path: str, *, resolve_fixes: bool = False, project=None, location: str | None = None) -> FileResult:
        """Lint one file's text; `location` is its path on disk when `display_path` is not relative
        to the working folder (the language server shows paths relative to the configuration root)."""
        if file_kinds.is_fact_file(self, display_path):
            result = file_kinds.lint_fact_file(self, text.encode("utf-8"), display_path, project=project)
        else:
            result = self._lint_python(text, display_path, resolve_fixes=resolve_fixes, project=project, location=location)
        apply_per_file_ignores(self.config, result)
        return result

    def finish_deferred(self, result: FileResult, path: Path, project, resolve_fixes: bool) -> FileResult:
        """After the join: lint a file the first phase left for the project. A Python file whose
        context this process kept is finished from it — its rules run on the nodes of the first
        phase's traversal, nothing is read or parsed again; any other is linted again."""
        kept = self._retained.take(result.path)
        if kept is None:
            return self.lint_deferred(result, path, project, resolve_fixes)
        ctx = kept.ctx
        ctx.project = project
        finished = FileResult(result.path, errors=list(result.errors), digest=result.digest, facts=result.facts)
        with recording_dependencies(finished, project), collect_input_warnings(finished.errors):
            # the rules that read no project ran in the first phase; with the project a project
            # rule may apply that did not before (a route the project names a health route): its
            # node types come from the kept walk, or a walk of their own
            rules = [rule for rule in self._active_rules(ctx) if rule.uses_project]
            nodes = ctx.source.nodes_of(frozenset(node_type for rule in rules for node_type in rule.node_types))
            findings = kept.findings + dispatch(ctx, rules, nodes, finished.errors)
        finished.deps = {**result.deps, **finished.deps}
        self._finish(finished, ctx, findings, resolve_fixes, project)
        apply_per_file_ignores(self.config, finished)
        return finished

    def keeps(self, display_path: str) -> bool:
        """Whether this process kept the parse of a deferred file (`finish_deferred` needs no read)."""
        return display_path in self._retained

    def lint_deferred(self, result: FileResult, path: Path, project, resolve_fixes: bool) -> FileResult:
        """After the join: lint a file the first phase left for the project, reusing its facts. The
        file is read and parsed again (its context was not kept: over the memory budget, or
        served from the cache)."""
        if file_kinds.is_fact_file(self, result.path):
            return lint_path(self, path, resolve_fixes, project=project)  # a configuration file
        try:
            data = path.read_bytes()
            text = decode_source(data)
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            return lint_path(self, path, resolve_fixes, project=project)
        if content_digest(data) != result.digest:  # changed since the first phase: start over
            return lint_path(self, path, resolve_fixes, project=project)
        fresh = self._lint_python(text, result.path, resolve_fixes=resolve_fixes, project=project, facts=result.facts)
        fresh.digest = result.digest
        apply_per_file_ignores(self.config, fresh)
        return fresh

    def needs_project(self, project, result: FileResult) -> bool:
        """After the join: whether a selective project rule wants this (already linted) file again."""
        if result.facts is None or not self.selective_rules:
            return False
        with collect_input_warnings(result.errors):
            return any(rule.needs_project(project, result.facts) for rule in self.selective_rules)

    def facts_of_text(self, text: str, display_path: str, digest: str = "", location: str | None = None):
        """Only the facts of one file (the project's files a run does not report): no rules run.
        None when the file does not parse or is skipped."""
        from ..project import extract_file, load_extractors

        load_extractors()
        if not display_path.endswith((".py", ".pyi")):
            return extract_file(display_path, text, digest, self.enabled) if file_kinds.reads_facts(display_path) else None
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

    def resolve_fixes(self, text: str, display_path: str, findings: list[Finding]) -> list[str]:
        """Build the edits of these findings' fixes only (an editor's code actions under the
        cursor), from one context of `text`; returns the problems met."""
        errors: list[str] = []
        wanted = [f for f in findings if f.fix is not None and not f.fix.resolved]
        if wanted:
            resolve_lazy_fixes(self.rules, FileContext(SourceFile(display_path, text), self.config, display_path), wanted, errors)
        return errors

    def fix_text(self, text: str, display_path: str, *, unsafe: bool = False, project=None):
        """Apply fixes until nothing changes (`fixes.loop.fix_text`)."""
        from ..fixes.loop import fix_text

        return fix_text(self, text, display_path, unsafe=unsafe, project=project)

    # -- the stages of a Python file ------------------------------------------------------------

    def _lint_python_bytes(self, data: bytes, display_path: str, *, resolve_fixes: bool, project, defer: bool) -> FileResult:
        """Decode (a file that cannot be decoded is an INF002 finding), then lint the text."""
        try:
            text = decode_source(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            result = FileResult(display_path, digest=content_digest(data))
            if "INF002" in self.enabled:
                line = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else 1
                message = f"file cannot be decoded: {describe_decode_error(exc)}"
                result.findings.append(meta_finding("INF002", message, display_path, line))
            return result
        result = self._lint_python(text, display_path, resolve_fixes=resolve_fixes, project=project, defer=defer)
        result.digest = content_digest(data)
        if result.facts is not None:
            result.facts.digest = result.digest
        return result

    def _lint_python(
        self, text: str, display_path: str, *, resolve_fixes: bool = False, project=None, defer: bool = False, location: str | None = None,
        facts=None,
    ) -> FileResult:
        """Parse (what would stop the import ends here), one walk, the rules, then `_finish`.
        With `defer`, a file a project rule applies to stops after the walk and its facts: the
        rules run once the project is joined (`finish_deferred`). `facts`: extracted before."""
        if len(text) > MAX_PYTHON_CHARS:
            return self._too_large(text, display_path)
        result = FileResult(display_path)
        source = SourceFile(display_path, text, location)
        if skip_file(source) or self._stops_import(source, result):
            return result
        ctx = FileContext(source, self.config, display_path, project)
        # tests and stubs state no facts: their nodes are not worth collecting
        collected: dict | None = {} if self.collect_facts and facts is None and not (source.is_test or source.is_stub) else None
        # facts too may read imported constants; what the project's configuration could not be
        # read as is said by the file whose rules first read it
        with recording_dependencies(result, project), collect_input_warnings(result.errors):
            rules = self._active_rules(ctx)
            if defer and project is None and not self._waiting_rules.isdisjoint(rules):
                result.deferred = True
                nodes = walk(ctx, rules, collected)  # the facts need the walk now
                if self._retained.has_room(ctx):
                    # the rules that read no project run now, while every process has work: the
                    # project phase is left only what needs the join
                    alone = [rule for rule in rules if not rule.uses_project]
                    self._retained.keep(display_path, ctx, dispatch(ctx, alone, nodes, result.errors))
                    ctx.forget_analyses()
                self._state_facts(result, source, collected)
                return result
            findings = self._run_rules(ctx, rules, result.errors, collected)
            if facts is not None:
                result.facts = facts  # extracted in the first phase
            else:
                self._state_facts(result, source, collected)
        return self._finish(result, ctx, findings, resolve_fixes, project)

    def _stops_import(self, source: SourceFile, result: FileResult) -> bool:
        """INF001 (or a notice, for the syntax of a newer Python the project targets) when the
        file does not parse or compile: nothing else is said about it."""
        source.target_python = target_python(source.location) or self.config.requires_python
        failure = import_failure(source, source.target_python)
        if failure is None:
            return False
        if failure[1] == 0:  # syntax of a newer Python the project targets: a notice, not a finding
            result.errors.append(failure[0])
        elif "INF001" in self.enabled:
            message, line, col = failure
            result.findings.append(meta_finding("INF001", message, source.path, line, col))
        return True

    def _run_rules(self, ctx: FileContext, rules: list[Rule], errors: list[str], collected: dict | None = None) -> list[Finding]:
        """Run the rules in one traversal; `collected` (a dict) also receives the nodes the fact
        extractors want (`FACT_NODE_TYPES`), so facts cost no second walk."""
        if not rules and collected is None:
            return []
        return dispatch(ctx, rules, walk(ctx, rules, collected), errors)

    def _state_facts(self, result: FileResult, source: SourceFile, collected: dict | None) -> None:
        if self.collect_facts:
            result.facts = self._python_facts(source, result.path, collected)
            result.errors.extend(result.facts.errors)

    def _finish(self, result: FileResult, ctx: FileContext, findings: list[Finding], resolve_fixes: bool, project) -> FileResult:
        """`noqa` comments, then (when asked) the fixes' edits; findings in position order."""
        result.with_project = project is not None
        findings = apply_noqa(self.enabled, noqa_comments(ctx.source), ctx.source.path, findings)
        if resolve_fixes:
            resolve_lazy_fixes(self.rules, ctx, findings, result.errors)
        findings.sort(key=lambda f: f.sort_key)
        result.findings = findings
        return result

    def _too_large(self, text: str, display_path: str) -> FileResult:
        """A Python file past the size limit: one INF002 finding, never parsed (its tree would take
        hundreds of times its size in memory)."""
        result = FileResult(display_path)
        message = f"file cannot be read: {len(text) / 1e6:.1f} MB, larger than the {MAX_PYTHON_CHARS // 1_000_000} MB limit for Python files (generated data, not code to lint)"
        if "INF002" in self.enabled:
            result.findings.append(meta_finding("INF002", message, display_path, 1))
        else:
            result.errors.append(f"warning: {display_path}: {message}")
        return result

    def _python_facts(self, source: SourceFile, display_path: str, collected: dict | None = None):
        from ..project import extract_python

        return extract_python(source, display_path, collected=collected or None)

    def _active_rules(self, ctx: FileContext) -> list[Rule]:
        return [rule for rule in not_ignored(self.rules, ignored_prefixes(self.config, ctx.display_path)) if rule.applies_to(ctx)]
