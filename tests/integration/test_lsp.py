"""The language server, driven end to end over stdio by a real LSP client (pytest-lsp)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from infralint.api import fix_source, lint_source
from infralint.catalog import load_catalog
from infralint.fixes.edits import apply_edits
from infralint.finding import Edit

from ..conftest import config_for, infralint_command
from .conftest import FIXABLE_CASES, FixableCase

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

BROKEN = 'def upgrade(connection):\n    rows = connection.execute("SELECT 1"\n'
CLEAN = 'def upgrade(connection):\n    rows = connection.execute("SELECT 1")\n    return rows\n'


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*infralint_command(), "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    await start_session(lsp_client, tmp_path)
    yield
    await lsp_client.shutdown_session()


async def start_session(client: LanguageClient, root: Path) -> None:
    """Initialize as VS Code would with `root` as the workspace, keeping the capabilities the
    server registers (`client.registrations`)."""
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
    )
    await client.initialize_session(params)


async def next_diagnostics(client: LanguageClient, uri: str, timeout: float = 15.0) -> list[types.Diagnostic]:
    """Wait for the next publishDiagnostics of `uri` (the caller popped the previous one)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while uri not in client.diagnostics:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no diagnostics published for {uri}")
        await asyncio.sleep(0.05)
    return list(client.diagnostics.pop(uri))


