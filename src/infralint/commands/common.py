"""What several commands share: the effective configuration and the colour decision."""

from __future__ import annotations

import os

from ..config import apply_overrides, load_config


def load_effective_config(args) -> "object":
    config = load_config(args.config)
    return apply_overrides(config, select=args.select, extend_select=args.extend_select, ignore=args.ignore)


def use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()
