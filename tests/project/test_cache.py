"""Cache keys of findings computed from other files: editing settings.py refreshes health.py only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from infralint import engine
from infralint.cache import ResultCache
from infralint.engine import lint_files

from ..conftest import config_for
from .health_project import HEALTH, SETTINGS

ROUTES = "def list_rooms():\n    return []\n"


@pytest.fixture
def service(tmp_path: Path) -> Path:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS.format(timeout=30))
    (package / "health.py").write_text(HEALTH)
    (package / "routes.py").write_text(ROUTES)
    return tmp_path


def _run(root: Path, linted: list[str]) -> dict[str, list[str]]:
    config = config_for(["INF303"])
    cache = ResultCache(root, config.fingerprint(), False)
    files = sorted((root / "app").glob("*.py"))
    results = {Path(r.path).name: [f.message for f in r.findings] for r in lint_files(files, config, cache=cache)}
    cache.save()
    return results


@pytest.fixture
def linted(monkeypatch) -> list[str]:
    """The names of the files each run lints (not served from the cache)."""
    names: list[str] = []
    real = engine.lint_path

    def recording(linter, path, *args, **kwargs):
        names.append(Path(path).name)
        return real(linter, path, *args, **kwargs)

    # every path to a fresh lint of a file on disk: phase one's scheduling and phase two's lints
    monkeypatch.setattr(engine.scheduling, "lint_path", recording)
    return names


def test_editing_a_constant_in_settings_refreshes_the_health_finding_only(service, linted):
    cold = _run(service, linted)
    assert cold["health.py"] and "30.0 s × 2 attempts" in cold["health.py"][0]
    assert sorted(set(linted)) == ["__init__.py", "health.py", "routes.py", "settings.py"]

    linted.clear()
    assert _run(service, linted) == cold
    assert linted == []  # nothing changed: everything from the cache

    settings = service / "app" / "settings.py"
    settings.write_text(SETTINGS.format(timeout=20))
    os.utime(settings, ns=(1_000_000_000, 1_000_000_000))  # an old mtime: the stat shortcut must not hide it
    linted.clear()
    warm = _run(service, linted)
    assert sorted(set(linted)) == ["health.py", "settings.py"]  # the edited file and the one that read it
    assert "20.0 s × 2 attempts" in warm["health.py"][0]
    assert warm["routes.py"] == cold["routes.py"]


def test_a_file_added_since_refreshes_findings_computed_with_the_project(service, linted):
    """A lookup that found nothing records no dependency: the new file must still count."""
    settings = service / "app" / "settings.py"
    settings.unlink()
    before = _run(service, [])
    assert not any("30.0 s × 2 attempts" in m for m in before["health.py"])  # nothing to resolve the timeout from

    settings.write_text(SETTINGS.format(timeout=30))
    linted.clear()
    warm = _run(service, linted)
    assert "settings.py" in linted and "health.py" in linted
    assert warm["health.py"] and "30.0 s × 2 attempts" in warm["health.py"][0]
    assert "routes.py" not in linted  # computed without the project: still served from the cache
