"""The machine is finite: a hostile file (an alias bomb, a huge or minified file) costs bounded
time and memory, becomes a finding or a one-line warning for its path, and the run goes on.

Each run is given an address-space limit and a timeout: both only guard the machine should a
bound be lost (the run would then fail, not exhaust the host); neither is what is asserted.
"""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from ..conftest import infralint_command

pytestmark = pytest.mark.integration

MEMORY_GUARD = 3 * 1024**3
CLEANUP_IMPORT = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"


def _guarded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_GUARD, MEMORY_GUARD))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*infralint_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=300, preexec_fn=_guarded, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    )


def warnings_of(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("infralint: warning:")]


def alias_bomb(levels: int = 10, fan_out: int = 10) -> str:
    lines = ["kind: Deployment", "a0: &a0 [" + ", ".join(["x"] * fan_out) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan_out) + "]" for i in range(1, levels)]
    return "\n".join([*lines, f"spec: *a{levels - 1}"]) + "\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "db.py").write_text(CLEANUP_IMPORT)
    return root


@pytest.mark.parametrize(
    "name, text, said",
    [
        ("bomb.yaml", alias_bomb(), "bomb.yaml:7: YAML file not read: more than 200000 nodes once its aliases are expanded"),
        ("loop.yaml", "kind: Deployment\nspec: &s\n  containers:\n  - *s\n", "loop.yaml:2: YAML file not read: it holds itself through an alias"),
    ],
    ids=["alias-bomb", "self-alias"],
)
def test_a_yaml_alias_bomb_is_a_warning_and_the_run_goes_on(tree, name, text, said):
    (tree / name).write_text(text)
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    assert proc.stdout.startswith("db.py:5:9: INF201 "), proc.stdout + proc.stderr
    assert [w for w in warnings_of(proc) if said in w], proc.stderr
    assert proc.returncode == 1


def test_shared_aliases_below_the_bound_are_read_without_a_word(tree):
    """Anchors a real manifest shares (one env block merged into each container) are no bomb."""
    (tree / "deploy.yaml").write_text(alias_bomb(levels=3))
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    assert warnings_of(proc) == [] and proc.returncode == 1, proc.stderr


def test_a_python_file_past_the_size_limit_is_one_finding_and_never_parsed(tree):
    rows = ", ".join(str(n % 997) for n in range(1_300_000))  # one dense line: gigabytes as a tree
    (tree / "table.py").write_text(f"TABLE = [{rows}]\n")
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("db.py:5:9: INF201 "), proc.stdout + proc.stderr
    assert lines[1].startswith("table.py:1:1: INF002 file cannot be read: 6.4 MB,") and "larger than the 5 MB limit for Python files" in lines[1], lines
    assert proc.returncode == 1 and "internal error" not in proc.stderr


def test_a_long_module_under_the_limit_is_linted(tree):
    (tree / "data.py").write_text('BLOB = """' + "x" * 4_000_000 + '"""\n' + CLEANUP_IMPORT.replace("close", "drop"))
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    assert [line.split(" ")[0] for line in proc.stdout.splitlines() if " INF" in line] == ["data.py:6:9:", "db.py:5:9:"], proc.stdout


# -- browser sources: read only when the WebSocket rules run, never when vendored or minified ---------

WEBSOCKET_PROJECT = Path(__file__).parents[1] / "rules" / "websocket" / "fixtures" / "projects" / "mismatch"


@pytest.fixture
def websocket_project(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(WEBSOCKET_PROJECT, root)
    return root


def client_findings(proc) -> list[str]:
    return [line for line in proc.stdout.splitlines() if "web/" in line]


def test_a_readable_client_is_joined(websocket_project):
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=websocket_project)
    assert len(client_findings(proc)) == 3, proc.stdout + proc.stderr


@pytest.mark.parametrize("how", ["minified", "min-name", "vendor-folder"])
def test_a_minified_or_vendored_client_is_not_read(websocket_project, how):
    source = websocket_project / "web" / "feed.js"
    text = source.read_text()
    if how == "minified":
        source.write_text(text.replace("\n", " ") + "/*" + "x" * 30_000 + "*/\n")
    elif how == "min-name":
        source.rename(source.with_name("feed.min.js"))
    else:
        (websocket_project / "web" / "vendor").mkdir()
        source.rename(websocket_project / "web" / "vendor" / "feed.js")
    proc = run("check", "--no-cache", "--format", "concise", ".", cwd=websocket_project)
    assert client_findings(proc) == [] and "internal error" not in proc.stderr, proc.stdout + proc.stderr


def test_browser_sources_are_not_parsed_unless_the_websocket_rules_run(websocket_project, tmp_path):
    """A stand-in tree-sitter first on the path records being imported (then fails as a missing
    one would): a run without INF5 must never get that far."""
    fake = tmp_path / "site" / "tree_sitter"
    fake.mkdir(parents=True)
    marker = tmp_path / "imported"
    (fake / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError('stand-in')\n")
    env_args = ("check", "--no-cache", "--format", "concise", ".")
    for select, imported in (("INF3", False), ("INF5", True)):
        proc = subprocess.run(
            [*infralint_command(), *env_args, "--select", select], cwd=websocket_project, capture_output=True, text=True, timeout=300,
            preexec_fn=_guarded, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(fake.parent)},
        )
        assert marker.exists() == imported, (select, proc.stdout, proc.stderr)
