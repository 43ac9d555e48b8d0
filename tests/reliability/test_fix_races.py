"""`--fix` never overwrites what it did not read: an editor's save while a fix is being computed
survives, and a file whose declared encoding cannot write back what it read is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from infralint.engine import Linter

from ..conftest import run_infralint
from .test_atomic_writes import FIXED_PREFIX, NEEDS_IMPORT, leftovers, project, run_in_process  # noqa: F401  (fixture)

EDITED = "def elapsed(start):\n    return time.monotonic() - start  # saved while the fix was computed\n"


def test_a_save_during_the_fix_computation_is_kept(project, monkeypatch):
    real_fix_text = Linter.fix_text

    def fix_while_the_editor_saves(self, text, display_path, **kwargs):
        outcome = real_fix_text(self, text, display_path, **kwargs)
        if display_path.endswith("b.py"):
            (project / "b.py").write_text(EDITED)  # lands after the fix was computed, before the rename
        return outcome

    monkeypatch.setattr(Linter, "fix_text", fix_while_the_editor_saves)
    code, stderr = run_in_process(project, "--fix")
    assert (project / "b.py").read_text() == EDITED
    assert "b.py: changed on disk while being fixed; not fixed" in stderr
    assert (project / "a.py").read_text().startswith(FIXED_PREFIX)
    assert (project / "c.py").read_text().startswith(FIXED_PREFIX)
    assert leftovers(project) == []
    assert code == 1


def test_a_save_of_the_same_size_during_the_fix_is_kept(project, monkeypatch):
    """Same length, same second: only the bytes tell the difference."""
    same_size = NEEDS_IMPORT.replace("start", "begin")
    assert len(same_size) == len(NEEDS_IMPORT)
    real_fix_text = Linter.fix_text

    def fix_while_the_editor_saves(self, text, display_path, **kwargs):
        outcome = real_fix_text(self, text, display_path, **kwargs)
        (project / Path(display_path).name).write_text(same_size)
        return outcome

    monkeypatch.setattr(Linter, "fix_text", fix_while_the_editor_saves)
    code, stderr = run_in_process(project, "--fix")
    assert all((project / n).read_text() == same_size for n in ("a.py", "b.py", "c.py"))
    assert stderr.count("changed on disk while being fixed") == 3


UNICODE_ESCAPE = (
    "# coding: unicode_escape\n"
    "def elapsed(start):\n"
    "    return time.time() - start\n"
    "\n"
    "\n"
    'GREETING = "caf\\xe9"\n'
)


@pytest.mark.integration
@pytest.mark.parametrize("codec", ["unicode_escape", "raw_unicode_escape"])
def test_a_file_whose_codec_does_not_round_trip_is_never_rewritten(tmp_path, codec):
    target = tmp_path / "legacy.py"
    data = UNICODE_ESCAPE.replace("unicode_escape", codec).encode("ascii")
    target.write_bytes(data)
    proc = run_infralint("check", "--no-cache", "--fix", "--select", "INF101", "--format", "concise", "legacy.py", cwd=tmp_path)
    stderr = proc.stderr.decode()
    if codec == "raw_unicode_escape":
        # this one does write back what it reads: the fix is applied, lines intact
        assert proc.returncode == 0, stderr
        fixed = target.read_bytes()
        assert fixed.startswith(b"# coding: raw_unicode_escape\nimport time\n")
        assert fixed.endswith(b'\nGREETING = "caf\\xe9"\n') and fixed.count(b"\n") > data.count(b"\n")
        return
    assert target.read_bytes() == data
    assert proc.returncode == 1
    assert f"legacy.py: not fixed: its declared encoding ({codec}) does not write back the bytes it reads" in stderr
    assert "legacy.py:3:12: INF101" in proc.stdout.decode()


@pytest.mark.integration
def test_a_buffer_whose_codec_does_not_round_trip_comes_back_unchanged(tmp_path):
    data = UNICODE_ESCAPE.encode("ascii")
    proc = run_infralint("check", "--no-cache", "--fix", "--select", "INF101", "--stdin-filename", "legacy.py", "-", cwd=tmp_path, stdin=data)
    assert proc.stdout.startswith(data)
    assert b"does not write back the bytes it reads" in proc.stderr
