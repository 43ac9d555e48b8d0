"""INF101 after a star import: Django-style settings layering (`from .base import *` then
`INSTALLED_APPS += [...]`) reads a name the star import provides. A star import of a module the
project cannot resolve may provide any name; one of a project module provides only its names."""

from __future__ import annotations

from infralint.api import lint_source

from ...conftest import config_for

LAYERED = 'from .base import *  # noqa: F403\n\nINSTALLED_APPS += ["debug_toolbar"]\nDEBUG = True\n'


def lint_settings(tmp_path, base: str | None, text: str = LAYERED):
    package = tmp_path / "settings"
    package.mkdir()
    (package / "__init__.py").write_text("")
    if base is not None:
        (package / "base.py").write_text(base)
    path = package / "dev.py"
    path.write_text(text)
    return [(f.code, f.line) for f in lint_source(text, str(path), config_for(["INF101"]))]


def test_a_name_the_star_imported_project_module_binds_is_defined(tmp_path):
    assert lint_settings(tmp_path, 'INSTALLED_APPS = ["django.contrib.admin"]\n') == []


def test_an_unresolvable_star_import_may_provide_it(tmp_path):
    assert lint_settings(tmp_path, None) == []


def test_a_star_import_of_a_module_without_the_name_does_not_hide_the_error(tmp_path):
    assert lint_settings(tmp_path, "DEBUG = False\n") == [("INF101", 3)]


def test_without_a_star_import_the_augmented_assignment_is_still_a_name_error(tmp_path):
    assert lint_settings(tmp_path, 'INSTALLED_APPS = ["a"]\n', 'INSTALLED_APPS += ["debug_toolbar"]\n') == [("INF101", 1)]
