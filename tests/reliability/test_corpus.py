"""The whole standard library and every installed package, linted with every rule: no internal error,
and every file is either linted or reported as undecodable or unparsable (INF002/INF001)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infralint.engine import lint_files

from .corpus import every_rule_config, python_accepts, python_files, site_packages_folders, stdlib_folder

pytestmark = pytest.mark.slow

UNREADABLE = {"INF001", "INF002"}


def _corpus_problems(files: list[Path], root: Path) -> tuple[list[str], int]:
    problems: list[str] = []
    results = lint_files(files, every_rule_config(root), jobs=2)
    seen = 0
    for path, result in zip(files, results, strict=True):
        seen += 1
        problems.extend(f"{path}: {message}" for message in result.errors)
        codes = {f.code for f in result.findings}
        parses = python_accepts(path.read_bytes())
        if parses and codes & UNREADABLE:
            problems.append(f"{path}: reported as {sorted(codes & UNREADABLE)} but Python compiles it")
        if not parses and not codes & UNREADABLE and "infralint: skip-file" not in path.read_text(errors="replace"):
            problems.append(f"{path}: Python cannot parse it, yet it was not reported as INF001/INF002")
    return problems, seen


@pytest.mark.parametrize("name", ["stdlib", "site-packages"])
def test_every_file_is_linted_or_reported(name, tmp_path):
    folders = [stdlib_folder()] if name == "stdlib" else site_packages_folders()
    files = [f for folder in folders for f in python_files(folder)]
    assert len(files) > 100, f"no {name} corpus found under {folders}"
    problems, seen = _corpus_problems(files, tmp_path)
    assert seen == len(files)
    assert not problems, f"{len(problems)} problem(s) in {len(files)} files:\n" + "\n".join(problems[:40])
