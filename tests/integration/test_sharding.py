"""Split runs: `check --shard K/N --partial-out` in separate processes, then `merge`, report exactly
what one `check` run reports — cross-file findings included — and refuse partials that do not
make up one run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bench.project_model import generate
from infralint.exits import UsageError
from infralint.sharding import parse_shard, relative_to_root, shard_of

from ..conftest import ROOT, infralint_command, run_infralint
from ..readme_snippets import the_snippet

FIXTURES = ROOT / "tests" / "rules"
#: projects with findings only the joined project gives: a compose healthcheck probing a slow route
#: (INF303/INF603), a browser client offering subprotocols to a handler that selects none (INF501),
#: a health route whose Redis call is in another module (INF303 across modules)
CROSS_FILE_PROJECTS = {
    "probed": FIXTURES / "timeouts" / "fixtures" / "probed_routes",
    "chat": FIXTURES / "websocket" / "fixtures" / "projects" / "incident",
    "chain": FIXTURES / "timeouts" / "fixtures" / "cross_module" / "redis_chain",
}
FORMATS = ("json", "sarif")
#: compared for one order of the shards (the formats above, for every order)
OTHER_FORMATS = ("text", "concise", "gitlab", "junit")


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Path:
    """A multi-module service (packages importing each other's handlers, settings and registries)
    with the cross-file projects beside it, under one configuration."""
    root = tmp_path_factory.mktemp("service")
    generate(root, 150)
    for name, source in CROSS_FILE_PROJECTS.items():
        shutil.copytree(source, root / name)
    (root / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def one_run(service) -> dict[str, bytes]:
    """The reference: each format from one plain `check` run."""
    reports = {}
    for fmt in FORMATS + OTHER_FORMATS:
        done = run_infralint("check", "--no-cache", "--format", fmt, cwd=service)
        assert done.returncode == 1, done.stderr.decode()
        reports[fmt] = done.stdout
    return reports


class Shards:
    """Partials of a service, made once per shard count, outside the linted tree."""

    def __init__(self, service: Path, folder: Path) -> None:
        self.service, self.folder = service, folder
        self.made: dict[int, list[Path]] = {}

    def of(self, count: int) -> list[Path]:
        if count not in self.made:
            self.made[count] = [self.shard(index, count) for index in range(1, count + 1)]
        return self.made[count]

    def shard(self, index: int, count: int, *options: str, name: str = "") -> Path:
        """Shard `index` of `count` (1 of 1: `--partial-out` alone); `options` may name paths."""
        out = self.folder / (name or f"{index}-of-{count}.json")
        split = ("--shard", f"{index}/{count}") if count > 1 else ()
        done = run_infralint("check", "--no-cache", *split, "--partial-out", str(out), *options, cwd=self.service)
        assert done.returncode == 0, done.stderr.decode()
        assert done.stdout == b""  # a shard reports nothing: the merge does
        return out


@pytest.fixture(scope="module")
def shards(service, tmp_path_factory) -> Shards:
    return Shards(service, tmp_path_factory.mktemp("partials"))


def merge(service: Path, partials: list[Path], *options: str):
    return run_infralint("merge", *map(str, partials), *options, cwd=service)


def one_line_error(done) -> str:
    """The merge refused: exit 2, nothing on standard output, one line saying why."""
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert done.stdout == b""
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("infralint: error: ")
    return stderr


@pytest.mark.integration
def test_the_service_has_findings_only_the_project_gives(one_run):
    findings = json.loads(one_run["json"])
    messages = {(f["code"], f["path"].split("/")[-1], f["message"]) for f in findings}
    # the probe in compose.yaml makes `/orders/ok` health code; the chain crosses modules; the
    # browser client in TypeScript offers the subprotocols
    assert any(code == "INF303" and "compose.yaml" in message for code, _, message in messages)
    assert any(code == "INF303" and "prerequisites.py" in message for code, _, message in messages)
    assert any(code == "INF501" and name == "chat.py" for code, name, _ in messages)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_merged_shards_report_what_one_run_reports(service, one_run, shards, count):
    partials = shards.of(count)
    for order in (partials, partials[::-1], partials[1::2] + partials[::2]):  # any order
        for fmt in FORMATS:
            done = merge(service, order, "--format", fmt)
            assert done.returncode == 1, done.stderr.decode()
            assert done.stdout == one_run[fmt]
    for fmt in OTHER_FORMATS:
        assert merge(service, partials, "--format", fmt).stdout == one_run[fmt], fmt


@pytest.mark.integration
def test_shards_of_a_subfolder_join_the_rest_of_the_project_as_check_does(service, shards):
    """`check probed/svc` joins the facts of the project's other files (the compose healthcheck that
    probes `/orders/ok`); shards of the same paths hand them to the merge by name."""
    one = run_infralint("check", "--no-cache", "--format", "json", "probed/svc", cwd=service)
    assert any("compose.yaml" in f["message"] for f in json.loads(one.stdout)), one.stderr.decode()
    partials = [shards.shard(index, 2, "probed/svc", name=f"svc-{index}.json") for index in (1, 2)]
    assert merge(service, partials, "--format", "json").stdout == one.stdout


@pytest.mark.integration
def test_partials_of_build_targets_join_as_one_check_of_their_files(service, shards):
    """One partial per target (no --shard: a whole run of its own files), a file in two targets
    included: the merge reports what one `check` of every target's files reports."""
    targets = {"probed": ["probed"], "chat": ["chat", "probed/svc/orders.py"], "rest": ["chain", "svc"]}
    partials = [shards.shard(1, 1, *paths, name=f"target-{name}.json") for name, paths in targets.items()]
    one = run_infralint("check", "--no-cache", "--format", "sarif", "probed", "chat", "chain", "svc", cwd=service)
    assert one.returncode == 1, one.stderr.decode()
    done = merge(service, partials[::-1], "--format", "sarif")
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout == one.stdout


