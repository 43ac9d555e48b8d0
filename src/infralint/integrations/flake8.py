"""The flake8 plugin: every infralint rule under flake8's `INF` prefix.

flake8 decides what is shown (`--select`, `--extend-ignore`, `per-file-ignores`, `# noqa`); the
plugin runs the same engine as `infralint check`, with the configuration the shared resolver
finds for each file, so codes, lines, columns and messages are identical. Rules that are off by
default in infralint run when flake8's `--select`/`--extend-select` names them exactly.

Installing infralint must not change flake8 runs that do not ask for it: this module imports
nothing heavy, and when flake8's selection excludes every INF code the plugin neither reads
infralint's configuration nor loads the engine (`flake8_engine` does that work, lazily).

flake8 runs plugins only on files that parse, and reports the others itself as E999; select
`INF,E999` to see unparseable files (infralint's own INF001 never comes from the plugin).
"""

from __future__ import annotations

import argparse
from typing import Any, ClassVar, Iterator

from ..version import __version__

PREFIX = "INF"


def _exact_codes(values: Any) -> list[str]:
    """Full infralint codes (`INF003`, not `INF`) named in a flake8 code list option."""
    if not values:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip().upper() for v in values if len(v.strip()) == 6 and v.strip().upper().startswith(PREFIX)]


def inf_selected(options: argparse.Namespace) -> bool:
    """Whether flake8's select/ignore options (command line and configuration) let any INF code through."""
    try:
        from flake8.style_guide import Decision, DecisionEngine

        decisions = DecisionEngine(options)
    except Exception:  # a flake8 without this API: run, and let flake8 filter what is shown
        return True
    return any(decisions.decision_for(f"{PREFIX}{number:03d}") is Decision.Selected for number in range(1000))


class Flake8Plugin:
    """flake8 tree plugin; flake8 instantiates it once per file and iterates `run()`."""

    name = "infralint"
    version = __version__

    #: False when flake8's selection excludes every INF code: then the plugin does nothing at all
    selected: ClassVar[bool] = True
    #: exact INF codes flake8 was asked to select (they may be rules that are off by default)
    extra_codes: ClassVar[tuple[str, ...]] = ()
    honour_noqa: ClassVar[bool] = True
    #: the display name of standard input when flake8 reads it (`flake8 -`), else None
    stdin_name: ClassVar[str | None] = None

    def __init__(self, tree, filename: str, lines: list[str]) -> None:  # `tree` makes it a tree plugin
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager) -> None:
        """No options of its own: configuration lives in `[tool.infralint]` / `infralint.toml`."""

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.selected = inf_selected(options)
        if not cls.selected:
            return
        codes = _exact_codes(getattr(options, "select", None)) + _exact_codes(getattr(options, "extend_select", None))
        cls.extra_codes = tuple(sorted(set(codes)))
        cls.honour_noqa = not getattr(options, "disable_noqa", False)
        filenames = list(getattr(options, "filenames", None) or ())
        cls.stdin_name = (getattr(options, "stdin_display_name", None) or "stdin") if "-" in filenames else None

        from . import flake8_engine

        flake8_engine.configure(cls.extra_codes, cls.honour_noqa, [name for name in filenames if name != "-"])

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not self.selected:
            return
        from .flake8_engine import findings_for

        for finding in findings_for(self.filename, self.lines, is_stdin=self.filename == self.stdin_name):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
