"""One answer from every entry point: the findings of a file are those `infralint check` on the
whole tree reports for it, whether the CLI is given that file or its folder or reads it from standard input, flake8 runs, or the
API is called — on a project whose INF303 depends on a readiness probe in `deploy/k8s/*.yaml`
that none of those paths names. (The language server: `test_lsp_entry_points.py`; pre-commit:
`test_precommit.py`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import run_infralint
from .conftest import commit_all, init_repo
from .test_flake8 import flake8, parse_flake8

pytestmark = pytest.mark.integration

HANDLER = '''\
from fastapi import FastAPI
from redis.asyncio import Redis

app = FastAPI()
redis_client = Redis(host="redis", socket_timeout=10.0)


@app.get("/ready")
async def ready():
    for attempt in range(2):
        await redis_client.ping()
    return {"ok": True}
'''

DEPLOYMENT = '''\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          readinessProbe:
            httpGet:
              path: /ready
              port: 8000
            timeoutSeconds: {timeout}
            periodSeconds: 90
'''

#: the handler's worst case is 2 attempts × 10 s = 20 s: a 60 s probe allows it, a 4 s one does not
GENEROUS, TIGHT = 60, 4


def make_service(root: Path, probe_timeout: int) -> Path:
    """A checked-in service: configuration at the root, the handler in app/, its probe in deploy/."""
    init_repo(root)
    (root / "pyproject.toml").write_text("[project]\nname = 'svc'\nversion = '0.1'\n\n[tool.infralint]\n", encoding="utf-8")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "main.py").write_text(HANDLER, encoding="utf-8")
    (root / "deploy" / "k8s").mkdir(parents=True)
    (root / "deploy" / "k8s" / "deployment.yaml").write_text(DEPLOYMENT.format(timeout=probe_timeout), encoding="utf-8")
    commit_all(root)
    return root


def check_json(root: Path, *paths: str, cache: bool = False) -> list[tuple[str, int, int, str, str]]:
    done = run_infralint("check", "--format", "json", *([] if cache else ["--no-cache"]), *paths, cwd=root)
    assert done.returncode in (0, 1), done.stderr.decode()
    assert not done.stderr.strip(), done.stderr.decode()
    return sorted((f["path"], f["range"]["start"]["line"], f["range"]["start"]["column"] + 1, f["code"], f["message"]) for f in json.loads(done.stdout))


def of(rows, path: str):
    return [row for row in rows if row[0] == path]


@pytest.fixture(params=[GENEROUS, TIGHT], ids=["probe-allows-60s", "probe-allows-4s"])
def service(request, tmp_path) -> tuple[Path, list]:
    root = make_service(tmp_path / "svc", request.param)
    whole = check_json(root)
    inf303 = [row for row in of(whole, "app/main.py") if row[3] == "INF303"]
    if request.param == GENEROUS:
        assert inf303 == []  # the probe allows the handler's 20 s
    else:
        assert len(inf303) == 1 and inf303[0][4].endswith("> 4.0 s readinessProbe deadline (timeoutSeconds: 4, deploy/k8s/deployment.yaml:11)")
    return root, whole


def test_the_cli_on_one_file_or_a_subfolder(service):
    root, whole = service
    assert check_json(root, "app/main.py") == of(whole, "app/main.py")
    assert check_json(root, "app") == of(whole, "app/main.py")
    # run from inside the subfolder: the project is still found from the configuration root (the
    # probe, outside the working folder, is named by its absolute path, as every path outside it is)
    inside = check_json(root / "app", "main.py")
    spelled = [("app/" + path, line, col, code, message.replace(f"{root}/", "")) for path, line, col, code, message in inside]
    assert spelled == of(whole, "app/main.py")


def test_standard_input_named_as_the_file(service):
    # an editor piping its buffer: `--stdin-filename` places it in the project
    root, whole = service
    done = run_infralint("check", "--format", "json", "--no-cache", "--stdin-filename", "app/main.py", "-", cwd=root, stdin=HANDLER)
    found = sorted((f["path"], f["range"]["start"]["line"], f["range"]["start"]["column"] + 1, f["code"], f["message"]) for f in json.loads(done.stdout))
    assert found == of(whole, "app/main.py"), done.stderr.decode()


def test_the_cli_on_the_probe_alone(service):
    root, whole = service
    assert check_json(root, "deploy/k8s/deployment.yaml") == of(whole, "deploy/k8s/deployment.yaml")


def test_the_cache_of_a_whole_tree_run_serves_a_one_file_run_and_back(service):
    root, whole = service
    assert check_json(root, ".", cache=True) == whole
    assert check_json(root, "app/main.py", cache=True) == of(whole, "app/main.py")
    assert check_json(root, ".", cache=True) == whole


def test_flake8(service):
    root, whole = service
    expected = of(whole, "app/main.py")
    for target in ("app/main.py", "app", "."):
        done = flake8("--select", "INF", target, cwd=root)
        assert not done.stderr.strip(), done.stderr
        rows = [(Path(path).as_posix().removeprefix("./"), *rest) for path, *rest in parse_flake8(done.stdout)]
        assert rows == expected, target
    done = flake8("--select", "INF", "--jobs", "2", ".", cwd=root)  # workers share the project built before the fork
    assert [(Path(p).as_posix().removeprefix("./"), *rest) for p, *rest in parse_flake8(done.stdout)] == expected


def test_the_api(service, monkeypatch):
    from infralint.api import lint_paths

    root, whole = service
    monkeypatch.chdir(root)
    for target in ("app/main.py", "app"):
        found = sorted((f.path, f.line, f.col + 1, f.code, f.message) for f in lint_paths([target]))
        assert found == of(whole, "app/main.py"), target


def test_no_configuration_file_the_checkout_is_the_project(tmp_path):
    root = make_service(tmp_path / "svc", TIGHT)
    (root / "pyproject.toml").unlink()
    whole = check_json(root)
    assert [row[3] for row in of(whole, "app/main.py")] == ["INF301", "INF303"]
    assert check_json(root, "app/main.py") == of(whole, "app/main.py")


def test_an_excluded_folder_named_explicitly_is_a_project_of_its_own(tmp_path):
    # `examples/` excluded by the configuration and linted on purpose: its files are not judged
    # with the rest of the tree (whose probe would silence the example's finding)
    root = make_service(tmp_path / "svc", GENEROUS)
    (root / "pyproject.toml").write_text("[tool.infralint]\nextend-exclude = ['examples']\n", encoding="utf-8")
    (root / "examples").mkdir()
    (root / "examples" / "main.py").write_text(HANDLER, encoding="utf-8")
    assert [row[3] for row in check_json(root, "examples")] == ["INF301", "INF303"]
    assert [row[3] for row in of(check_json(root), "app/main.py")] == ["INF301"]


def test_a_file_the_run_does_not_read_is_skipped_with_force_exclude(tmp_path):
    root = make_service(tmp_path / "svc", GENEROUS)
    (root / "README.md").write_text("# svc\n", encoding="utf-8")
    done = run_infralint("check", "--no-cache", "--force-exclude", "--format", "json", "--", "README.md", cwd=root)
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stderr.decode()


def test_each_procfile_is_judged_against_its_own_router_from_every_path(tmp_path):
    """Two services of one repository, each with a Procfile behind the platform's router: a
    finding quotes the router of its own Procfile — when the whole tree is checked, and when one
    Procfile is named (the other then only contributes facts, in another order)."""
    root = tmp_path / "repo"
    root.mkdir()
    init_repo(root)
    (root / "pyproject.toml").write_text("[tool.infralint]\n", encoding="utf-8")
    (root / "Procfile").write_text("web: uvicorn main:app --host 0.0.0.0 --port $PORT\n", encoding="utf-8")
    (root / "backend").mkdir()
    (root / "backend" / "Procfile").write_text("web: uvicorn server.app:app --port $PORT\n", encoding="utf-8")
    commit_all(root)
    whole = [row for row in check_json(root) if row[3] == "INF605"]
    assert [(row[0], "(backend/Procfile:1)" in row[4], "(Procfile:1)" in row[4]) for row in whole] == [
        ("Procfile", False, True),
        ("backend/Procfile", True, False),
    ]
    for named in ("backend/Procfile", "Procfile"):
        assert [row for row in check_json(root, named) if row[3] == "INF605"] == of(whole, named)