@pytest.mark.integration
def test_shards_with_a_warm_result_cache_merge_to_the_same_report(service, one_run, tmp_path):
    checkout = tmp_path / "cached"
    shutil.copytree(service, checkout)
    for run in ("cold", "warm"):
        partials = [tmp_path / f"{run}-{index}.json" for index in (1, 2)]
        for index, partial in enumerate(partials, 1):
            done = run_infralint("check", "--shard", f"{index}/2", "--partial-out", str(partial), cwd=checkout)
            assert done.returncode == 0, done.stderr.decode()
        assert merge(checkout, partials, "--format", "json").stdout == one_run["json"], run
    for index in (1, 2):  # served from the cache, a shard writes what it wrote when it linted
        assert (tmp_path / f"warm-{index}.json").read_bytes() == (tmp_path / f"cold-{index}.json").read_bytes()


@pytest.mark.integration
def test_merge_reports_as_check_does(service, shards, tmp_path):
    """Statistics, --exit-zero and the baseline: `check`'s reporting, on the joined results."""
    partials = shards.of(2)
    statistics = run_infralint("check", "--no-cache", "--statistics", cwd=service)
    assert merge(service, partials, "--statistics").stdout == statistics.stdout
    assert merge(service, partials, "--exit-zero").returncode == 0
    baseline = tmp_path / "baseline.json"
    written = merge(service, partials, "--write-baseline", str(baseline))
    assert written.returncode == 0, written.stderr.decode()
    assert run_infralint("check", "--no-cache", "--baseline", str(baseline), cwd=service).returncode == 0  # the same fingerprints
    done = merge(service, partials, "--baseline", str(baseline), "--format", "json")
    assert (done.returncode, json.loads(done.stdout)) == (0, [])


