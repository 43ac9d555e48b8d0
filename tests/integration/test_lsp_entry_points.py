"""The language server reports what `infralint check` on the whole tree reports for a file, on a
project whose INF303 depends on a readiness probe in `deploy/k8s/deployment.yaml`; when the probe
changes on disk, the open handler's diagnostics follow, again as the CLI's findings do."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from ..conftest import infralint_command
from .test_entry_points import DEPLOYMENT, GENEROUS, HANDLER, TIGHT, check_json, make_service, of
from .test_lsp import open_document, start_session
from .test_lsp_project import _diagnostics_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*infralint_command(), "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    root = make_service(tmp_path / "svc", TIGHT)
    await start_session(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


def as_rows(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int, str, str]]:
    # the handler's text is ASCII: UTF-16 columns are character columns
    return sorted(("app/main.py", d.range.start.line + 1, d.range.start.character + 1, d.code, d.message) for d in diagnostics)


async def test_the_open_handler_gets_the_whole_tree_findings(client: LanguageClient, tmp_path: Path):
    root = tmp_path / "svc"
    expected = of(check_json(root), "app/main.py")
    assert [row[3] for row in expected] == ["INF301", "INF303"]  # the 4 s probe: the handler's 20 s is reported
    uri = open_document(client, root / "app" / "main.py", HANDLER)
    diagnostics = await _diagnostics_until(client, uri, lambda ds: as_rows(ds) == expected)
    assert as_rows(diagnostics) == expected

    # the probe now allows 60 s: the CLI and the server both drop INF303
    probe = root / "deploy" / "k8s" / "deployment.yaml"
    probe.write_text(DEPLOYMENT.format(timeout=GENEROUS), encoding="utf-8")
    expected = of(check_json(root), "app/main.py")
    assert [row[3] for row in expected] == ["INF301"]
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=probe.as_uri(), type=types.FileChangeType.Changed)])
    )
    diagnostics = await _diagnostics_until(client, uri, lambda ds: as_rows(ds) == expected)
    assert as_rows(diagnostics) == expected
