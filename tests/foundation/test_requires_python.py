"""A project that declares a newer Python than the one running infralint: its newer syntax is
reported as "needs Python 3.N syntax", and the run says once how to lint it properly."""

from __future__ import annotations

import sys

import pytest

from infralint.config import load_config, parse_requires_python
from infralint.engine import Linter

from ..conftest import run_infralint

NEXT = (sys.version_info[0], sys.version_info[1] + 1)


@pytest.mark.parametrize(
    "spec, bound",
    [
        (">=3.12", (3, 12)),
        (">= 3.10, <4", (3, 10)),
        ("~=3.11.2", (3, 11)),
        ("==3.12.*", (3, 12)),
        (">3.9,>=3.11", (3, 11)),
        ("<4", None),
        ("", None),
    ],
)
def test_lower_bound_of_requires_python(spec, bound):
    assert parse_requires_python(spec) == bound


def project(tmp_path, requires: str, code: str):
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "p"\nrequires-python = "{requires}"\n\n[tool.infralint]\n', encoding="utf-8")
    (tmp_path / "new.py").write_text(code, encoding="utf-8")
    (tmp_path / "also_new.py").write_text(code, encoding="utf-8")
    return tmp_path


def test_newer_project_syntax_is_not_called_a_syntax_error(tmp_path):
    root = project(tmp_path, f">={NEXT[0]}.{NEXT[1]}", "def f(:\n")
    config = load_config(start=root)
    assert config.requires_python == NEXT and config.needs_newer_python()
    [finding] = Linter(config).lint_text("def f(:\n", "new.py").findings
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    wanted = f"{NEXT[0]}.{NEXT[1]}"
    assert finding.code == "INF001"
    assert finding.message == (
        f"needs Python {wanted} syntax: Python {running} cannot parse it (invalid syntax); "
        f"lint it with infralint installed under Python {wanted}"
    )


def test_a_project_for_this_python_keeps_the_syntax_error_wording(tmp_path):
    root = project(tmp_path, ">=3.8", "def f(:\n")
    [finding] = Linter(load_config(start=root)).lint_text("def f(:\n", "new.py").findings
    assert finding.message == "file does not parse: invalid syntax; importing it raises SyntaxError"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="PEP 695 syntax parses on this Python")
def test_cli_says_it_once(tmp_path):
    root = project(tmp_path, ">=3.12", "type Vector = list[float]\n")
    done = run_infralint("check", "--no-cache", "--format", "concise", cwd=root)
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 2 and all("INF001 needs Python 3.12 syntax: Python 3.11 cannot parse it" in line for line in lines)
    notes = [line for line in done.stderr.decode().splitlines() if line.startswith("infralint: note:")]
    assert notes == [
        "infralint: note: this project requires Python ≥ 3.12; infralint runs on 3.11 — install it under 3.12 "
        "(2 files reported as needing Python 3.12 syntax)"
    ]
