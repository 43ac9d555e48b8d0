"""A configuration file the run cannot read is said, never skipped in silence: a parser module of
the same name from another distribution (checkov's bc-python-hcl2 installs its own `hcl2`) is
named once for the run, and a file that is not valid HCL is named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import run_infralint

pytestmark = pytest.mark.integration

BACKEND = """resource "google_compute_backend_service" "api" {
  name        = "api"
  timeout_sec = 30
}
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "lb.tf").write_text(BACKEND)
    (root / "infra" / "other.tf").write_text(BACKEND.replace("api", "admin"))
    return root


def warnings_of(proc) -> list[str]:
    return [line for line in proc.stderr.decode().splitlines() if line.startswith("infralint: warning:")]


@pytest.mark.parametrize(
    "module",
    [
        "def loads(text):\n    return {}\n",  # an `hcl2` with another API
        "def parses_to_tree(text):\n    return {'body': []}\n",  # the name, another tree
        "raise ImportError('a broken install')\n",
    ],
    ids=["other-api", "other-tree", "broken"],
)
def test_a_foreign_hcl2_first_on_the_path_is_named_once(tree, tmp_path, module):
    fake = tmp_path / "site" / "hcl2"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(module)
    proc = run_infralint("check", "--no-cache", "--jobs", "2", ".", cwd=tree, env={"PYTHONPATH": str(fake.parent)})
    found = warnings_of(proc)
    assert len(found) == 1, proc.stderr
    assert found[0].startswith("infralint: warning: Terraform files are not read: the `hcl2` module"), found
    assert b"internal error" not in proc.stderr and proc.returncode == 0


def test_the_real_parser_reads_terraform_without_a_word(tree):
    proc = run_infralint("check", "--no-cache", ".", cwd=tree)
    assert warnings_of(proc) == [] and proc.returncode == 0, proc.stderr


def test_a_file_that_is_not_hcl_is_named_with_its_line(tree):
    (tree / "infra" / "broken.tf").write_text('resource "x" "y" {\n  name = \n}\n')
    proc = run_infralint("check", "--no-cache", ".", cwd=tree)
    found = warnings_of(proc)
    assert len(found) == 1 and found[0].startswith("infralint: warning: infra/broken.tf:"), proc.stderr
    assert "Terraform file not read: not valid HCL" in found[0]
