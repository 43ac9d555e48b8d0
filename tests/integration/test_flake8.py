"""The flake8 plugin, run by the real `flake8` and compared with `infralint check`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from ..conftest import ROOT, run_infralint
from .conftest import FIXABLE_CASES, FixableCase, venv_tool

pytestmark = pytest.mark.integration

_FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")
LATIN1_NO_COOKIE = b'GREETING = "Gr\xfc\xdf Gott"  # exported by the legacy CMS\n'


def flake8(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    # --isolated: no user or project flake8 configuration; only what the test passes
    return subprocess.run(
        [venv_tool("flake8"), "--isolated", *args], cwd=cwd, capture_output=True, text=True, input=stdin, timeout=300
    )


def parse_flake8(output: str) -> list[tuple[str, int, int, str, str]]:
    rows = []
    for line in output.splitlines():
        match = _FLAKE8_LINE.match(line)
        assert match, f"not a flake8 report line: {line!r}"
        rows.append((match["path"], int(match["line"]), int(match["col"]), match["code"], match["message"]))
    return sorted(rows)


def infralint_json(*args: str, cwd: Path) -> list[dict]:
    done = run_infralint("check", "--format", "json", "--no-cache", "--jobs", "1", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr.decode()
    return json.loads(done.stdout)


def as_flake8_rows(findings: list[dict]) -> list[tuple[str, int, int, str, str]]:
    # flake8 shows 1-based columns; infralint's JSON has flake8's 0-based plugin columns
    return sorted((f["path"], f["range"]["start"]["line"], f["range"]["start"]["column"] + 1, f["code"], f["message"]) for f in findings)


def test_same_findings_as_infralint_check_on_the_examples():
    # flake8 reads Python files only: the findings infralint places in deployment configuration
    # are its own; those that need other files' facts (the readiness route of probes.py, judged
    # through dependencies.py and db.py) are the same, as flake8 lints each file with its project
    expected = [f for f in infralint_json("examples", cwd=ROOT) if f["path"].endswith(".py")]
    assert any(f["code"] == "INF303" and "dependencies.py" in f["message"] for f in expected), "a finding that needs the project"
    done = flake8("--select", "INF,E999", "examples", cwd=ROOT)
    assert done.returncode == 1, done.stderr
    rows = parse_flake8(done.stdout)

    # flake8 runs plugins only on files that parse and reports the others itself (E999)
    syntax_errors = {(f["path"], f["range"]["start"]["line"]) for f in expected if f["code"] == "INF001"}
    assert {(path, line) for path, line, _, code, _ in rows if code == "E999"} == syntax_errors
    assert [r for r in rows if r[3].startswith("INF")] == as_flake8_rows([f for f in expected if f["code"] != "INF001"])


@pytest.mark.parametrize("case", FIXABLE_CASES, ids=str)
def test_findings_match_on_a_project_with_real_rules(tmp_path, case: FixableCase):
    case.require()
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    target = tmp_path / case.path
    target.parent.mkdir(parents=True)
    target.write_text(case.text, encoding="utf-8")
    expected = infralint_json(".", cwd=tmp_path)
    assert case.code in {f["code"] for f in expected}
    done = flake8("--select", "INF", ".", cwd=tmp_path)
    rows = parse_flake8(done.stdout)
    assert [(Path(p).as_posix().removeprefix("./"), *rest) for p, *rest in rows] == as_flake8_rows(expected)


@pytest.fixture
def project(tmp_path) -> Path:
    """A project whose only findings come from the meta rules, so it works with any rule set."""
    (tmp_path / "pyproject.toml").write_text('[tool.infralint]\nextend-select = ["INF003"]\n', encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    # INF003 (unused noqa) on line 2; the noqa's own INF003 lets flake8 silence it on line 3
    (tmp_path / "pkg" / "settings.py").write_text(
        "TIMEOUT = 5\nRETRIES = 3  # noqa: INF001\nDELAY = 1  # noqa: INF001,INF003\n", encoding="utf-8"
    )
    (tmp_path / "pkg" / "legacy.py").write_bytes(LATIN1_NO_COOKIE)  # INF002
    return tmp_path


def codes(done: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    return [(Path(p).name, line, code) for p, line, _, code, _ in parse_flake8(done.stdout)]


def test_reads_tool_infralint_options_and_honours_noqa(project):
    done = flake8("--select", "INF", "pkg", cwd=project)
    # INF003 is off by default: it comes from `extend-select` in [tool.infralint]
    assert codes(done) == [("legacy.py", 1, "INF002"), ("settings.py", 2, "INF003")]
    assert "unused `noqa` for INF001" in done.stdout

    # without flake8's noqa handling, the suppressed finding on line 3 appears
    done = flake8("--select", "INF", "--disable-noqa", "pkg", cwd=project)
    assert codes(done) == [("legacy.py", 1, "INF002"), ("settings.py", 2, "INF003"), ("settings.py", 3, "INF003")]


def test_select_enables_a_rule_that_is_off_by_default(tmp_path):
    (tmp_path / "settings.py").write_text("RETRIES = 3  # noqa: INF001\n", encoding="utf-8")
    assert codes(flake8("--select", "INF", ".", cwd=tmp_path)) == []
    assert codes(flake8("--select", "INF003", ".", cwd=tmp_path)) == [("settings.py", 1, "INF003")]
    assert codes(flake8("--select", "E", "--extend-select", "INF003", ".", cwd=tmp_path)) == [("settings.py", 1, "INF003")]


def test_extend_ignore_and_per_file_ignores(project):
    done = flake8("--select", "INF", "--extend-ignore", "INF002", "pkg", cwd=project)
    assert codes(done) == [("settings.py", 2, "INF003")]
    done = flake8("--select", "INF", "--per-file-ignores", "pkg/settings.py:INF003", "pkg", cwd=project)
    assert codes(done) == [("legacy.py", 1, "INF002")]


def test_infralint_ignore_in_pyproject_applies(project):
    (project / "pyproject.toml").write_text('[tool.infralint]\nextend-select = ["INF003"]\nignore = ["INF002"]\n', encoding="utf-8")
    assert codes(flake8("--select", "INF", "pkg", cwd=project)) == [("settings.py", 2, "INF003")]


def test_lints_standard_input_not_the_file_on_disk(project):
    unsaved = "RETRIES = 3  # noqa: INF001\nTIMEOUT = 5\n"
    done = flake8("--select", "INF", "--stdin-display-name", "pkg/settings.py", "-", cwd=project, stdin=unsaved)
    assert codes(done) == [("settings.py", 1, "INF003")]


def test_runs_in_parallel_workers(project):
    for number in range(30):
        (project / "pkg" / f"module_{number}.py").write_text(f"VALUE_{number} = 1  # noqa: INF001\n", encoding="utf-8")
    done = flake8("--select", "INF", "--jobs", "2", "pkg", cwd=project)
    assert sum(1 for _, _, code in codes(done) if code == "INF003") == 31


def test_invalid_configuration_is_one_warning_never_a_crash(project):
    """A bad `[tool.infralint]` is one warning on standard error; flake8 goes on with the defaults.

    (It used to raise inside flake8's worker pool, which sent flake8 into
    `multiprocessing.Pool.terminate()`, a known rare deadlock: this run must take the normal path.)
    """
    (project / "pyproject.toml").write_text('[tool.infralint]\nselectt = ["INF"]\n', encoding="utf-8")
    for number in range(6):  # enough files for both workers to meet the bad configuration
        (project / "pkg" / f"module_{number}.py").write_text("VALUE = 1\n", encoding="utf-8")
    for jobs in ("1", "2"):
        done = flake8("--select", "INF", "--jobs", jobs, "pkg", cwd=project)
        warning = "infralint: warning: " + str(project / "pyproject.toml") + ": unknown key `selectt` (did you mean `select`?)"
        assert done.stderr.count(warning) == 1, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        # the defaults apply (INF003 is off by default again); the INF002 finding still fails the run
        assert codes(done) == [("legacy.py", 1, "INF002")], done.stdout
        assert done.returncode == 1


def test_a_bad_configuration_does_not_touch_runs_without_inf(project):
    (project / "pyproject.toml").write_text('[tool.infralint]\nselectt = ["INF"]\n', encoding="utf-8")
    (project / "pkg" / "long.py").write_text("x = 1" + " " * 100 + "# long\n", encoding="utf-8")
    done = flake8("--select", "E501", "pkg", cwd=project)
    assert done.stderr == "", done.stderr
    assert [(Path(p).name, code) for p, _, _, code, _ in parse_flake8(done.stdout)] == [("long.py", "E501")]


def test_selection_without_inf_leaves_the_plugin_idle(project, monkeypatch):
    """With INF excluded by flake8's selection, the plugin loads neither configuration nor engine."""
    import argparse
    import sys

    from infralint.integrations.flake8 import Flake8Plugin, inf_selected

    def options(**given):
        base = dict(select=None, extend_select=None, ignore=None, extend_ignore=None,
                    extended_default_select=["C90", "F", "E", "W", "INF"], extended_default_ignore=[])
        return argparse.Namespace(**{**base, **given})

    # flake8's default selection includes every installed plugin: that alone does not wake it
    assert not inf_selected(options())
    assert not inf_selected(options(select=["F"]))
    assert inf_selected(options(select=["F"], extend_select=["INF1"]))
    assert inf_selected(options(select="E,IN"))  # a prefix flake8 matches INF codes by
    assert not inf_selected(options(extend_select=["INF"], extend_ignore=["INF"]))
    monkeypatch.setattr(Flake8Plugin, "selected", True)
    monkeypatch.delitem(sys.modules, "infralint.integrations.flake8_engine", raising=False)
    Flake8Plugin.parse_options(options(select=["E501"], filenames=[str(project / "pkg")]))
    assert not Flake8Plugin.selected
    assert list(Flake8Plugin(None, str(project / "pkg" / "settings.py"), ["x = 1\n"]).run()) == []
    assert "infralint.integrations.flake8_engine" not in sys.modules


