"""infralint: a linter for the infrastructure anti-patterns that take services down.

The public API below is what the CLI, the flake8 plugin and the language server all call, so the
three can never disagree.
"""

from . import _safe_path

if _safe_path.running_as_main_module():  # before any other import: see _safe_path
    _safe_path.drop_working_directory()

from .api import fix_source, lint_paths, lint_source  # noqa: E402
from .config import Config, ConfigError, load_config  # noqa: E402
from .finding import Edit, Finding, Fix, FixSafety  # noqa: E402
from .version import __version__

__all__ = [
    "Config", "ConfigError", "Edit", "Finding", "Fix", "FixSafety",
    "fix_source", "lint_paths", "lint_source", "load_config", "__version__",
]
