"""One odd file never stops or hangs the run: it becomes a finding or a one-line warning for its
path, and every other file is still linted (and fixed)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from infralint import cli
from infralint.cache import CACHE_DIR_NAME, ResultCache, decode_cache_file, encode_cache_file
from infralint.cache_key import cache_key
from infralint.commands import check
from infralint.config import Config

from ..conftest import run_infralint

FINDING = "def close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"
NEEDS_IMPORT = "def elapsed(start):\n    return time.time() - start\n"


def concise(proc) -> list[str]:
    return proc.stdout.decode().splitlines()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "good.py").write_text(FINDING)
    return root


@pytest.mark.integration
@pytest.mark.parametrize("named", [False, True], ids=["walked", "named"])
def test_a_fifo_named_like_a_module_does_not_block(tree, named):
    os.mkfifo(tree / "pipe.py")
    os.mkfifo(tree / "pytest.ini")  # a configuration file some rules read
    os.mkfifo(tree / "settings.py")  # a module whose constants another file imports
    (tree / "cache.py").write_text("import redis\nfrom settings import TIMEOUT\n\nclient = redis.Redis(socket_timeout=TIMEOUT)\n")
    paths = ["pipe.py", "good.py"] if named else ["."]
    proc = run_infralint("check", "--no-cache", "--format", "concise", *paths, cwd=tree)  # a hang times out
    lines = concise(proc)
    assert "pipe.py:1:1: INF002 file cannot be read: a FIFO (named pipe), not a regular file" in lines, lines
    assert any(line.startswith("good.py:5:") for line in lines), lines
    assert proc.returncode == 1 and b"internal error" not in proc.stderr


@pytest.mark.integration
@pytest.mark.parametrize("how", ["walked", "named", "named absolute"])
def test_a_symlink_loop_is_one_finding(tree, how):
    (tree / "loop.py").symlink_to("loop.py")
    (tree / "a.py").symlink_to("b.py")
    (tree / "b.py").symlink_to("a.py")
    names = ["loop.py", "a.py", "good.py"]
    paths = {"walked": ["."], "named": names, "named absolute": [str(tree / n) for n in names]}[how]
    proc = run_infralint("check", "--no-cache", "--format", "concise", *paths, cwd=tree)
    lines = concise(proc)
    for name in ("loop.py", "a.py"):
        assert f"{name}:1:1: INF002 file cannot be read: symbolic link loop" in lines, lines
    assert any(line.startswith("good.py:5:") for line in lines), lines
    assert proc.returncode == 1 and b"internal error" not in proc.stderr, proc.stderr.decode()


@pytest.mark.integration
def test_a_tree_deeper_than_the_recursion_limit():
    depth = 1100  # os.walk (3.11) recursed once per level, past the default limit of 1000; under PATH_MAX
    # outside pytest's tmp_path: its clean-up (shutil.rmtree) recurses per level and would crash
    # on this tree in a later session if this one were interrupted
    tree = Path(tempfile.mkdtemp(prefix="infralint-deep-"))
    folders = [tree]
    try:
        (tree / "good.py").write_text(FINDING)
        for _ in range(depth):  # one at a time: Path.mkdir(parents=True) itself recurses
            folders.append(folders[-1] / "d")
            folders[-1].mkdir()
        (folders[-1] / "deep.py").write_text(FINDING)
        proc = run_infralint("check", "--no-cache", "--format", "concise", ".", cwd=tree)
        lines = concise(proc)
        assert any(line.startswith("d/" * depth + "deep.py:5:") for line in lines), proc.stderr.decode()[-500:]
        assert proc.returncode == 1
    finally:
        (folders[-1] / "deep.py").unlink(missing_ok=True)
        (tree / "good.py").unlink(missing_ok=True)
        for folder in reversed(folders):  # bottom-up, without recursion
            folder.rmdir()


def test_a_file_removed_between_linting_and_fixing(tmp_path, monkeypatch):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(NEEDS_IMPORT)
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\nselect = ['INF101']\nrespect-gitignore = false\n")
    real_lint_files = check.lint_files

    def lint_then_delete(*args, **kwargs):
        results = list(real_lint_files(*args, **kwargs))
        # removed (a branch switch, a cleanup job) while infralint runs; the run lints again after fixing
        (tmp_path / "b.py").unlink(missing_ok=True)
        return iter(results)

    monkeypatch.setattr(check, "lint_files", lint_then_delete)
    stderr = io.StringIO()
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["check", "--no-cache", "--jobs", "1", "--fix"])
    assert "b.py: not fixed: no such file (it was removed or renamed)" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue() and "internal error" not in stderr.getvalue()
    assert (tmp_path / "a.py").read_text().startswith("import time\n")
    assert (tmp_path / "c.py").read_text().startswith("import time\n")
    assert code == 1  # b.py's finding stands


# -- the result cache --------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("content", ["[]", "null", '{"path": {}}', '{"%s": {"digest": 1, "findings": "x"}}', '{"%s": {"digest": "d", "stat": "s", "findings": []}}', "[" * 100000])
def test_a_cache_file_of_the_wrong_shape_is_discarded(tree, content):
    config = Config(root=tree)
    cache = ResultCache(tree, config.fingerprint(), False)
    (tree / CACHE_DIR_NAME).mkdir()
    cache.file.write_text(content.replace("%s", str((tree / "good.py").resolve())))
    for _ in range(2):
        proc = run_infralint("check", "--format", "concise", ".", cwd=tree)
        assert proc.returncode == 1, proc.stderr.decode()
        assert proc.stderr == b""
        assert any(line.startswith("good.py:5:") for line in concise(proc))
    assert isinstance(json.loads(cache.file.read_text()), dict)


@pytest.mark.integration
def test_an_entry_whose_findings_are_damaged_is_linted_again(tree):
    run_infralint("check", ".", cwd=tree)
    (cache_file,) = (tree / CACHE_DIR_NAME).glob("*.json")
    key = cache_key()
    entries = decode_cache_file(key, cache_file.name, cache_file.read_bytes())
    for entry in entries.values():
        entry["findings"] = [{"code": "INF201"}]  # valid JSON, missing every other field
    cache_file.write_bytes(encode_cache_file(key, cache_file.name, entries))  # signed: only the shape is wrong
    proc = run_infralint("check", "--format", "concise", ".", cwd=tree)
    assert proc.returncode == 1 and proc.stderr == b"", proc.stderr.decode()
    assert any(line.startswith("good.py:5:") for line in concise(proc))


def test_the_cache_is_keyed_on_the_interpreter(tree):
    """A 3.11 run's INF001 for 3.12 syntax must not be served to a 3.12 run of the same tree."""
    cache = ResultCache(tree, Config(root=tree).fingerprint(), False)
    tag = f"{sys.implementation.name}{sys.version_info.major}.{sys.version_info.minor}"
    assert f"-{tag}-" in cache.file.name


