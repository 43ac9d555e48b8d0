"""infralint: a linter for the infrastructure anti-patterns that take services down.

The public API below is what the CLI, the flake8 plugin and the language server all call, so the
three can never disagree. It is imported on first use: `import infralint.integrations.flake8`
(which flake8 does on every run, selected or not) must stay cheap.
"""

from . import _safe_path

if _safe_path.running_as_main_module():  # before any other import: see _safe_path
    _safe_path.drop_working_directory()

from .version import __version__  # noqa: E402

# the public API, imported on first use: the command line and the language server start
# without loading the engine until they lint
_EXPORTS = {
    "fix_source": "api", "lint_paths": "api", "lint_source": "api",
    "Config": "config", "ConfigError": "config", "load_config": "config",
    "Edit": "finding", "Finding": "finding", "Fix": "finding", "FixSafety": "finding",
}

__all__ = [
    "Config", "ConfigError", "Edit", "Finding", "Fix", "FixSafety",
    "fix_source", "lint_paths", "lint_source", "load_config", "__version__",
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'infralint' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
