"""The language server (`infralint lsp`, stdio): diagnostics and fixes in the editor.

Documents are linted from the editor's buffer (unsaved text included) on open, on save, and —
debounced — while typing. Each diagnostic carries the rule code and a link to the rule's page.
Code actions offer every fix of the findings under the cursor and one "fix all safe" action;
hovering a finding shows the rule's explanation from the catalog.
Configuration comes from the resolver the CLI and the flake8 plugin share (the nearest
configuration file above each document); it is re-read when that file changes. Documents the
configuration excludes (`exclude`/`extend-exclude`) get no diagnostics, as on the command line.
A "disable for this line" action adds `# noqa: CODE`. A failure while handling one document is
logged and never stops the server.

Linting never runs on the event loop: diagnostics, hover and code actions are computed on worker
threads (one lint at a time), so a slow document never freezes the editor's other requests, and a
lint whose document changed meanwhile is dropped (or skipped before it starts) rather than published.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import traceback
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ..catalog import load_catalog
from ..config import CONFIG_FILE_NAMES, TARGET_PYTHON_FILE_NAMES, ConfigError, ConfigResolver
from ..engine import Linter
from ..finding import Edit, Finding, FixSafety
from ..fixes.edits import edits_between
from ..version import __version__
from .lsp_noqa import noqa_edit
from .lsp_protocol import GuardedProtocol

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.3
SOURCE = "infralint"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.infralint"
_SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
# LSP lines end at \n, \r\n or \r only — as Python's own line numbers do (unlike str.splitlines)
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


# -- positions ------------------------------------------------------------------------------------


class PositionMapper:
    """Converts infralint positions to LSP positions for one text.

    Finding and edit columns are characters (code points); LSP columns are in the negotiated
    encoding (UTF-16 code units unless the client chose otherwise).
    """

    def __init__(self, text: str, units) -> None:
        self.lines = _LINE_BREAK_RE.split(text)
        self._units = units  # str -> number of client code units

    def _line(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def from_chars(self, line: int, char_col: int) -> types.Position:
        if line > len(self.lines):
            return types.Position(line=len(self.lines), character=0)
        return types.Position(line=max(line - 1, 0), character=self._units(self._line(line)[:char_col]))

    def finding_range(self, finding: Finding) -> types.Range:
        return types.Range(start=self.from_chars(finding.line, finding.col), end=self.from_chars(finding.end_line, finding.end_col))

    def text_edit(self, edit: Edit) -> types.TextEdit:
        start = self.from_chars(edit.start_line, edit.start_col)
        end = self.from_chars(edit.end_line, edit.end_col)
        return types.TextEdit(range=types.Range(start=start, end=end), new_text=edit.content)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


# -- configuration --------------------------------------------------------------------------------


@dataclass
class _LoadedConfig:
    linter: Linter
    stamp: float | None  # the config file's mtime when read
    error: str | None = None


class ConfigStore:
    """The engine for each document's configuration (the shared resolver), re-read when the file changes."""

    def __init__(self) -> None:
        self.resolver = ConfigResolver()
        self._loaded: dict[Path | None, _LoadedConfig] = {}

    def clear(self) -> None:
        self.resolver.clear()
        self._loaded.clear()

    def linter_for(self, path: Path | None) -> _LoadedConfig:
        config_file = self.resolver.config_file_for(path) if path is not None else None
        stamp = _mtime(config_file)
        loaded = self._loaded.get(config_file)
        if loaded is None or loaded.stamp != stamp:
            self.resolver.forget(config_file)
            loaded = self._load(config_file, stamp)
            self._loaded[config_file] = loaded
        return loaded

    def _load(self, config_file: Path | None, stamp: float | None) -> _LoadedConfig:
        try:
            return _LoadedConfig(Linter(self.resolver.load(config_file)), stamp)
        except ConfigError as exc:
            # keep linting with the defaults; tell the user once per change of the file
            return _LoadedConfig(Linter(self.resolver.load(None)), stamp, error=str(exc))


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime_ns if path is not None else None
    except OSError:
        return None


# -- the server -----------------------------------------------------------------------------------


@dataclass
class _Linted:
    version: int | None
    text: str
    findings: list[Finding]
    fixes_resolved: bool
    fixed_text: str | None = None  # the "fix all safe" result, computed once per version
    fixed_count: int = 0


class InfralintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("infralint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental, protocol_cls=GuardedProtocol)
        self.configs = ConfigStore()
        self.results: dict[str, _Linted] = {}
        self.tracked: set[str] = set()  # the open Python documents
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._reported_config_errors: set[str] = set()
        from .lsp_project import LspProject

        self.project_state = LspProject(self)  # the project model: background build, per-file refresh
        # the rules' per-configuration state is not shared between threads; re-entrant because a
        # lint that updates the project re-lints the open documents that read the changed file
        self._lint_lock = threading.RLock()
        self.event_loop: asyncio.AbstractEventLoop | None = None  # set on the loop's thread
        self.changes: dict[str, int] = defaultdict(int)  # edits seen per document: a newer one supersedes a lint

    # -- linting --------------------------------------------------------------------------------

    def _document_path(self, document) -> Path | None:
        if not document.uri.startswith("file:") or not document.path:
            return None
        return Path(document.path)

    def _display_path(self, path: Path | None, linter: Linter) -> str:
        if path is None:
            return "untitled.py"
        try:
            return path.resolve().relative_to(linter.config.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def lint(self, uri: str, *, resolve_fixes: bool = False) -> _Linted:
        """Lint the buffer of `uri` (cached per document version). Runs on a worker thread."""
        text, version, path = self._snapshot(uri)
        cached = self.results.get(uri)
        if cached is not None and cached.version == version and cached.text == text and (cached.fixes_resolved or not resolve_fixes):
            return cached
        with self._lint_lock:
            loaded = self.configs.linter_for(path)
            if loaded.error and loaded.error not in self._reported_config_errors:
                self._reported_config_errors.add(loaded.error)
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"infralint: {loaded.error} (using the defaults)"))
            if path is not None and _excluded(path, loaded.linter.config):
                linted = _Linted(version, text, [], True)  # excluded, as `infralint check` skips it
                self.results[uri] = linted
                return linted
            self.project_state.start(loaded.linter)
            self.project_state.file_changed(path, text, uri)  # this buffer's facts, for the documents that read them
            project = self.project_state.project_for(loaded.linter)
            result = loaded.linter.lint_text(
                text, self._display_path(path, loaded.linter), resolve_fixes=resolve_fixes, project=project, location=str(path) if path else None
            )
            self.project_state.linted(uri, result)
        for message in result.errors:
            self.log(types.MessageType.Warning, f"infralint: {message}")
        linted = _Linted(version, text, result.findings, resolve_fixes)
        self.results[uri] = linted
        return linted

    def _snapshot(self, uri: str) -> tuple[str, int | None, Path | None]:
        """Text and version read together: the event loop may apply an edit meanwhile."""
        document = self.workspace.get_text_document(uri)
        while True:
            version = document.version
            text = document.source
            if document.version == version:
                return text, version, self._document_path(document)

    def publish(self, uri: str) -> None:
        """Lint one document and publish its diagnostics; a failure is logged, not raised.

        A lint that an edit superseded — before it started or while it ran — publishes nothing:
        the debounced lint of the newer text follows.
        """
        seen = self.changes[uri]
        try:
            linted = self.lint(uri)
            if self.changes[uri] != seen:
                return
            mapper = self.mapper(linted.text)
            diagnostics = [self.diagnostic(f, mapper) for f in linted.findings]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=linted.version))
        except Exception:
            self.results.pop(uri, None)
            self.log(types.MessageType.Error, f"infralint failed on {uri}:\n{traceback.format_exc()}")

    def publish_later(self, uri: str) -> None:
        """On the event loop: count the edit (superseding running lints), lint once typing pauses."""
        self.changes[uri] += 1
        self.cancel_pending(uri)
        loop = asyncio.get_running_loop()
        self._pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self.publish_in_worker, uri)

    def publish_in_worker(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if uri in self.tracked:
            self.thread_pool.submit(self.publish, uri)

    def cancel_pending(self, uri: str) -> None:
        handle = self._pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def republish_all(self) -> None:
        self.configs.clear()
        self._reported_config_errors.clear()
        self.results.clear()
        for uri in sorted(self.tracked):
            self.publish(uri)

    def republish_if_changed(self, uris) -> None:
        """Lint these open documents again (the project changed under them); publish the ones
        whose findings changed."""
        for uri in sorted(uris):
            if uri in self._pending:
                continue  # edited since: the debounced lint of its newer text publishes it
            before = self.results.pop(uri, None)
            try:
                after = self.lint(uri)
            except Exception:
                self.publish(uri)  # logs the failure
                continue
            if before is None or [f.to_dict() for f in before.findings] != [f.to_dict() for f in after.findings]:
                self.publish(uri)

    def log(self, kind: types.MessageType, message: str) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no client to tell (tests, a closed pipe): the log file still has it
            log.warning("%s", message)

    # -- conversions ----------------------------------------------------------------------------

    def mapper(self, text: str) -> PositionMapper:
        return PositionMapper(text, self.workspace.position_codec.client_num_units)

    @staticmethod
    def diagnostic(finding: Finding, mapper: PositionMapper) -> types.Diagnostic:
        entry = load_catalog().get(finding.code)
        return types.Diagnostic(
            range=mapper.finding_range(finding),
            message=finding.message,
            severity=_SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Error),
            code=finding.code,
            code_description=types.CodeDescription(href=entry.docs_url) if entry else None,
            source=SOURCE,
            tags=[types.DiagnosticTag.Unnecessary] if finding.code == "INF003" else None,
        )

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        """The catalog's explanation of the rules reported at the cursor."""
        linted = self.lint(params.text_document.uri)
        mapper = self.mapper(linted.text)
        point = types.Range(start=params.position, end=params.position)
        sections = []
        seen = set()
        for finding in linted.findings:
            entry = load_catalog().get(finding.code)
            if entry is None or finding.code in seen or not _overlaps(mapper.finding_range(finding), point):
                continue
            seen.add(finding.code)
            fix = f"\n\n**Fix** ({entry.fix_safety}): {entry.fix_description.strip()}" if entry.fix_safety != "none" else ""
            sections.append(
                f"**{entry.code} {entry.name}** — {entry.summary}\n\n{entry.why.strip()}{fix}\n\n[Rule documentation]({entry.docs_url})"
            )
        if not sections:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)))

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        linted = self.lint(uri)
        mapper = self.mapper(linted.text)
        wanted = params.context.only
        actions: list[types.CodeAction] = []
        if _kind_wanted(types.CodeActionKind.QuickFix, wanted):
            # only the fixes under the cursor are built (one LibCST parse each, not one per finding)
            here = [f for f in linted.findings if f.fix is not None and _overlaps(mapper.finding_range(f), params.range)]
            self._resolve(uri, linted, here)
            for finding in here:
                fix = finding.fix
                if fix is None or not fix.edits or fix.safety == FixSafety.NONE:
                    continue
                diagnostic = self.diagnostic(finding, mapper)
                unsafe = fix.safety == FixSafety.UNSAFE
                actions.append(
                    types.CodeAction(
                        title=f"Fix: {fix.title}{' (unsafe: changes behaviour)' if unsafe else ''} ({finding.code})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=not unsafe,
                        edit=self._workspace_edit(uri, linted.version, [mapper.text_edit(e) for e in fix.edits]),
                    )
                )
        if _kind_wanted(types.CodeActionKind.QuickFix, wanted):
            actions.extend(self._disable_actions(uri, linted, linted.version, mapper, params.range))
        if _kind_wanted(FIX_ALL_KIND, wanted) and any(f.fix and f.fix.safety == FixSafety.SAFE for f in linted.findings):
            fix_all = self._fix_all(uri, linted, linted.version)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def _disable_actions(self, uri: str, linted: _Linted, version: int | None, mapper: PositionMapper, where: types.Range) -> list[types.CodeAction]:
        """"Disable CODE for this line" for each rule reported under the cursor (adds `# noqa: CODE`)."""
        actions = []
        offered: set[tuple[int, str]] = set()
        for finding in linted.findings:
            diagnostic = self.diagnostic(finding, mapper)
            if (finding.line, finding.code) in offered or not _overlaps(diagnostic.range, where):
                continue
            offered.add((finding.line, finding.code))
            edit = noqa_edit(linted.text, finding.line, finding.code)
            if edit is None:
                continue
            actions.append(
                types.CodeAction(
                    title=f"Disable {finding.code} for this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=self._workspace_edit(uri, version, [mapper.text_edit(edit)]),
                )
            )
        return actions

    def _resolve(self, uri: str, linted: _Linted, findings: list[Finding]) -> None:
        if not any(f.fix is not None and not f.fix.resolved for f in findings):
            return
        path = self._document_path(self.workspace.get_text_document(uri))
        with self._lint_lock:
            loaded = self.configs.linter_for(path)
            errors = loaded.linter.resolve_fixes(linted.text, self._display_path(path, loaded.linter), findings)
        for message in errors:
            self.log(types.MessageType.Warning, f"infralint: {message}")

    def _fix_all(self, uri: str, linted: _Linted, version: int | None) -> types.CodeAction | None:
        if linted.fixed_text is None:
            # editors ask for code actions on every cursor move: run the fix loop once per version
            path = self._document_path(self.workspace.get_text_document(uri))
            with self._lint_lock:
                loaded = self.configs.linter_for(path)
                outcome = loaded.linter.fix_text(linted.text, self._display_path(path, loaded.linter))
            linted.fixed_text, linted.fixed_count = outcome.text, len(outcome.applied)
        if linted.fixed_text == linted.text:
            return None
        mapper = self.mapper(linted.text)
        edits = [mapper.text_edit(e) for e in edits_between(linted.text, linted.fixed_text)]
        return types.CodeAction(
            title=f"Fix all safe infralint findings ({linted.fixed_count})",
            kind=FIX_ALL_KIND,
            edit=self._workspace_edit(uri, version, edits),
        )

    @staticmethod
    def _workspace_edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits
                )
            ]
        )