def open_document(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    return uri


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 columns) the way an editor does."""

    def char_col(line: str, units: int) -> int:
        count = 0
        for index, char in enumerate(line):
            if count >= units:
                return index
            count += 2 if ord(char) > 0xFFFF else 1
        return len(line)

    lines = text.split("\n")
    converted = []
    for e in edits:
        start_line = lines[e.range.start.line] if e.range.start.line < len(lines) else ""
        end_line = lines[e.range.end.line] if e.range.end.line < len(lines) else ""
        converted.append(
            Edit(e.range.start.line + 1, char_col(start_line, e.range.start.character), e.range.end.line + 1, char_col(end_line, e.range.end.character), e.new_text)
        )
    return apply_edits(text, converted)


async def test_diagnostics_on_open_carry_code_and_docs_link(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "migration.py", BROKEN)
    diagnostics = await next_diagnostics(client, uri)
    assert [d.code for d in diagnostics] == ["INF001"]
    diagnostic = diagnostics[0]
    assert diagnostic.source == "infralint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description.href == load_catalog()["INF001"].docs_url
    assert diagnostic.range.start.line == 1  # LSP lines are 0-based; the finding is on line 2
    assert "never closed" in diagnostic.message


async def test_hover_explains_the_rule(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "migration.py", BROKEN)
    (diagnostic,) = await next_diagnostics(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=diagnostic.range.start)
    )
    entry = load_catalog()["INF001"]
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert f"**INF001 {entry.name}**" in hover.contents.value and entry.docs_url in hover.contents.value
    elsewhere = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
    )
    assert elsewhere is None


async def test_unsaved_changes_update_diagnostics(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "migration.py"
    path.write_text(CLEAN, encoding="utf-8")  # the file on disk stays clean throughout
    uri = open_document(client, path, CLEAN)
    assert await next_diagnostics(client, uri) == []

    for version, text in enumerate(["def upgrade(connection):\n", BROKEN[:-1], BROKEN], start=2):
        change_document(client, uri, version, text)  # typing: only the last state is linted
    diagnostics = await next_diagnostics(client, uri)
    assert [(d.code, d.range.start.line) for d in diagnostics] == [("INF001", 1)]
    await asyncio.sleep(0.5)
    assert uri not in client.diagnostics, "a burst of changes must be linted once (debounced)"

    change_document(client, uri, 5, CLEAN)
    assert await next_diagnostics(client, uri) == []


async def test_configuration_is_reloaded_when_pyproject_changes(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "settings.py", "RETRIES = 3  # noqa: INF001\n")
    assert await next_diagnostics(client, uri) == []
    # the server asked the editor to watch configuration files
    assert [r.method for r in client.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]

    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.infralint]\nextend-select = ["INF003"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)])
    )
    diagnostics = await next_diagnostics(client, uri)
    assert [d.code for d in diagnostics] == ["INF003"]
    assert list(diagnostics[0].tags) == [types.DiagnosticTag.Unnecessary]

    # without any notification, the next lint still sees the file's new contents
    config.write_text('[tool.infralint]\nextend-select = ["INF003"]\nignore = ["INF003"]\n', encoding="utf-8")
    change_document(client, uri, 2, "RETRIES = 3  # noqa: INF001\nDELAY = 1  # noqa: INF001\n")
    assert await next_diagnostics(client, uri) == []

    # an invalid configuration is reported to the user and the defaults are used
    config.write_text('[tool.infralint]\nselectt = ["INF"]\n', encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri())))
    assert await next_diagnostics(client, uri) == []
    assert any("selectt" in m.message for m in client.messages)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("case", FIXABLE_CASES, ids=str)
async def test_code_action_fix_then_diagnostics_clear(client: LanguageClient, tmp_path: Path, case: FixableCase):
    case.require()
    uri = open_document(client, tmp_path / case.path, case.text)
    diagnostics = await next_diagnostics(client, uri)
    finding = next(d for d in diagnostics if d.code == case.code)

    # the range agrees with `infralint check` (columns converted to UTF-16 units)
    (target,) = [f for f in lint_source(case.text, case.path, config_for()) if f.code == case.code]
    line = case.text.splitlines()[target.line - 1]
    start_chars = len(line.encode("utf-8")[: target.col].decode("utf-8"))
    assert finding.range.start == types.Position(line=target.line - 1, character=utf16_units(line[:start_chars]))

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    quick_fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert quick_fixes and quick_fixes[0].title.startswith("Fix: ")
    assert quick_fixes[0].diagnostics[0].code == case.code
    assert [a.kind for a in actions if a not in quick_fixes] == ["source.fixAll.infralint"]

    (change,) = quick_fixes[0].edit.document_changes
    assert change.text_document.version == 1
    fixed = apply_text_edits(case.text, change.edits)
    assert case.fixed_marker in fixed

    change_document(client, uri, 2, fixed)
    assert case.code not in [d.code for d in await next_diagnostics(client, uri)]

    # nothing left to fix: no actions at all
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=5, character=0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions


@pytest.mark.parametrize("case", FIXABLE_CASES, ids=str)
async def test_fix_all_only_when_asked_for_source_actions(client: LanguageClient, tmp_path: Path, case: FixableCase):
    case.require()
    uri = open_document(client, tmp_path / case.path, case.text)
    await next_diagnostics(client, uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.infralint"]
    fixed = apply_text_edits(case.text, actions[0].edit.document_changes[0].edits)
    assert fixed == fix_source(case.text, case.path, config_for()).text


async def test_server_survives_documents_it_cannot_handle(client: LanguageClient, tmp_path: Path):
    odd = open_document(client, tmp_path / "binary.py", "x = 1\x00\n")
    await next_diagnostics(client, odd)
    untitled = "untitled:Untitled-1"
    client.diagnostics.pop(untitled, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=untitled, language_id="python", version=1, text=BROKEN))
    )
    assert [d.code for d in await next_diagnostics(client, untitled)] == ["INF001"]
    uri = open_document(client, tmp_path / "after.py", BROKEN)
    assert [d.code for d in await next_diagnostics(client, uri)] == ["INF001"]


async def test_diagnostics_in_an_nginx_site(client: LanguageClient, tmp_path: Path):
    """Configuration documents get diagnostics at their own lines, like Python ones."""
    site = tmp_path / "nginx" / "site.conf"
    site.parent.mkdir()
    text = "server {\n    location /ws/ {\n        proxy_pass http://app:8000;\n        proxy_read_timeout 3600s;\n    }\n}\n"
    uri = site.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="nginx", version=1, text=text))
    )
    diagnostics = await next_diagnostics(client, uri)
    assert [(d.code, d.range.start.line) for d in diagnostics] == [("INF602", 1)]
    assert "without `proxy_http_version 1.1`" in diagnostics[0].message
