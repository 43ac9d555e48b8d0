"""INF501–INF504: fixtures with inline expectations, the clean look-alikes, and the INF501 fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from infralint.api import fix_source, lint_source

from ...conftest import assert_fixture, config_for

WS = Path(__file__).parent / "fixtures"
CODES = ["INF501", "INF502", "INF503", "INF504"]
FLAGGED = sorted(p.name for p in WS.glob("*.py"))
CLEAN = sorted((WS / "clean").glob("*.py"))


@pytest.mark.parametrize("name", FLAGGED)
def test_flagged_fixture(name):
    assert_fixture(WS / name, select=CODES)


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_must_stay_clean(path):
    assert assert_fixture(path, select=CODES) == []
