"""One behaviour everywhere: a monorepo with nested configurations, linted through the installed
`infralint` command, the real `flake8` and a real LSP client over stdio, must give the same
findings line for line (path, line, 1-based character column, code, message).

The tree: a root `pyproject.toml` (defaults), `svc/pyproject.toml` lowering the Redis limit and
excluding `generated/`, `tools/infralint.toml` ignoring INF301, and files whose only differences
are where they live. A non-ASCII line before each finding checks the column units.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ..conftest import infralint_command, run_infralint
from .conftest import venv_tool

pytestmark = pytest.mark.integration

REDIS_3S = 'import redis\n\nLABEL = "größe 😋"; client = redis.Redis(socket_timeout=3.0, socket_connect_timeout=1.0)\n'
REDIS_30S = "import redis\nclient = redis.Redis(socket_timeout=30, socket_connect_timeout=1)\n"
FILES = {
    "pyproject.toml": '[project]\nname = "mono"\n\n[tool.infralint]\n',
    "svc/pyproject.toml": '[tool.infralint]\nextend-exclude = ["generated"]\n\n[tool.infralint.timeouts]\nmax-redis-timeout = 1.0\n',
    "svc/a.py": REDIS_3S,  # 3 s > 1 s: flagged under svc's configuration only
    "svc/generated/g.py": REDIS_3S,  # excluded by svc's configuration
    "lib/b.py": REDIS_3S,  # 3 s < 5 s (the root's default): clean
    "tools/infralint.toml": 'ignore = ["INF301"]\n',
    "tools/c.py": REDIS_30S,  # ignored by tools/infralint.toml
    "d.py": REDIS_30S,  # 30 s > 5 s: flagged under the root configuration
}
PYTHON_FILES = sorted(name for name in FILES if name.endswith(".py"))
EXPECTED = [
    ("d.py", 2, 37, "INF301", "`socket_timeout=30.0` on `redis.Redis` lets a stalled server block each call for 30.0 s, over the 5.0 s limit (max-redis-timeout)"),
    ("svc/a.py", 3, 56, "INF301", "`socket_timeout=3.0` on `redis.Redis` lets a stalled server block each call for 3.0 s, over the 1.0 s limit (max-redis-timeout)"),
]
_REPORT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")


def make_monorepo(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def rows(output: str, relative_to: Path, cwd: Path) -> list[tuple]:
    """Report lines as (path relative to the monorepo root, line, column, code, message)."""
    found = []
    for line in output.splitlines():
        match = _REPORT_LINE.match(line)
        assert match, f"not a report line: {line!r}"
        path = (cwd / match["path"]).resolve().relative_to(relative_to.resolve()).as_posix()
        found.append((path, int(match["line"]), int(match["col"]), match["code"], match["message"]))
    return sorted(found)


def cli_rows(root: Path, *args: str, cwd: Path) -> list[tuple]:
    done = run_infralint("check", "--no-cache", "--format", "concise", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr.decode()
    return rows(done.stdout.decode(), root, cwd)


def flake8_rows(root: Path, *args: str, cwd: Path) -> list[tuple]:
    done = subprocess.run([venv_tool("flake8"), "--isolated", "--select", "INF", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1) and not done.stderr, done.stderr
    return rows(done.stdout, root, cwd)


def test_cli_and_flake8_agree_from_every_folder(tmp_path):
    root = make_monorepo(tmp_path / "mono")
    assert cli_rows(root, cwd=root) == EXPECTED
    assert flake8_rows(root, ".", cwd=root) == EXPECTED
    # started elsewhere, each file still uses its own configuration
    assert cli_rows(root, "..", cwd=root / "svc") == EXPECTED
    assert flake8_rows(root, "..", cwd=root / "svc") == EXPECTED
    assert cli_rows(root, str(root), cwd=tmp_path) == EXPECTED
    assert flake8_rows(root, str(root), cwd=tmp_path) == EXPECTED
    # files named one by one: the excluded file named explicitly is linted by both, as before
    named = [f for f in PYTHON_FILES if not f.startswith("svc/generated")]
    assert cli_rows(root, *named, cwd=root) == flake8_rows(root, *named, cwd=root) == EXPECTED


def test_config_option_overrides_every_file(tmp_path):
    root = make_monorepo(tmp_path / "mono")
    found = cli_rows(root, "--config", "svc/pyproject.toml", cwd=root)
    # the 1 s limit now applies everywhere; tools/infralint.toml no longer ignores INF301;
    # `generated` is excluded wherever it is
    assert [(path, code) for path, _, _, code, _ in found] == [
        ("d.py", "INF301"), ("lib/b.py", "INF301"), ("svc/a.py", "INF301"), ("tools/c.py", "INF301")
    ]


def test_dedicated_configuration_file_wins_in_its_folder(tmp_path):
    root = make_monorepo(tmp_path / "mono")
    (root / "svc" / ".infralint.toml").write_text("[timeouts]\nmax-redis-timeout = 10.0\n", encoding="utf-8")
    assert [row[0] for row in cli_rows(root, cwd=root)] == ["d.py"]
    assert [row[0] for row in flake8_rows(root, ".", cwd=root)] == ["d.py"]


# -- the language server --------------------------------------------------------------------------


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*infralint_command(), "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    root = make_monorepo(tmp_path / "mono")

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        """The server asks to watch configuration files; accept."""

    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="mono")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def diagnostics_for(client: LanguageClient, path: Path, timeout: float = 15.0) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    text = path.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    deadline = asyncio.get_running_loop().time() + timeout
    while uri not in client.diagnostics:
        assert asyncio.get_running_loop().time() < deadline, f"no diagnostics published for {path}"
        await asyncio.sleep(0.05)
    return list(client.diagnostics[uri])


def character_column(line: str, utf16_units: int) -> int:
    """An LSP (UTF-16) column as a character column, the way an editor maps it back."""
    units = 0
    for index, char in enumerate(line):
        if units >= utf16_units:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


@pytest.mark.asyncio
async def test_language_server_agrees_with_cli_and_flake8(client: LanguageClient, tmp_path: Path):
    root = tmp_path / "mono"
    found = []
    for name in PYTHON_FILES:
        lines = FILES[name].splitlines()
        for d in await diagnostics_for(client, root / name):
            column = character_column(lines[d.range.start.line], d.range.start.character) + 1
            found.append((name, d.range.start.line + 1, column, d.code, d.message))
    # the excluded svc/generated/g.py gets an empty publication, as the CLI skips it
    assert sorted(found) == EXPECTED


@pytest.mark.asyncio
async def test_disable_for_this_line_adds_noqa(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "mono" / "svc" / "a.py"
    [diagnostic] = await diagnostics_for(client, path)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    [disable] = [a for a in actions if a.title == "Disable INF301 for this line"]
    [change] = disable.edit.document_changes
    [edit] = change.edits
    assert edit.new_text == "  # noqa: INF301" and edit.range.start.line == 2
    lines = FILES["svc/a.py"].splitlines()
    assert edit.range.start.character == len(lines[2].encode("utf-16-le")) // 2  # the end of the line, in UTF-16 units
