"""The language server never lints on its event loop, and an edit supersedes a lint in flight."""

from __future__ import annotations

import threading

import pytest
from lsprotocol import types
from pygls.feature_manager import is_thread_function

from .test_lsp_server import _server_with

SLOW_PATHS = [
    types.TEXT_DOCUMENT_DID_OPEN,
    types.TEXT_DOCUMENT_DID_SAVE,
    types.TEXT_DOCUMENT_HOVER,
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
]


@pytest.mark.parametrize("method", SLOW_PATHS)
def test_every_request_that_lints_runs_on_a_worker_thread(tmp_path, method):
    server, _, _ = _server_with({})
    assert is_thread_function(server.protocol.fm.features[method]), method


def test_an_edit_during_a_lint_supersedes_it(tmp_path):
    uri = (tmp_path / "job.py").as_uri()
    server, published, _ = _server_with({uri: "def f(:\n"})
    real_linter_for = server.configs.linter_for
    linting = threading.Event()

    def edit_arrives_meanwhile(path):
        linting.set()
        server.changes[uri] += 1  # what did_change does on the event loop
        return real_linter_for(path)

    server.configs.linter_for = edit_arrives_meanwhile
    server.publish(uri)
    assert linting.is_set() and uri not in published  # stale diagnostics are never shown
    server.configs.linter_for = real_linter_for
    server.publish(uri)  # the debounced lint of the newer text
    assert [d.code for d in published[uri]] == ["INF001"]


def test_a_closed_document_is_not_published_by_a_lint_still_running(tmp_path):
    uri = (tmp_path / "job.py").as_uri()
    server, published, _ = _server_with({uri: "def f(:\n"})
    real_linter_for = server.configs.linter_for
    close = server.protocol.fm.features[types.TEXT_DOCUMENT_DID_CLOSE]

    def closed_meanwhile(path):
        close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        published.pop(uri, None)  # the empty list did_close itself publishes
        return real_linter_for(path)

    server.configs.linter_for = closed_meanwhile
    server.publish(uri)
    assert uri not in published