@pytest.mark.integration
def test_a_partial_of_another_python_is_an_error(service, shards, tmp_path):
    first, second = shards.of(2)
    other = tmp_path / "other-python.json"
    other.write_bytes(second.read_bytes().replace(b'"python":"', b'"python":"other', 1))
    assert "made with Python other" in one_line_error(merge(service, [first, other]))


@pytest.mark.integration
def test_every_file_is_in_exactly_one_partial(service, shards):
    partials = [json.loads(p.read_bytes()) for p in shards.of(3)]
    files = partials[0]["groups"][0]["files"]
    linted = sorted(r["path"] for p in partials for r in p["groups"][0]["results"])
    assert linted == sorted(files)
    assert all(not name.startswith("/") and ".." not in name for name in files)  # relative to the root
    assert any(r["deferred"] for p in partials for r in p["groups"][0]["results"])  # the project phase has work
    text = b"".join(p.read_bytes() for p in shards.of(3))
    assert str(service).encode() not in text  # no absolute path of this machine


@pytest.mark.integration
def test_a_partial_is_the_same_bytes_wherever_the_tree_is(service, shards, tmp_path):
    """No machine detail: a build cache may hand one runner's partial to another."""
    copy = tmp_path / "another" / "checkout"
    shutil.copytree(service, copy)
    out = tmp_path / "elsewhere.json"
    done = run_infralint("check", "--no-cache", "--shard", "2/3", "--partial-out", str(out), cwd=copy)
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes() == shards.of(3)[1].read_bytes()


@pytest.mark.integration
def test_a_missing_shard_is_an_error(service, shards):
    first, _, third = shards.of(3)
    assert "missing shard(s) 2 of 3" in one_line_error(merge(service, [third, first]))


@pytest.mark.integration
def test_a_duplicated_shard_is_an_error(service, shards):
    first, second, third = shards.of(3)
    copy = shards.folder / "copy-of-2.json"
    copy.write_bytes(second.read_bytes())
    assert "shard 2/3 given twice" in one_line_error(merge(service, [first, second, third, copy]))


@pytest.mark.integration
def test_shards_of_different_splits_are_an_error(service, shards):
    first, _, third = shards.of(3)
    assert "shard count" in one_line_error(merge(service, [first, shards.of(2)[1], third]))


@pytest.mark.integration
def test_a_partial_of_another_configuration_is_an_error(service, shards):
    first, _, third = shards.of(3)
    other = shards.shard(2, 3, "--ignore", "INF303", name="other-config.json")
    assert "another configuration" in one_line_error(merge(service, [first, other, third]))


@pytest.mark.integration
def test_merge_with_other_options_than_the_shards_is_an_error(service, shards):
    assert "another configuration" in one_line_error(merge(service, shards.of(2), "--select", "INF3"))


@pytest.mark.integration
def test_merge_in_a_changed_checkout_is_an_error(service, shards, tmp_path):
    copy = tmp_path / "checkout"
    shutil.copytree(service, copy)
    settings = copy / "svc" / "settings.py"
    settings.write_text(settings.read_text() + "EXTRA = 1\n")
    assert "svc/settings.py is not the file its shard linted" in one_line_error(merge(copy, shards.of(2)))


@pytest.mark.integration
def test_merge_in_another_folder_of_the_same_tree_reports_the_same(service, one_run, shards, tmp_path):
    copy = tmp_path / "elsewhere"
    shutil.copytree(service, copy)
    done = merge(copy, shards.of(2), "--format", "json")
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout == one_run["json"]


@pytest.mark.integration
def test_a_shard_refuses_what_belongs_to_the_merge(service, tmp_path):
    done = run_infralint("check", "--shard", "1/2", "--partial-out", str(tmp_path / "p.json"), "--fix", cwd=service)
    assert "give it to `infralint merge`" in one_line_error(done)
    done = run_infralint("check", "--shard", "1/2", cwd=service)
    assert "--shard needs --partial-out" in one_line_error(done)


