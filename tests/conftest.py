"""Shared test helpers: fixture files with inline expectations, and the installed command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infralint.api import lint_source
from infralint.config import Config, apply_overrides

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

# `# expect: INF101` or `# expect: INF101 "part of the message"`; several separated by `;`
_EXPECT_RE = re.compile(r'#\s*expect(?P<every_path>-all)?:\s*(?P<body>.+)$')
_ONE_RE = re.compile(r'(?P<code>INF\d{3})(?:\s+"(?P<text>[^"]*)")?')


def config_for(select: list[str] | None = None, options: dict | None = None, **overrides) -> Config:
    """A default configuration (no file) with the given codes selected and options set."""
    config = Config(root=ROOT)
    if select is not None:
        apply_overrides(config, select=select)
    for key, value in (options or {}).items():
        group, name = key.split(".", 1)
        config.options[(group, name)] = value
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def expectations(text: str, every_path: bool = False) -> list[tuple[int, str, str | None]]:
    """(line, code, message part) for every `# expect:` marker in a fixture, and with `every_path` also
    for every `# expect-all:` one (a finding reported only with `possibly-unbound = "all"`)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT_RE.search(line)
        if not match or (match.group("every_path") and not every_path):
            continue
        for one in _ONE_RE.finditer(match.group("body")):
            found.append((number, one.group("code"), one.group("text")))
    return found


def assert_fixture(path: Path, select: list[str], *, display_path: str | None = None, options: dict | None = None):
    """Lint a fixture and compare with its inline markers: every marker found, nothing else reported."""
    text = path.read_text(encoding="utf-8")
    shown = display_path or path.relative_to(ROOT).as_posix()
    findings = lint_source(text, shown, config_for(select, options))
    expected = expectations(text, every_path=(options or {}).get("scope.possibly-unbound") == "all")
    got = [(f.line, f.code) for f in findings]
    missing = [(line, code) for line, code, _ in expected if (line, code) not in got]
    unexpected = [(f.line, f.code, f.message) for f in findings if (f.line, f.code) not in {(l, c) for l, c, _ in expected}]
    assert not missing and not unexpected, f"{shown}: missing {missing}, unexpected {unexpected}"
    for line, code, part in expected:
        if part:
            messages = [f.message for f in findings if f.line == line and f.code == code]
            assert any(part in m for m in messages), f"{shown}:{line}: {code} message {messages} lacks {part!r}"
    return findings


#: the test being run, while it runs (for `require_integration_marker`)
_running: dict[str, pytest.Item] = {}


@pytest.fixture(autouse=True)
def _markers_match_what_the_test_does(request):
    """The fast subset (`-m "not slow and not integration"`) stays in-process and quick: a property
    test must be marked `slow`, and a test that starts a real program `integration`
    (`require_integration_marker`, called where such programs are started)."""
    node = request.node
    if getattr(getattr(node, "obj", None), "is_hypothesis_test", False) and node.get_closest_marker("slow") is None:
        pytest.fail(f"{node.nodeid} is a property test: mark it `slow`")
    _running["test"] = node
    yield
    _running.pop("test", None)


def require_integration_marker(program: str) -> None:
    """Fail the running test unless it is marked `integration`: it starts `program`."""
    node = _running.get("test")
    if node is not None and node.get_closest_marker("integration") is None:
        pytest.fail(f"{node.nodeid} starts {program}: mark it `integration`")


def infralint_command() -> list[str]:
    """The installed console script (never the source tree's module by path)."""
    require_integration_marker("the installed `infralint` command")
    exe = shutil.which("infralint", path=os.path.dirname(sys.executable)) or shutil.which("infralint")
    if exe is None:
        pytest.fail("the `infralint` command is not installed in this environment")
    return [exe]


def run_infralint(*args: str, cwd: Path | None = None, stdin: str | bytes | None = None, env: dict | None = None):
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [*infralint_command(), *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=300,
    )