# -- messages with words ------------------------------------------------------------------------


@pytest.mark.integration
def test_a_utf16_file_says_so(tree):
    (tree / "wide.py").write_bytes("x = 1\n".encode("utf-16"))
    (tree / "wide_be.py").write_bytes("x = 1\n".encode("utf-16-be"))
    proc = run_infralint("check", "--no-cache", "--format", "concise", "wide.py", "wide_be.py", cwd=tree)
    expected = (
        "INF002 file cannot be decoded: the file is UTF-16 text; Python source must be UTF-8 or use an "
        "ASCII-compatible encoding declared in a coding comment; importing it raises SyntaxError"
    )
    assert concise(proc) == [f"wide.py:1:1: {expected}", f"wide_be.py:1:1: {expected}"]


@pytest.mark.integration
def test_a_binary_file_is_still_called_binary(tree):
    (tree / "blob.py").write_bytes(b"x = 1\n\x00\x01\x02\xff")
    proc = run_infralint("check", "--no-cache", "--format", "concise", "blob.py", cwd=tree)
    assert "binary file (NUL byte)" in proc.stdout.decode()


@pytest.mark.integration
def test_output_file_naming_a_folder(tree):
    (tree / "out").mkdir()
    proc = run_infralint("check", "--no-cache", "--output-file", "out", ".", cwd=tree)
    assert proc.returncode == 2
    assert proc.stderr.decode() == "infralint: error: out: cannot write the report: is a folder, not a file\n"


# -- configuration errors name what is wrong -----------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("how", ["discovered", "--config"])
def test_a_configuration_that_is_not_utf8_is_an_error(tree, how):
    (tree / "pyproject.toml").write_bytes(b"[tool.infralint]\n# caf\xe9\nselect = ['INF2']\n")
    extra = ["--config", "pyproject.toml"] if how == "--config" else []
    proc = run_infralint("check", "--no-cache", *extra, ".", cwd=tree)
    assert proc.returncode == 2
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].endswith("pyproject.toml: configuration is not valid UTF-8 (byte 22)"), lines


@pytest.mark.integration
def test_someone_elses_unreadable_pyproject_is_not_ours_to_report(tree):
    (tree / "pyproject.toml").write_bytes(b"[tool.black]\n# caf\xe9\n")
    proc = run_infralint("check", "--no-cache", "--format", "concise", ".", cwd=tree)
    assert proc.returncode == 1 and proc.stderr == b""


@pytest.mark.integration
def test_a_bad_regular_expression_names_its_key(tree):
    (tree / "pyproject.toml").write_text("[tool.infralint.timeouts]\nhealth-name-pattern = 'health|(ready'\n")
    proc = run_infralint("check", "--no-cache", ".", cwd=tree)
    assert proc.returncode == 2
    stderr = proc.stderr.decode()
    assert stderr.endswith(
        "pyproject.toml: `timeouts.health-name-pattern` is not a valid regular expression: missing ), unterminated subpattern at position 7\n"
    ), stderr
    assert "internal error" not in stderr and len(stderr.splitlines()) == 1


@pytest.mark.integration
@pytest.mark.parametrize("how", ["discovered", "--config"])
def test_deeply_nested_toml_is_an_error_with_words(tree, how):
    (tree / "pyproject.toml").write_text("[tool.infralint]\nselect = " + "[" * 5000 + "]" * 5000 + "\n")
    extra = ["--config", "pyproject.toml"] if how == "--config" else []
    proc = run_infralint("check", "--no-cache", *extra, ".", cwd=tree)
    assert proc.returncode == 2
    stderr = proc.stderr.decode()
    assert stderr.endswith("pyproject.toml: invalid TOML: values are nested too deeply to read\n"), stderr
