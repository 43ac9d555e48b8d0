"""Questions one family answers for another about the joined project.

A family never imports another family. When one needs what another knows — the timeouts family
asks the deployment configuration for "the deadline of the probe that calls this route" — the
answering family registers a function under a name, and the asking family calls `ask` with that
name and a default for when no family answers (the family is not loaded, or the run has no
configuration):

    @provides("probe_deadline")                      # in the answering family
    def probe_deadline(project, routes, path): ...

    ask("probe_deadline", project, routes, path, default=None)   # in the asking family

Answers are computed from the project's facts and note the facts they used (`project.note`), so
cache keys stay right whichever family computed them.
"""

from __future__ import annotations

from typing import Any, Callable

_answers: dict[str, Callable[..., Any]] = {}


def provides(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as the answer to the question `name` (one answer per name)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _answers[name] = fn
        return fn

    return register


def ask(name: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """The answer to `name`, or `default` when no loaded family answers it."""
    fn = _answers.get(name)
    if fn is None:
        from .loading import load_extractors

        load_extractors()  # every family registers its answers when imported
        fn = _answers.get(name)
    return default if fn is None else fn(*args, **kwargs)
