"""The flake8 plugin: every infralint rule under flake8's `INF` prefix.

flake8 decides what is shown (`--select`, `--extend-ignore`, `per-file-ignores`, `# noqa`); the
plugin runs the same engine as `infralint check`, with the configuration the shared resolver
finds for each file, so codes, lines, columns and messages are identical. Rules that are off by
default in infralint run when flake8's `--select`/`--extend-select` names them exactly.

Installing infralint does not change flake8 runs that do not ask for it. flake8 adds the code of
every installed plugin to its default selection (`extend_default_select`), and its own opt-out,
`off_by_default`, unloads the plugin unless `--enable-extensions` names it, so `--select INF` alone
could not turn it on. The plugin therefore stays registered but idle unless the user's flake8
options ask for it: `select`/`extend-select` (command line or configuration file) naming an INF code
or a prefix of one, with flake8's ignore options leaving an INF code selected. An idle plugin
neither reads infralint's configuration nor loads the engine (`flake8_engine` does that work,
lazily); this module imports nothing heavy.

flake8 runs plugins only on files that parse, and reports the others itself as E999; select
`INF,E999` to see unparseable files (infralint's own INF001 never comes from the plugin).
"""

from __future__ import annotations

import argparse
from typing import Any, ClassVar, Iterator

from ..version import __version__

PREFIX = "INF"


def _codes(values: Any) -> list[str]:
    """The codes of a flake8 code list option (a list, or a comma-separated string), upper case."""
    if not values:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [code for code in (v.strip().upper() for v in values) if code]


def _exact_codes(values: Any) -> list[str]:
    """Full infralint codes (`INF003`, not `INF`) named in a flake8 code list option."""
    return [code for code in _codes(values) if len(code) == 6 and code.startswith(PREFIX)]


def _asked_for(options: argparse.Namespace) -> bool:
    """Whether the user's own select options name INF: flake8's default selection (every plugin) does not count.

    `INF`, `INF1`, `INF101` count, and so do `I` and `IN`, which flake8 also matches INF codes by.
    """
    chosen = _codes(getattr(options, "select", None)) + _codes(getattr(options, "extend_select", None))
    return any(code.startswith(PREFIX) or PREFIX.startswith(code) for code in chosen)


def inf_selected(options: argparse.Namespace) -> bool:
    """Whether the user asked for INF codes and flake8's select/ignore options let any of them through."""
    if not _asked_for(options):
        return False
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
