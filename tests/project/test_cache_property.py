"""Warm runs equal `--no-cache` runs, whatever was edited in between.

Random sequences of edits to a small service whose findings cross files (a constant read by a health
check, the route a probe calls, a router prefix, the subprotocol a browser client offers, a teardown
route through two modules) — including files that stop parsing or decoding, deletions, new files
and reverts — and after each edit the installed command's JSON from a run that keeps its cache must
equal the JSON of a run without one.

`INFRALINT_CACHE_EXAMPLES` raises the number of sequences tried (a longer search than the suite's).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..conftest import run_infralint
from .cache_service import BROKEN_PY, CONFIG, FILES, UNDECODABLE

pytestmark = [pytest.mark.slow, pytest.mark.integration]

EXAMPLES = int(os.environ.get("INFRALINT_CACHE_EXAMPLES", "5"))
#: modification times far in the past, one tick per write: the cache trusts a settled file's stat
#: (size, mtime, inode) instead of hashing it, and that shortcut must be exercised too
_EPOCH_NS = 1_000_000_000_000_000_000


def _actions(path: str) -> list:
    versions, _ = FILES[path]
    actions: list = list(range(len(versions))) + ["delete"]
    if path.endswith(".py"):
        actions += ["broken", "undecodable"]
    return actions


EDITS = st.sampled_from(sorted(FILES)).flatmap(lambda path: st.tuples(st.just(path), st.sampled_from(_actions(path))))
#: (working folder, path named) of the runs after an edit: the whole tree mostly, sometimes part
#: of it (its other files then only lend their facts) or from a subfolder (paths shown otherwise)
RUNS = st.sampled_from([("", ".")] * 4 + [("", "app"), ("", "app/health.py"), ("", "deploy"), ("app", "."), ("app", "..")])


class Service:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.writes = 0
        (root / "pyproject.toml").write_text(CONFIG)
        for path, (versions, present) in FILES.items():
            if present:
                self.apply(path, 0)

    def apply(self, path: str, action) -> None:
        target = self.root / path
        if action == "delete":
            target.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if action == "broken":
            data = BROKEN_PY.encode()
        elif action == "undecodable":
            data = UNDECODABLE
        else:
            data = FILES[path][0][action].encode()
        target.write_bytes(data)
        self.writes += 1
        stamp = _EPOCH_NS + self.writes * 1_000_000_000
        os.utime(target, ns=(stamp, stamp))


def _check(root: Path, env: dict, *options: str, run=("", ".")) -> tuple[int, list, str]:
    folder, named = run
    proc = run_infralint("check", "--format", "json", "--jobs", "1", *options, named, cwd=root / folder, env=env)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout), proc.stderr.decode()


def _same_runs(root: Path, env: dict, run) -> tuple:
    with ThreadPoolExecutor(2) as pool:
        warm = pool.submit(_check, root, env, run=run)
        cold = pool.submit(_check, root, env, "--no-cache", run=run)
        return warm.result(), cold.result()


# no shrinking: each step runs the command twice, and the failure message lists the edits made
@settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
@given(edits=st.lists(st.tuples(EDITS, RUNS), min_size=2, max_size=6))
def test_a_warm_run_equals_a_run_without_cache(edits):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "svc"
        root.mkdir()
        env = {"XDG_CACHE_HOME": str(Path(folder) / "user-cache")}
        service = Service(root)
        _check(root, env)  # the cache of the initial tree
        done = []
        for (path, action), run in edits:
            service.apply(path, action)
            done.append((path, action, run))
            if (root / run[0]).is_dir():
                warm, cold = _same_runs(root, env, run)
                assert warm == cold, f"after {done}"
        shutil.rmtree(root / ".infralint_cache", ignore_errors=True)


def test_the_service_has_findings_across_files(tmp_path):
    """The property above is only as strong as the service: its findings must cross files."""
    service = Service(tmp_path)
    code, findings, _ = _check(service.root, {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}, "--no-cache")
    assert code == 1
    codes = {(f["code"], f["path"]) for f in findings}
    assert {("INF303", "app/health.py"), ("INF603", "deploy/api.yaml"), ("INF501", "app/ws.py"), ("INF201", "app/pool.py")} <= codes
