"""infralint: a linter for the infrastructure anti-patterns that take services down.

The public API below is what the CLI, the flake8 plugin and the language server all call, so the
three can never disagree. It is imported on first use: `import infralint.integrations.flake8`
(which flake8 does on every run, selected or not) must stay cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .version import __version__

_EXPORTS = {
    "fix_source": ".api", "lint_paths": ".api", "lint_source": ".api",
    "Config": ".config", "ConfigError": ".config", "load_config": ".config",
    "Edit": ".finding", "Finding": ".finding", "Fix": ".finding", "FixSafety": ".finding",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
