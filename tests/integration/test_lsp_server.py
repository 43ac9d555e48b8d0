"""The language server's own logic, in process: position encodings and failure isolation."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec, Workspace

from infralint.config import Config
from infralint.finding import Edit, Finding
from infralint.integrations.lsp import PositionMapper, build_server

UTF16 = PositionCodec(types.PositionEncodingKind.Utf16).client_num_units
UTF8 = PositionCodec(types.PositionEncodingKind.Utf8).client_num_units


def finding_at(line: int, col: int, end_col: int) -> Finding:
    return Finding("INF001", "syntax-error", "m", "x.py", line, col, line, end_col)


def test_finding_columns_are_characters_and_become_client_units():
    text = 'x = 1\nlabel = "😋é" + name\n'
    line = text.splitlines()[1]
    char_col = line.index("name")
    byte_col = len(line[:char_col].encode("utf-8"))
    finding = finding_at(2, char_col, char_col + 4)
    utf16 = PositionMapper(text, UTF16).finding_range(finding)
    # 😋 is two UTF-16 units, é one: the name starts at character 15, UTF-16 unit 16
    assert (utf16.start.line, utf16.start.character, utf16.end.character) == (1, 16, 20)
    utf8 = PositionMapper(text, UTF8).finding_range(finding)
    assert (utf8.start.character, utf8.end.character) == (byte_col, byte_col + 4)


def test_edit_columns_are_characters_and_lines_split_like_python():
    text = "a = 1\r\nb = '😋'\rc = 3\x0cd\n"
    mapper = PositionMapper(text, UTF16)
    edit = mapper.text_edit(Edit(2, 7, 3, 0, "X"))
    assert (edit.range.start.line, edit.range.start.character) == (1, 8)
    assert (edit.range.end.line, edit.range.end.character) == (2, 0)
    # an insertion after the last line lands at the end of the document
    end = mapper.text_edit(Edit(5, 0, 5, 0, "import os\n"))
    assert end.range.start == types.Position(line=4, character=0)


def _server_with(documents: dict[str, str]):
    server = build_server()
    server.protocol._workspace = Workspace(None)
    for uri, text in documents.items():
        server.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
        server.tracked.add(uri)
    published: dict[str, list] = {}
    logged: list[str] = []
    server.text_document_publish_diagnostics = lambda params: published.__setitem__(params.uri, params.diagnostics)
    server.window_log_message = lambda params: logged.append(params.message)
    return server, published, logged


def test_a_failure_in_one_document_does_not_stop_the_others(tmp_path):
    bad, good = (tmp_path / "bad.py").as_uri(), (tmp_path / "good.py").as_uri()
    server, published, logged = _server_with({bad: "x = 1\n", good: "def f(:\n"})
    real = server.configs.linter_for

    class Broken:
        linter = type("BrokenLinter", (), {"config": Config(), "lint_text": lambda *a, **k: 1 / 0})()
        error = None

    def linter_for(path):
        return Broken if path is not None and path.name == "bad.py" else real(path)

    server.configs.linter_for = linter_for
    server.republish_all()
    assert bad not in published
    assert any("ZeroDivisionError" in m and "bad.py" in m for m in logged)
    assert [d.code for d in published[good]] == ["INF001"]


def test_code_actions_failure_answers_with_no_actions(tmp_path):
    uri = (tmp_path / "x.py").as_uri()
    server, _, logged = _server_with({uri: "x = 1\n"})

    def explode(params):
        raise RuntimeError("boom")

    server.code_actions = explode
    handler = server.protocol.fm.features[types.TEXT_DOCUMENT_CODE_ACTION]
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[]),
    )
    assert handler(params) == []
    assert any("boom" in m for m in logged)


def test_disable_for_this_line_edits():
    from infralint.fixes.edits import apply_edits
    from infralint.integrations.lsp_noqa import noqa_edit

    def disabled(text: str, line: int, code: str) -> str | None:
        edit = noqa_edit(text, line, code)
        return None if edit is None else apply_edits(text, [edit])

    assert disabled("x = name   \ny = 2\n", 1, "INF101") == "x = name  # noqa: INF101\ny = 2\n"
    assert disabled("x = name  # noqa: INF102\n", 1, "INF101") == "x = name  # noqa: INF102,INF101\n"
    assert disabled("x = name  # keep this\n", 1, "INF101") == "x = name  # keep this  # noqa: INF101\n"
    assert disabled("x = name  # noqa\n", 1, "INF101") is None  # already suppresses everything
    # the line ends inside a string: a comment cannot go there
    assert disabled('x = f"""{name}\n"""\n', 1, "INF101") is None
    assert disabled("a = 1\r\nx = name\r\n", 2, "INF101") == "a = 1\r\nx = name  # noqa: INF101\r\n"
    # a syntax error, an undecodable file, an unused noqa: a noqa comment would not silence them
    assert disabled("def f(:\n", 1, "INF001") is None
    assert disabled("x = 1  # noqa: INF101\n", 1, "INF003") is None