@pytest.mark.integration
def test_not_a_partial_is_an_error(tmp_path):
    (tmp_path / "x.json").write_text('{"findings": []}', encoding="utf-8")
    done = run_infralint("merge", str(tmp_path / "x.json"), cwd=tmp_path)
    assert "not an infralint partial" in one_line_error(done)


# -- the shard of a file ------------------------------------------------------------------------


def test_every_file_has_exactly_one_shard_and_they_are_balanced():
    names = [f"svc/pkg{p}/m{m}.py" for p in range(20) for m in range(50)]
    for count in (1, 2, 3, 7):
        sizes = [sum(1 for n in names if shard_of(n, count) == k) for k in range(1, count + 1)]
        assert sum(sizes) == len(names)
        assert min(sizes) > len(names) / count * 0.8


def test_the_shard_of_a_path_never_changes():
    # runners of different versions or machines must agree: the hash is part of the format
    assert [shard_of(name, 4) for name in ("svc/main.py", "svc/settings.py", "deploy/k8s.yaml")] == EXPECTED_SHARDS


EXPECTED_SHARDS = [1, 3, 4]


def test_paths_are_relative_to_the_root_whatever_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "svc").mkdir()
    monkeypatch.chdir(tmp_path / "svc")
    assert relative_to_root("main.py", tmp_path) == "svc/main.py"
    assert relative_to_root(tmp_path / "svc" / "main.py", tmp_path) == "svc/main.py"


