"""The language server's project model, over stdio with a real client (pytest-lsp): the project is
built in the background with progress reports, and an open document's cross-file diagnostic is
refreshed when the file it read changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from ..conftest import infralint_command
from ..project.health_project import HEALTH, SETTINGS
from .test_lsp import next_diagnostics, open_document, start_session

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

# a route in another module runs the checks: only the project model connects it to health.py
ROUTES = '''\
from fastapi import APIRouter

from .health import registry

router = APIRouter(prefix="/health")


@router.get("/ready")
async def ready():
    return await registry.run_all()
'''


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*infralint_command(), "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS.format(timeout=30))
    (package / "health.py").write_text(HEALTH)
    (package / "routes.py").write_text(ROUTES)
    await start_session(lsp_client, tmp_path)
    yield
    await lsp_client.shutdown_session()


async def _diagnostics_until(client: LanguageClient, uri: str, wanted, timeout: float = 20.0) -> list[types.Diagnostic]:
    """Publications of `uri` until one satisfies `wanted` (the first ones may come before the build)."""
    deadline = asyncio.get_running_loop().time() + timeout
    seen = []
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"no publication of {uri} matched; saw {[[d.message for d in s] for s in seen]}")
        diagnostics = await next_diagnostics(client, uri, timeout=remaining)
        seen.append(diagnostics)
        if wanted(diagnostics):
            return diagnostics


async def test_settings_change_refreshes_the_open_health_file(client: LanguageClient, tmp_path: Path):
    health = tmp_path / "app" / "health.py"
    uri = open_document(client, health, HEALTH)
    diagnostics = await _diagnostics_until(client, uri, lambda ds: any(d.code == "INF303" for d in ds))
    (finding,) = [d for d in diagnostics if d.code == "INF303"]
    assert finding.message.startswith("worst case 30.0 s × 2 attempts = 60.0 s > 5.0 s health budget (redis check, line 16)")
    # the editor watches Python files too, so changes made outside it reach the project
    patterns = [w["globPattern"] for r in client.registrations for w in r.register_options["watchers"]]
    from infralint.config import CONFIG_FILE_NAMES
    from infralint.project.members import fact_file_patterns

    # and the deployment configuration the project reads (a probe's deadline in a YAML file), and
    # the files that state a folder's target Python
    settings_files = [*CONFIG_FILE_NAMES, ".ruff.toml", "ruff.toml", ".python-version"]
    assert patterns == [*(f"**/{name}" for name in settings_files), "**/*.py", *(f"**/{p}" for p in fact_file_patterns())]
    assert "**/*.yaml" in patterns and "**/Dockerfile" in patterns

    settings = tmp_path / "app" / "settings.py"
    settings.write_text(SETTINGS.format(timeout=20))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=settings.as_uri(), type=types.FileChangeType.Changed)])
    )
    diagnostics = await _diagnostics_until(client, uri, lambda ds: any("20.0 s × 2 attempts" in d.message for d in ds))
    assert [d.message.split(";")[0] for d in diagnostics if d.code == "INF303"] == [
        "worst case 20.0 s × 2 attempts = 40.0 s > 5.0 s health budget (redis check, line 16)"
    ]


async def test_an_edited_settings_buffer_refreshes_the_open_health_file(client: LanguageClient, tmp_path: Path):
    health_uri = open_document(client, tmp_path / "app" / "health.py", HEALTH)
    await _diagnostics_until(client, health_uri, lambda ds: any("30.0 s × 2" in d.message for d in ds))
    settings = tmp_path / "app" / "settings.py"
    settings_uri = open_document(client, settings, SETTINGS.format(timeout=30))
    await next_diagnostics(client, settings_uri)
    # typed and saved in the editor
    settings.write_text(SETTINGS.format(timeout=12))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=settings_uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=SETTINGS.format(timeout=12))],
        )
    )
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=settings_uri)))
    diagnostics = await _diagnostics_until(client, health_uri, lambda ds: any("12.0 s × 2" in d.message for d in ds))
    assert sorted(d.code for d in diagnostics) == ["INF301", "INF303"]  # both read the timeout from settings.py


async def test_a_route_in_another_module_is_judged_once_the_project_is_built(client: LanguageClient, tmp_path: Path):
    # the registration is reported in health.py (health code); the route reports nothing more,
    # but its handler's description carries the full path composed through the router prefix
    routes_uri = open_document(client, tmp_path / "app" / "routes.py", ROUTES)
    assert await next_diagnostics(client, routes_uri) == []


async def test_the_build_reports_work_done_progress(client: LanguageClient, tmp_path: Path):
    open_document(client, tmp_path / "app" / "routes.py", ROUTES)
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        reports = client.progress_reports.get("infralint-project", [])
        if any(isinstance(r, types.WorkDoneProgressEnd) for r in reports):
            break
        assert asyncio.get_running_loop().time() < deadline, f"no end of progress; got {reports}"
        await asyncio.sleep(0.05)
    begin = reports[0]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.title == "infralint: reading the project"
    assert reports[-1].message == "4 files"


# only a name imported for type checkers: a NameError when the definition runs, before Python 3.14
TYPE_CHECKING_ANNOTATION = (
    "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.models import Event\n\n\n"
    "def matches(event: Event) -> bool:\n    return True\n"
)


async def test_a_folders_new_target_python_refreshes_its_open_files(client: LanguageClient, tmp_path: Path):
    """A `.python-version` written beside an open file changes the Python it is judged for."""
    events = tmp_path / "app" / "events.py"
    events.write_text(TYPE_CHECKING_ANNOTATION)
    uri = open_document(client, events, TYPE_CHECKING_ANNOTATION)
    await _diagnostics_until(client, uri, lambda ds: [d.code for d in ds] == ["INF101"])
    pinned = tmp_path / "app" / ".python-version"
    pinned.write_text("3.14\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=pinned.as_uri(), type=types.FileChangeType.Created)])
    )
    await _diagnostics_until(client, uri, lambda ds: ds == [])
    pinned.write_text("3.13\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=pinned.as_uri(), type=types.FileChangeType.Changed)])
    )
    await _diagnostics_until(client, uri, lambda ds: [d.code for d in ds] == ["INF101"])


def _cli_findings(tmp_path: Path, shown: str) -> list[tuple[str, str]]:
    """What `infralint check` on the whole tree says about one file, for comparison."""
    import json

    from ..conftest import run_infralint

    done = run_infralint("check", "--no-cache", "--format", "json", "--exit-zero", cwd=tmp_path)
    return sorted((f["code"], f["message"]) for f in json.loads(done.stdout) if f["path"] == shown)


def _said(diagnostics: list[types.Diagnostic]) -> list[tuple[str, str]]:
    return sorted((str(d.code), d.message) for d in diagnostics)


async def test_a_package_marker_that_goes_and_comes_back_renames_the_modules(client: LanguageClient, tmp_path: Path):
    """Without `app/__init__.py` the settings module is `settings`, not `app.settings`: the
    findings that quote it say so. The server says what the command line says at each step,
    without a restart."""
    health = tmp_path / "app" / "health.py"
    uri = open_document(client, health, HEALTH)
    with_package = _cli_findings(tmp_path, "app/health.py")
    assert any("from `app.settings`" in message for _, message in with_package)
    await _diagnostics_until(client, uri, lambda ds: _said(ds) == with_package)

    marker = tmp_path / "app" / "__init__.py"
    marker.unlink()
    without_package = _cli_findings(tmp_path, "app/health.py")
    assert any("from `settings`" in message for _, message in without_package)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=marker.as_uri(), type=types.FileChangeType.Deleted)])
    )
    await _diagnostics_until(client, uri, lambda ds: _said(ds) == without_package)

    marker.write_text("")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=marker.as_uri(), type=types.FileChangeType.Created)])
    )
    await _diagnostics_until(client, uri, lambda ds: _said(ds) == with_package)
