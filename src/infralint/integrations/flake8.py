"""The flake8 plugin: every infralint rule under flake8's `INF` prefix.

flake8 decides what is shown (`--select`, `--extend-ignore`, `per-file-ignores`, `# noqa`); the
plugin runs the same engine as `infralint check`, configured from the `[tool.infralint]` table of
the nearest `pyproject.toml`, so codes, lines, columns and messages are identical. Rules that are
off by default in infralint run when flake8's `--select`/`--extend-select` names them exactly.

One difference is inherent: flake8 runs plugins only on files that parse, and reports the others
itself as E999, so INF001 never comes from the plugin.
"""

from __future__ import annotations

import argparse
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Iterator

from flake8.exceptions import ExecutionError

from ..catalog import load_catalog
from ..config import Config, ConfigError, apply_overrides, find_config, load_config
from ..engine import Linter
from ..finding import Finding
from ..source import decode_source
from ..version import __version__


class _Flake8Linter(Linter):
    """The engine with infralint's own `# noqa` handling switchable, for flake8's `--disable-noqa`."""

    def __init__(self, config: Config, *, honour_noqa: bool) -> None:
        super().__init__(config)
        self.honour_noqa = honour_noqa

    def _suppress(self, source, findings: list[Finding]) -> list[Finding]:
        judged = super()._suppress(source, findings)
        if self.honour_noqa:
            return judged
        # keep everything, plus the unused-noqa findings the comments earned
        original = {id(f) for f in findings}
        return findings + [f for f in judged if id(f) not in original]


def _exact_codes(values: Any) -> list[str]:
    """Full infralint codes (`INF003`, not `INF`) named in a flake8 code list option."""
    if not values:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip().upper() for v in values if len(v.strip()) == 6 and v.strip().upper().startswith("INF")]


@lru_cache(maxsize=None)
def _config_file_for(folder: Path) -> Path | None:
    return find_config(folder)


@lru_cache(maxsize=64)
def _linter_for(config_file: Path | None, extra: tuple[str, ...], honour_noqa: bool) -> _Flake8Linter:
    config = load_config(config_file) if config_file is not None else Config()
    known = [code for code in extra if code in load_catalog()]
    if known:
        apply_overrides(config, extend_select=known)
    return _Flake8Linter(config, honour_noqa=honour_noqa)


class Flake8Plugin:
    """flake8 tree plugin; flake8 instantiates it once per file and iterates `run()`."""

    name = "infralint"
    version = __version__

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
        """No options of its own: configuration lives in `[tool.infralint]`."""

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        codes = _exact_codes(getattr(options, "select", None)) + _exact_codes(getattr(options, "extend_select", None))
        cls.extra_codes = tuple(sorted(set(codes)))
        cls.honour_noqa = not getattr(options, "disable_noqa", False)
        reads_stdin = "-" in (getattr(options, "filenames", None) or ())
        cls.stdin_name = (getattr(options, "stdin_display_name", None) or "stdin") if reads_stdin else None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        path = Path(self.filename)
        linter = _linter_for_folder(path.parent, self.extra_codes, self.honour_noqa)
        text = "".join(self.lines)
        result = None
        if not text.isascii() and self.filename != self.stdin_name:
            # flake8 silently falls back to latin-1 for a file that does not decode; infralint
            # reports that file as INF002, so judge the bytes as `infralint check` does
            try:
                data = path.read_bytes()
            except OSError:
                data = None
            if data is not None and not _decodes(data):
                result = linter.lint_bytes(data, self.filename)
        if result is None:
            result = linter.lint_text(text, self.filename)
        for finding in result.findings:
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)


def _decodes(data: bytes) -> bool:
    try:
        decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return False
    return True


def _linter_for_folder(folder: Path, extra: tuple[str, ...], honour_noqa: bool) -> _Flake8Linter:
    """One engine per configuration file (files without one share the defaults)."""
    try:
        return _linter_for(_config_file_for(folder.resolve()), extra, honour_noqa)
    except ConfigError as exc:
        # flake8 prints this as a critical error in one line and exits 1, without a traceback
        raise ExecutionError(f"infralint: {exc}") from None
