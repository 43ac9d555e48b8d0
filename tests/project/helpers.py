"""Multi-file fixtures: lint a whole folder through the engine's two phases, compare with markers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from infralint.analysis import project_modules
from infralint.engine import lint_files

from ..conftest import config_for, expectations


def assert_project_fixture(folder: Path, select: list[str], workdir: Path, options: dict | None = None, jobs: int = 1) -> list:
    """Every `# expect:` marker of every file found at its line, nothing else reported.

    The folder is copied to `workdir` (fixtures live under `tests/`, which rules treat as test
    code) and linted from there with relative paths, as `infralint check .` would.
    """
    project_modules.clear_cache()
    copy = workdir / folder.name
    shutil.copytree(folder, copy)
    previous = os.getcwd()
    os.chdir(copy)
    try:
        files = sorted(p.relative_to(copy) for p in copy.rglob("*.py"))
        shown = {f: f.as_posix() for f in files}
        results = list(lint_files(files, config_for(select, options), jobs=jobs))
    finally:
        os.chdir(previous)
        project_modules.clear_cache()
    files = [copy / f for f in files]
    shown = {copy / f: s for f, s in shown.items()}
    problems = []
    findings = []
    for file, result in zip(files, results):
        assert not result.errors, result.errors
        expected = expectations(file.read_text(encoding="utf-8"))
        got = [(f.line, f.code) for f in result.findings]
        findings.extend(result.findings)
        missing = [(line, code) for line, code, _ in expected if (line, code) not in got]
        unexpected = [(f.line, f.code, f.message) for f in result.findings if (f.line, f.code) not in {(l, c) for l, c, _ in expected}]
        if missing or unexpected:
            problems.append(f"{shown[file]}: missing {missing}, unexpected {unexpected}")
        for line, code, part in expected:
            messages = [f.message for f in result.findings if f.line == line and f.code == code]
            if part and messages and not any(part in m for m in messages):
                problems.append(f"{shown[file]}:{line}: {code} message {messages} lacks {part!r}")
    assert not problems, "\n".join(problems)
    return findings