@pytest.mark.parametrize("text", ["3", "0/2", "3/2", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_a_usage_error(text):
    with pytest.raises(UsageError):
        parse_shard(text)


# -- the CI examples of docs/sharding.md, run as their jobs would run them ----------------------


def _commands(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("infralint ")]


def _bash(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """A job's `run:` line, with the venv's `infralint` first on the PATH."""
    path = f"{Path(infralint_command()[0]).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "-c", command], cwd=cwd, env={**os.environ, "PATH": path, "NO_COLOR": "1", **env}, capture_output=True, timeout=300)


@pytest.mark.integration
def test_the_github_workflow_of_the_docs_merges_to_one_runs_sarif(service, tmp_path):
    workflow = yaml.safe_load(the_snippet("yaml", "strategy.job-total", "docs/sharding.md").text)
    shard_job, merge_job = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    count = len(shard_job["strategy"]["matrix"]["shard"])
    assert merge_job["needs"] == "shard"
    assert any(step.get("uses", "").startswith("actions/checkout@") for step in merge_job["steps"])  # the merge reads the tree
    runner_temp = tmp_path / "runner"
    (runner_temp / "partials").mkdir(parents=True)
    for index in shard_job["strategy"]["matrix"]["shard"]:
        for command in _commands([step.get("run", "") for step in shard_job["steps"]]):
            command = command.replace("${{ matrix.shard }}", str(index)).replace("${{ strategy.job-total }}", str(count))
            done = _bash(command, service, {"RUNNER_TEMP": str(runner_temp)})
            assert done.returncode == 0, done.stderr.decode()
        shutil.move(runner_temp / f"partial-{index}.json", runner_temp / "partials")  # upload, then download
    checkout = tmp_path / "merge-checkout"
    shutil.copytree(service, checkout)
    (merge,) = _commands([step.get("run", "") for step in merge_job["steps"]])
    done = _bash(merge, checkout, {"RUNNER_TEMP": str(runner_temp)})
    assert done.returncode == 1, done.stderr.decode()
    upload = next(step for step in merge_job["steps"] if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    one = run_infralint("check", "--no-cache", "--format", "sarif", cwd=checkout)  # SARIF names the checkout's folder
    assert (checkout / upload["with"]["sarif_file"]).read_bytes() == one.stdout


@pytest.mark.integration
def test_the_gitlab_pipeline_of_the_docs_merges_to_one_runs_report(service, tmp_path):
    pipeline = yaml.safe_load(the_snippet("yaml", "CI_NODE_INDEX", "docs/sharding.md").text)
    shard_job, merge_job = pipeline["infralint-shard"], pipeline["infralint-merge"]
    assert merge_job["needs"] == ["infralint-shard"]
    checkout = tmp_path / "checkout"  # one folder for every job: partials of earlier jobs lie in it
    shutil.copytree(service, checkout)
    total = shard_job["parallel"]
    for index in range(1, total + 1):
        for command in _commands(shard_job["script"]) or pytest.fail("no infralint command"):
            (checkout / "partials").mkdir(exist_ok=True)
            done = _bash(command, checkout, {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(total)})
            assert done.returncode == 0, done.stderr.decode()
    (merge,) = _commands(merge_job["script"])
    done = _bash(merge, checkout, {})
    assert done.returncode == 1, done.stderr.decode()
    one = run_infralint("check", "--no-cache", "--format", "gitlab", cwd=service)
    report = checkout / merge_job["artifacts"]["reports"]["codequality"]
    assert report.read_bytes() == one.stdout


@pytest.mark.integration
def test_shard_and_merge_need_no_standard_output_when_they_write_files(service, shards, tmp_path):
    partial, report = tmp_path / "closed-1.json", tmp_path / "report.json"
    done = _bash(f"infralint check --no-cache --partial-out {partial} >&-", service, {})
    assert done.returncode == 0, done.stderr.decode()
    done = _bash(f"infralint merge {partial} --format json --output-file {report} >&-", service, {})
    assert done.returncode == 1, done.stderr.decode()
    assert json.loads(report.read_bytes())


@pytest.mark.integration
def test_file_names_that_are_not_utf8_shard_and_merge(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    try:
        (tmp_path / os.fsdecode(b"bad\xff.py")).write_text("def f():\n    return time.time()\n", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    (tmp_path / "café.py").write_text("def g():\n    return os.getpid()\n", encoding="utf-8")
    one = run_infralint("check", "--no-cache", "--format", "json", cwd=tmp_path)
    assert len(json.loads(one.stdout)) == 2, one.stderr.decode()
    out = tmp_path.parent / f"{tmp_path.name}-partials"
    out.mkdir()
    for index in (1, 2):
        done = run_infralint("check", "--no-cache", "--shard", f"{index}/2", "--partial-out", str(out / f"{index}.json"), cwd=tmp_path)
        assert done.returncode == 0, done.stderr.decode()
    assert merge(tmp_path, [out / "1.json", out / "2.json"], "--format", "json").stdout == one.stdout


@pytest.mark.integration
def test_shards_redo_cached_answers_a_full_run_joined_with_another_project(service, tmp_path):
    # a full run's cache holds answers computed with the project; after a probe changes, the
    # handler it calls is unchanged but its answer is not: the shards leave it for the merge
    checkout = tmp_path / "cached"
    shutil.copytree(service, checkout)
    assert run_infralint("check", "--exit-zero", cwd=checkout).returncode == 0
    compose = checkout / "probed" / "compose.yaml"
    compose.write_text(compose.read_text(encoding="utf-8").replace("timeout: 5s", "timeout: 90s"), encoding="utf-8")
    fresh = run_infralint("check", "--no-cache", "--format", "json", cwd=checkout)
    partials = [tmp_path / f"{index}.json" for index in (1, 2)]
    for index, partial in enumerate(partials, 1):
        done = run_infralint("check", "--shard", f"{index}/2", "--partial-out", str(partial), cwd=checkout)
        assert done.returncode == 0, done.stderr.decode()
    merged = merge(checkout, partials, "--format", "json")
    assert merged.stdout == fresh.stdout
    before = run_infralint("check", "--no-cache", "--format", "json", cwd=service).stdout
    assert _messages_of(before, "probed/svc") != _messages_of(fresh.stdout, "probed/svc")  # the probe mattered


def _messages_of(report: bytes, prefix: str) -> list[str]:
    return sorted(f["message"] for f in json.loads(report) if f["path"].startswith(prefix))
