"""The pre-commit hooks, run by the real `pre-commit try-repo` against a snapshot of this project.

Each `try-repo` builds the hook environment from scratch (`pip install` of the snapshot), so these
tests need network access to PyPI and take a while; both hooks are built in one module-wide run
where possible.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import commit_all, init_repo, require_rule, snapshot_project, venv_tool

pytestmark = pytest.mark.integration

BROKEN = 'def upgrade(connection):\n    rows = connection.execute("SELECT 1"\n'
# INF101: `time` is used but never imported; the safe fix adds `import time`
FIXABLE = 'def elapsed(start):\n    return time.time() - start\n'


@pytest.fixture(scope="module")
def project_repo(tmp_path_factory) -> Path:
    return snapshot_project(tmp_path_factory.mktemp("project") / "infralint")


def try_repo(project: Path, hook: str, workdir: Path, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1", "SKIP": ""}
    return subprocess.run(
        [venv_tool("pre-commit"), "try-repo", str(project), hook, "--verbose", "--files", *files],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_check_hook_fails_with_the_finding(project_repo, tmp_path):
    work = init_repo(tmp_path / "user-repo")
    (work / "migration.py").write_text(BROKEN, encoding="utf-8")
    (work / "clean.py").write_text("VALUE = 1\n", encoding="utf-8")
    commit_all(work)

    done = try_repo(project_repo, "infralint", work, "migration.py", "clean.py")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in output
    assert "migration.py:2:" in output and "INF001" in output, output
    assert "clean.py" not in output.split("Using config")[-1].replace("--files", ""), output
    assert (work / "migration.py").read_text(encoding="utf-8") == BROKEN  # the check hook never writes


def test_fix_hook_rewrites_then_passes(project_repo, tmp_path):
    require_rule("INF101")
    work = init_repo(tmp_path / "user-repo")
    target = work / "timing.py"
    target.write_text(FIXABLE, encoding="utf-8")
    commit_all(work)

    first = try_repo(project_repo, "infralint-fix", work, "timing.py")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = target.read_text(encoding="utf-8")
    assert "import time" in fixed and fixed != FIXABLE

    second = try_repo(project_repo, "infralint-fix", work, "timing.py")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
    assert target.read_text(encoding="utf-8") == fixed
