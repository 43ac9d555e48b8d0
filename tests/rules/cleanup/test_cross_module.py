"""INF201 across modules: teardown routes registered or entered in one module, imports in another."""

from __future__ import annotations

from pathlib import Path

import pytest

from ...project.helpers import assert_project_fixture

FIXTURES = Path(__file__).parent / "fixtures" / "cross_module"


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_teardown_routes_across_modules(case, tmp_path):
    assert_project_fixture(FIXTURES / case, ["INF201"], tmp_path)


def test_the_same_run_in_the_pool(tmp_path):
    # files are linted in worker processes first, then picked again after the join
    assert_project_fixture(FIXTURES / "teardown", ["INF201"], tmp_path, jobs=2)
