"""Multi-file fixtures: lint a copy of a fixture tree the way `infralint check .` does (discovery,
both phases), and compare every file's findings with its inline `# expect:` markers."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from infralint.analysis import project_modules
from infralint.discovery import discover
from infralint.engine import lint_files
from infralint.finding import Finding

from ..conftest import config_for, expectations


@dataclass
class LintedProject:
    root: Path  # the copy that was linted; finding paths are relative to it
    files: list[Path]  # as discovery listed them, relative to `root`
    findings: list[Finding]
    errors: list[str]


def lint_project_fixture(folder: Path, workdir: Path, select: list[str], options: dict | None = None, *, jobs: int = 1, **overrides) -> LintedProject:
    """Copy `folder` to `workdir` and lint the copy from inside it, with it as the project root.

    Fixtures live under `tests/`, which rules treat as test code: the copy is what makes them
    ordinary application files. The working directory is restored afterwards.
    """
    root = workdir / folder.name
    shutil.copytree(folder, root)
    config = config_for(select, options, **overrides)
    config.root = root
    project_modules.clear_cache()  # module lookups are memoised per process, by path
    previous = os.getcwd()
    os.chdir(root)
    try:
        files = discover([Path(".")], config)
        results = list(lint_files(files, config, jobs=jobs))
    finally:
        os.chdir(previous)
        project_modules.clear_cache()
    findings = [f for r in results for f in r.findings]
    return LintedProject(root, files, findings, [e for r in results for e in r.errors])


def assert_project_fixture(folder: Path, select: list[str], workdir: Path, options: dict | None = None, *, jobs: int = 1, **overrides) -> list[Finding]:
    """Every `# expect:` marker of every file (Python or not) reported at its line with its
    message part, nothing else reported, and no file's run ended in an error."""
    linted = lint_project_fixture(folder, workdir, select, options, jobs=jobs, **overrides)
    assert not linted.errors, linted.errors
    expected = []
    for file in sorted(p for p in linted.root.rglob("*") if p.is_file()):
        shown = file.relative_to(linted.root).as_posix()
        text = file.read_text(encoding="utf-8", errors="replace")
        expected.extend((shown, line, code, part) for line, code, part in expectations(text))
    got = {(f.path, f.line, f.code) for f in linted.findings}
    wanted = {(path, line, code) for path, line, code, _ in expected}
    missing = sorted(wanted - got)
    unexpected = sorted((f.path, f.line, f.code, f.message) for f in linted.findings if (f.path, f.line, f.code) not in wanted)
    problems = [f"missing {missing}"] if missing else []
    problems += [f"unexpected {unexpected}"] if unexpected else []
    for path, line, code, part in expected:
        messages = [f.message for f in linted.findings if (f.path, f.line, f.code) == (path, line, code)]
        if part and messages and not any(part in m for m in messages):
            problems.append(f"{path}:{line}: {code} message {messages} lacks {part!r}")
    assert not problems, "\n".join(problems)
    return linted.findings
