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