def test_unparseable_files_need_e999_selected(tmp_path):
    """flake8 runs no plugin on a file that does not parse: `--select INF,E999` shows it (documented)."""
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    assert codes(flake8("--select", "INF", ".", cwd=tmp_path)) == []
    assert [code for _, _, code in codes(flake8("--select", "INF,E999", ".", cwd=tmp_path))] == ["E999"]


def test_installing_infralint_leaves_a_plain_flake8_run_unchanged(project):
    """No INF code unless the user's flake8 selection names INF (command line or configuration)."""
    (project / "pkg" / "app.py").write_text("def handler():\n    return undefined_name\n", encoding="utf-8")
    plain = flake8("pkg", cwd=project)
    assert {code for _, _, code in codes(plain)} == {"F821"}, plain.stdout
    for asked in (["--select", "INF,F"], ["--extend-select", "INF"], ["--extend-select", "INF002"]):
        assert ("legacy.py", 1, "INF002") in codes(flake8(*asked, "pkg", cwd=project)), asked


def test_extend_select_in_the_flake8_configuration_enables_the_plugin(project):
    (project / "pkg" / "app.py").write_text("def handler():\n    return undefined_name\n", encoding="utf-8")
    (project / "setup.cfg").write_text("[flake8]\nextend-select = INF\n", encoding="utf-8")
    # no --isolated: flake8 reads setup.cfg from the current folder
    done = subprocess.run([venv_tool("flake8"), "pkg"], cwd=project, capture_output=True, text=True, timeout=300)
    assert {code for _, _, code in codes(done)} >= {"F821", "INF002"}, done.stdout + done.stderr
    (project / "setup.cfg").write_text("[flake8]\nselect = E,F,W\n", encoding="utf-8")
    done = subprocess.run([venv_tool("flake8"), "pkg"], cwd=project, capture_output=True, text=True, timeout=300)
    assert {code for _, _, code in codes(done)} == {"F821"}, done.stdout + done.stderr


def test_skips_the_files_infralint_check_skips_when_walking(project):
    """flake8 walks git-ignored files and infralint's excluded ones; the plugin reports nothing there."""
    subprocess.run(["git", "init", "-q", "."], cwd=project, check=True, capture_output=True)
    (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.infralint]\nextend-exclude = ["vendored"]\n', encoding="utf-8")
    for folder in ("generated", "vendored"):
        (project / folder).mkdir()
        (project / folder / "legacy.py").write_bytes(LATIN1_NO_COOKIE)
    walked = {f["path"] for f in infralint_json(".", cwd=project)}
    assert walked == {"pkg/legacy.py"}
    done = flake8("--select", "INF", ".", cwd=project)
    assert [(Path(p).as_posix(), code) for p, _, _, code, _ in parse_flake8(done.stdout)] == [("pkg/legacy.py", "INF002")]
    # a file named on the command line is linted, as `infralint check generated/legacy.py` lints it
    assert codes(flake8("--select", "INF", "generated/legacy.py", cwd=project)) == [("legacy.py", 1, "INF002")]
