"""The pre-commit hooks, run by the real pre-commit against a snapshot of this project.

`pre-commit try-repo` builds the hook environment from scratch (`pip install` of the snapshot, so
network access to PyPI is needed) every time; it is used for the check hook. The fix hook runs
several times, so it goes through `pre-commit run` with a configuration naming the same snapshot
and a pre-commit home shared by this module: the environment is built once.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ..readme_snippets import the_snippet
from .conftest import FIXABLE_CASES, FixableCase, commit_all, git, init_repo, snapshot_project, venv_tool

pytestmark = pytest.mark.integration

BROKEN = 'def upgrade(connection):\n    rows = connection.execute("SELECT 1"\n'


@pytest.fixture(scope="module")
def project_repo(tmp_path_factory) -> Path:
    return snapshot_project(tmp_path_factory.mktemp("project") / "infralint")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1", "SKIP": ""}
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run([venv_tool("pre-commit"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def try_repo(project: Path, hook: str, workdir: Path, *files: str) -> subprocess.CompletedProcess:
    return pre_commit("try-repo", str(project), hook, "--verbose", "--files", *files, cwd=workdir)


def use_hook(workdir: Path, project: Path, hook: str) -> None:
    """A `.pre-commit-config.yaml` that uses one of this project's hooks, as a user would write it."""
    rev = git("rev-parse", "HEAD", cwd=project).strip()
    config = f"repos:\n  - repo: {project}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n"
    (workdir / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")


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
    assert "clean.py:" not in output, output
    assert (work / "migration.py").read_text(encoding="utf-8") == BROKEN  # the check hook never writes


@pytest.mark.parametrize("case", FIXABLE_CASES, ids=str)
def test_fix_hook_rewrites_then_passes(project_repo, pre_commit_home, tmp_path, case: FixableCase):
    case.require()
    work = init_repo(tmp_path / "user-repo")
    target = work / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.text, encoding="utf-8")
    use_hook(work, project_repo, "infralint-fix")
    commit_all(work)

    first = pre_commit("run", "infralint-fix", "--verbose", "--files", case.path, cwd=work, home=pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert "Fixed 1 finding" in first.stdout
    fixed = target.read_text(encoding="utf-8")
    assert case.fixed_marker in fixed and fixed != case.text

    second = pre_commit("run", "infralint-fix", "--verbose", "--files", case.path, cwd=work, home=pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
    assert target.read_text(encoding="utf-8") == fixed


def test_fix_hook_through_try_repo(project_repo, tmp_path):
    """The fix hook exactly as a user would try it: `pre-commit try-repo` twice on one file."""
    case = FIXABLE_CASES[0]
    case.require()
    work = init_repo(tmp_path / "user-repo")
    target = work / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.text, encoding="utf-8")
    commit_all(work)

    first = try_repo(project_repo, "infralint-fix", work, case.path)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = target.read_text(encoding="utf-8")
    assert case.fixed_marker in fixed and fixed != case.text

    second = try_repo(project_repo, "infralint-fix", work, case.path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert target.read_text(encoding="utf-8") == fixed


# -- file names that look like options ---------------------------------------------------------

OPTION_LIKE = "#!/usr/bin/env python3\n" + BROKEN


def _option_like_repo(tmp_path: Path) -> Path:
    """A repository whose files are named like infralint's options: pre-commit passes each name
    as an argument, after the hook's `entry` and `args`."""
    work = init_repo(tmp_path / "user-repo")
    exit_zero = work / "--exit-zero"  # typed python by its shebang and executable bit
    exit_zero.write_text(OPTION_LIKE, encoding="utf-8")
    exit_zero.chmod(0o755)
    (work / "victim.py").write_text("VALUE = 1\n", encoding="utf-8")
    (work / "--output-file=victim.py").write_text("VALUE = 2\n", encoding="utf-8")
    return work


def test_a_file_named_like_an_option_is_linted_not_obeyed(project_repo, pre_commit_home, tmp_path):
    work = _option_like_repo(tmp_path)
    use_hook(work, project_repo, "infralint")
    commit_all(work)
    done = pre_commit("run", "infralint", "--verbose", "--all-files", cwd=work, home=pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output  # `--exit-zero` did not turn the gate green
    assert "--exit-zero:3:" in output and "INF001" in output, output
    assert (work / "victim.py").read_text(encoding="utf-8") == "VALUE = 1\n"  # no report written over it


def test_options_of_the_users_own_end_with_the_separator(project_repo, pre_commit_home, tmp_path):
    work = _option_like_repo(tmp_path)
    use_hook(work, project_repo, "infralint")
    config = work / ".pre-commit-config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "        args: [--ignore, INF001, --]\n", encoding="utf-8")
    commit_all(work)
    done = pre_commit("run", "infralint", "--verbose", "--all-files", cwd=work, home=pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output  # the user's `--ignore` applied, the names were still files
    assert (work / "victim.py").read_text(encoding="utf-8") == "VALUE = 1\n"


# -- the README's snippet -----------------------------------------------------------------------

HOMEPAGE = "https://github.com/infralint/infralint"


@pytest.mark.parametrize("document", ["README.md", "docs/integrations.md"])
def test_the_documented_snippet_works_before_a_release_and_autoupdate_pins_it(project_repo, pre_commit_home, tmp_path, document):
    """The snippet as the documentation writes it, with its URL pointing at a clone of this project:
    it runs as written, and `pre-commit autoupdate` (no tag yet) pins `rev` to the commit."""
    snippet = the_snippet("yaml", HOMEPAGE, document).text
    case = FIXABLE_CASES[0]
    case.require()
    work = init_repo(tmp_path / "user-repo")
    target = work / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.text, encoding="utf-8")
    config = work / ".pre-commit-config.yaml"
    config.write_text(snippet.replace(HOMEPAGE, str(project_repo)), encoding="utf-8")
    commit_all(work)

    first = pre_commit("run", "--all-files", cwd=work, home=pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr  # the fix hook rewrote the file
    assert "did not match" not in first.stdout + first.stderr
    assert case.fixed_marker in target.read_text(encoding="utf-8")

    updated = pre_commit("autoupdate", cwd=work, home=pre_commit_home)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    head = git("rev-parse", "HEAD", cwd=project_repo).strip()
    assert f"rev: {head}" in config.read_text(encoding="utf-8")
    second = pre_commit("run", "--all-files", cwd=work, home=pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "mutable reference" not in second.stdout + second.stderr


# -- a commit that changes deployment configuration only ----------------------------------------


def test_a_commit_that_only_changes_a_probe_runs_the_hook_on_it(project_repo, pre_commit_home, tmp_path):
    """The hook receives YAML (not only Python), and judges it with the whole project: the probe's
    new 4 s deadline is shorter than the 20 s its handler may take (INF603, placed in the YAML).
    The handler's own findings are reported when it is committed, and then agree with the probe."""
    from .test_entry_points import DEPLOYMENT, GENEROUS, HANDLER, TIGHT, make_service

    work = make_service(tmp_path / "svc", GENEROUS)
    use_hook(work, project_repo, "infralint")
    commit_all(work)
    probe = work / "deploy" / "k8s" / "deployment.yaml"

    # the handler alone, staged: its probe allows 60 s, so only the Redis timeout is reported
    (work / "app" / "main.py").write_text(HANDLER + "\n", encoding="utf-8")
    git("add", "app/main.py", cwd=work)
    done = pre_commit("run", "infralint", "--verbose", cwd=work, home=pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "app/main.py:5:" in output and "INF301" in output and "INF303" not in output, output
    commit_all(work)

    # a commit that only changes the probe: the hook runs on the YAML file
    probe.write_text(DEPLOYMENT.format(timeout=TIGHT), encoding="utf-8")
    git("add", "deploy/k8s/deployment.yaml", cwd=work)
    done = pre_commit("run", "infralint", "--verbose", cwd=work, home=pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "deploy/k8s/deployment.yaml:11:" in output and "INF603" in output, output
    assert "gives GET /ready 4 s (timeoutSeconds: 4); its worst case is 20 s" in output, output
    assert "app/main.py" not in output.replace("app/main.py:9)", ""), output  # only the staged file is reported

    # a probe that allows the handler's worst case (30 s for its 20 s): the commit passes
    probe.write_text(DEPLOYMENT.format(timeout=30), encoding="utf-8")
    git("add", "deploy/k8s/deployment.yaml", cwd=work)
    done = pre_commit("run", "infralint", "--verbose", cwd=work, home=pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
