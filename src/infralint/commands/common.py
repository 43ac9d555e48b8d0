"""What several commands share: the configuration resolver and the colour decision."""

from __future__ import annotations

import os

from ..config import ConfigResolver


def resolver_from_args(args) -> ConfigResolver:
    """Each file's nearest configuration (or `--config` for all), with the command-line overrides on top."""
    return ConfigResolver(
        args.config,
        select=args.select,
        extend_select=args.extend_select,
        ignore=args.ignore,
        exclude=getattr(args, "exclude", None),
        extend_exclude=getattr(args, "extend_exclude", ()),
    )


def use_color(choice: str, stream) -> bool:
    """`--color` wins; then `NO_COLOR` and `FORCE_COLOR` (https://no-color.org, https://force-color.org); then the terminal."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()
