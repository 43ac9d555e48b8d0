"""The real-code corpora of the reliability tests: this interpreter's standard library and site-packages."""

from __future__ import annotations

import os
import site
import sysconfig
import warnings
from pathlib import Path

from infralint.catalog import load_catalog
from infralint.config import Config, apply_overrides
from infralint.source import decode_source

_NEVER_WALKED = {"__pycache__", "site-packages", "dist-packages"}


def stdlib_folder() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def site_packages_folders() -> list[Path]:
    folders = {Path(p) for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()}
    return sorted(folders)


def python_files(top: Path) -> list[Path]:
    """Every `.py` file under `top`, not descending into nested site-packages or caches."""
    found = []
    for folder, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in _NEVER_WALKED)
        found.extend(Path(folder, name) for name in sorted(filenames) if name.endswith(".py"))
    return found


def every_rule_config(root: Path) -> Config:
    """Every rule in the catalog (off-by-default ones too), no `.gitignore` filtering."""
    config = Config(root=root, respect_gitignore=False)
    return apply_overrides(config, select=sorted(load_catalog()))


def python_accepts(data: bytes) -> bool:
    """Whether importing the file would get past decoding, parsing and compiling (INF001/INF002's
    promise), judged independently of the linter: compiled to bytecode, which is never run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(decode_source(data), "<corpus>", "exec", dont_inherit=True)
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError, RecursionError, MemoryError):
        return False
    return True
