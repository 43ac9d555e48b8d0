"""Warnings about the input: what a run could not read as written, said once instead of silently.

A reader or a project computation deep below the engine (a YAML alias bomb, a foreign parser
module, an nginx include loop) calls `warn_input(message)`; the engine collects these around the
work of one file (`collect_input_warnings`) into that file's result, whose messages the command
line prints once each, and a result with messages is never cached, so the next run says it again.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Iterator


class InputWarning(UserWarning):
    """Something in the linted tree or the environment was not read as written."""


def warn_input(message: str) -> None:
    warnings.warn(InputWarning(message), stacklevel=2)


@contextmanager
def collect_input_warnings(messages: list[str]) -> Iterator[None]:
    """Add the input warnings raised inside the block to `messages` (as `warning: …`, each once);
    any other warning goes on as if nothing had caught it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        yield
    for item in caught:
        if issubclass(item.category, InputWarning):
            message = f"warning: {item.message}"
            if message not in messages:
                messages.append(message)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno, source=item.source)
