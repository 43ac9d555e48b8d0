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

from .. import __version__
from ..config import Config, apply_overrides, load_config
from ..engine import Linter
from ..finding import Finding

_STDIN_NAMES = {"stdin", "-"}


class _Flake8Linter(Linter):
    """The engine with infralint's own `# noqa` handling switchable, for flake8's `--disable-noqa`."""

    def __init__(self, config: Config, *, honour_noqa: bool) -> None:
        super().__init__(config)
        self.honour_noqa = honour_noqa

    def _suppress(self, source, findings: list[Finding]) -> list[Finding]:
        return super()._suppress(source, findings) if self.honour_noqa else findings


def _exact_codes(values: Any) -> list[str]:
    """Full infralint codes (`INF003`, not `INF`) named in a flake8 code list option."""
    if not values:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip().upper() for v in values if len(v.strip()) == 6 and v.strip().upper().startswith("INF")]


@lru_cache(maxsize=None)
def _config_file_for(folder: Path) -> Path | None:
    from ..config import find_config

    return find_config(folder)


@lru_cache(maxsize=64)
def _linter_for(config_file: Path | None, folder: Path, extra: tuple[str, ...], honour_noqa: bool) -> _Flake8Linter:
    config = load_config(config_file, start=folder)
    if extra:
        from ..catalog import load_catalog

        known = [code for code in extra if code in load_catalog()]
        apply_overrides(config, extend_select=known)
    return _Flake8Linter(config, honour_noqa=honour_noqa)


class Flake8Plugin:
    """flake8 tree plugin; flake8 instantiates it once per file and iterates `run()`."""

    name = "infralint"
    version = __version__

    #: exact INF codes flake8 was asked to select (they may be rules that are off by default)
    extra_codes: ClassVar[tuple[str, ...]] = ()
    honour_noqa: ClassVar[bool] = True

    def __init__(self, tree, filename: str, lines: list[str]) -> None:
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

    def _linter(self, path: Path) -> _Flake8Linter:
        folder = (path.parent if str(path.parent) else Path(".")).resolve()
        return _linter_for(_config_file_for(folder), folder, self.extra_codes, self.honour_noqa)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        path = Path(self.filename)
        from_disk = self.filename not in _STDIN_NAMES and path.is_file()
        linter = self._linter(path if self.filename not in _STDIN_NAMES else Path("stdin"))
        if from_disk:
            # the bytes, as `infralint check` reads them: flake8 falls back to latin-1 for files
            # that do not decode, and those must still be reported as INF002
            try:
                result = linter.lint_bytes(path.read_bytes(), self.filename)
            except OSError:
                result = linter.lint_text("".join(self.lines), self.filename)
        else:
            result = linter.lint_text("".join(self.lines), self.filename)
        for finding in result.findings:
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
