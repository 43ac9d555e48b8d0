"""flake8 as a peer: its own checks (pyflakes, pycodestyle, mccabe), without third-party plugins.

The environment that runs the benchmark has infralint installed, and infralint registers itself as
a flake8 plugin; timing that would measure infralint twice. Run as a script with flake8's arguments.
"""

from __future__ import annotations

import sys

FLAKE8_OWN_PACKAGES = {"flake8", "pyflakes", "pycodestyle", "mccabe"}


def main() -> int:
    from flake8.main import cli
    from flake8.plugins import finder

    find_all = finder.find_plugins

    def own_plugins_only(cfg, opts):
        return [p for p in find_all(cfg, opts) if p.package in FLAKE8_OWN_PACKAGES]

    finder.find_plugins = own_plugins_only
    # flake8's application looks the function up through its module at run time
    return cli.main(sys.argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
