"""Every malformed `[tool.infralint]` value ends the run with exit code 2 and a one-line message."""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from infralint import cli
from infralint.catalog import all_options, load_catalog
from infralint.config import TOP_LEVEL_KEYS

from ..conftest import run_infralint

CODE_LISTS = ("select", "extend-select", "ignore")
PATTERN_LISTS = ("exclude", "extend-exclude")
KNOWN = sorted(load_catalog())
GROUPS = sorted({group for group, _ in all_options()})

scalars = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=10),
    st.sampled_from(["INF", "INF1", "inf101", " INF3 ", "INF999", "E501", "", "*", "**/x.py"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def selects_a_rule(code) -> bool:
    return isinstance(code, str) and code.strip().upper().startswith("INF") and any(k.startswith(code.strip().upper()) for k in KNOWN)


def option_value_ok(kind: str, value) -> bool:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return numeric and isinstance(value, int) and value >= 0
    if kind in ("float", "number"):
        return numeric and not math.isnan(value) and value >= 0
    if kind == "str":
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def is_valid(key: str, value) -> bool:
    """An independent statement of what the configuration accepts."""
    if key in CODE_LISTS:
        return isinstance(value, list) and all(selects_a_rule(v) for v in value)
    if key in PATTERN_LISTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if key == "respect-gitignore":
        return isinstance(value, bool)
    if key == "per-file-ignores":
        return isinstance(value, dict) and all(isinstance(c, list) and all(selects_a_rule(x) for x in c) for c in value.values())
    if key in GROUPS:
        known = {name: opt for (g, name), opt in all_options().items() if g == key}
        return isinstance(value, dict) and all(n in known and option_value_ok(known[n].type, v) for n, v in value.items())
    return False  # an unknown key


def option_tables():
    """A group table holding one of its options (or a stranger) with any value."""
    def table(group):
        names = sorted(name for g, name in all_options() if g == group)
        return st.dictionaries(st.sampled_from(names) | st.text(max_size=8), values, min_size=1, max_size=2)

    return st.sampled_from(GROUPS).flatmap(lambda g: st.tuples(st.just(g), table(g) | values))


entries = st.one_of(
    st.tuples(st.sampled_from(sorted(TOP_LEVEL_KEYS)), values),
    st.tuples(st.sampled_from(["per-file-ignores"]), st.dictionaries(st.text(max_size=8), values, max_size=2)),
    option_tables() if GROUPS else st.nothing(),
    st.tuples(st.text(min_size=1, max_size=12), values),  # unknown keys, newlines and quotes included
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()) + "}"


def run_with_config(text: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "pyproject.toml"
        config.write_text(text, encoding="utf-8")
        target = Path(folder) / "a.py"
        target.write_text("x = 1\n")
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["check", "--no-cache", "--jobs", "1", "--config", str(config), str(target)])
    return code, stderr.getvalue()


def assert_one_line_error(code: int, stderr: str, text: str) -> None:
    lines = stderr.strip().splitlines()
    assert code == 2, f"exit {code} for:\n{text}\nstderr: {stderr}"
    assert len(lines) == 1 and lines[0].startswith("infralint: error: "), f"not one line for:\n{text}\n{stderr!r}"
    assert "Traceback" not in stderr and "internal error" not in stderr


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(entry=entries)
def test_malformed_value_is_one_line_and_exit_2(entry):
    key, value = entry
    assume(not is_valid(key, value))
    text = f"[tool.infralint]\n{json.dumps(key, ensure_ascii=False)} = {toml_value(value)}\n"
    assert_one_line_error(*run_with_config(text), text)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(garbage=st.text(min_size=1, max_size=40))
def test_broken_toml_is_one_line_and_exit_2(garbage):
    text = f"[tool.infralint]\nselect = [{garbage}\n"
    assert_one_line_error(*run_with_config(text), text)


@pytest.mark.integration
@pytest.mark.parametrize(
    "body",
    [
        "select = 'INF101'",
        "select = ['INF9']",
        "respect-gitignore = 'yes'",
        "per-file-ignores = {'a.py' = 'INF101'}",
        '"un\\nknown" = 1',
    ]
    + [f"[tool.infralint.{group}]\n{name} = -1" for group, name in sorted(all_options())[:3]],
)
def test_installed_command_exits_2_with_one_line(tmp_path, body):
    (tmp_path / "pyproject.toml").write_text(f"[tool.infralint]\n{body}\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    proc = run_infralint("check", "--no-cache", "a.py", cwd=tmp_path)
    stderr = proc.stderr.decode()
    assert proc.returncode == 2 and len(stderr.strip().splitlines()) == 1 and stderr.startswith("infralint: error: "), stderr