def _excluded(path: Path, config) -> bool:
    """Excluded by its configuration, judged relative to the configuration's folder (a document
    outside it — no configuration file, an editor started elsewhere — is never excluded)."""
    try:
        path.resolve().relative_to(config.root)
    except (ValueError, OSError):
        return False
    from ..discovery import is_excluded

    return is_excluded(path, config)


def _is_deployment_file(uri: str) -> bool:
    """A YAML/Terraform/nginx/Dockerfile document the INF6 rules place findings in."""
    if not uri.startswith("file:"):
        return False
    from .. import project

    project.load_extractors()
    return project.wants_file(uri.rsplit("/", 1)[-1])


#: files whose change changes every document's findings: the configuration, and the target Python
#: a folder states (`ruff.toml`, `.python-version`…)
_SETTINGS_FILE_NAMES = tuple(dict.fromkeys([*CONFIG_FILE_NAMES, *TARGET_PYTHON_FILE_NAMES]))


def _is_config(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] in _SETTINGS_FILE_NAMES


def _kind_wanted(kind: str, only: list[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for `source.fixAll` includes `source.fixAll.infralint`."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


# -- protocol wiring ------------------------------------------------------------------------------


def build_server() -> InfralintServer:
    server = InfralintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: InfralintServer, params: types.InitializedParams) -> None:
        ls.event_loop = asyncio.get_running_loop()  # lints run on worker threads; the project build on this loop
        watch = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watch and watch.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in _SETTINGS_FILE_NAMES]
            watchers.append(types.FileSystemWatcher(glob_pattern="**/*.py"))
            # the deployment configuration and clients whose facts the project joins (a probe's deadline)
            from ..project.members import fact_file_patterns

            watchers += [types.FileSystemWatcher(glob_pattern=f"**/{pattern}") for pattern in fact_file_patterns()]
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(id="infralint-config-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
                    ]
                )
            )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @server.thread()
    def did_open(ls: InfralintServer, params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if document.language_id == "python" or document.uri.endswith((".py", ".pyi")) or _is_deployment_file(document.uri):
            ls.tracked.add(document.uri)
            ls.publish(document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: InfralintServer, params: types.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.tracked:
            ls.publish_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @server.thread()
    def did_save(ls: InfralintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if _is_config(uri):
            ls.republish_all()
        elif uri in ls.tracked:
            ls.publish(uri)
            ls.project_state.file_changed(ls._document_path(ls.workspace.get_text_document(uri)), None, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: InfralintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.changes[uri] += 1  # a lint still running for it publishes nothing
        ls.cancel_pending(uri)
        ls.results.pop(uri, None)
        ls.project_state.closed(uri)
        if uri in ls.tracked:
            ls.tracked.discard(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @server.thread()
    def did_change_watched_files(ls: InfralintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(_is_config(change.uri) for change in params.changes):
            ls.republish_all()
        for change in params.changes:  # a file of the project changed on disk (not in an editor)
            if (change.uri.endswith((".py", ".pyi")) or _is_deployment_file(change.uri)) and change.uri.startswith("file:") and change.uri not in ls.tracked:
                from pygls.uris import to_fs_path

                ls.project_state.file_changed(Path(to_fs_path(change.uri)))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @server.thread()
    def hover(ls: InfralintServer, params: types.HoverParams) -> types.Hover | None:
        if params.text_document.uri not in ls.tracked:
            return None
        try:
            return ls.hover(params)
        except Exception:
            ls.log(types.MessageType.Error, f"infralint hover failed on {params.text_document.uri}:\n{traceback.format_exc()}")
            return None

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
    )
    @server.thread()
    def code_action(ls: InfralintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        try:
            return ls.code_actions(params)
        except Exception:
            ls.log(types.MessageType.Error, f"infralint code actions failed on {params.text_document.uri}:\n{traceback.format_exc()}")
            return []

    return server


def serve() -> None:
    """Run the language server over standard input and output until the client disconnects."""
    build_server().start_io()
