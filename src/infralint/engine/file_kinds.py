"""The files that are not Python source, each read its own way.

A configuration file a rule reads (`pytest.ini`, `tox.ini`…) is handed to those rules alone. A fact
file (YAML, Terraform, nginx, a browser client…) yields facts for the project, and the findings the
project rules place in it once the project is joined.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..finding import Finding
from ..input_warnings import collect_input_warnings
from ..results import FileResult, content_digest
from ..suppression import config_noqa_comments
from .dependencies import recording_dependencies
from .ignores import apply_noqa, ignored_prefixes, not_ignored

if TYPE_CHECKING:
    from .linter import Linter


def lint_config_file(linter: "Linter", data: bytes, display_path: str) -> FileResult:
    """A non-Python file some rule reads (pytest.ini, tox.ini…): only those rules see it."""
    result = FileResult(display_path, digest=content_digest(data))
    text = data.decode("utf-8", "replace")
    name = Path(display_path).name
    for rule in not_ignored(linter.rules, ignored_prefixes(linter.config, display_path)):
        if name not in rule.config_file_names:
            continue
        try:
            result.findings.extend(rule.check_config_file(display_path, text))
        except Exception as exc:  # a rule bug must not stop the run
            result.errors.append(f"internal error in {rule.code} on {display_path}: {type(exc).__name__}: {exc}")
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def non_python_facts(linter: "Linter", result: FileResult, data: bytes) -> None:
    """The facts of a configuration file a rule reads (`pytest.ini`…), when the run collects facts."""
    if not linter.collect_facts:
        return
    from ..project import extract_file

    result.facts = extract_file(result.path, data.decode("utf-8", "replace"), result.digest, linter.enabled)


def lint_fact_file(linter: "Linter", data: bytes, display_path: str, *, project=None, defer: bool = False) -> FileResult:
    """A configuration file (YAML, Terraform, nginx…): its facts, then — once the project is
    joined — the findings project rules place in it, with `#` suppressions on its own lines.

    Linted alone (stdin, the API, an editor buffer without a workspace), the project is the file
    itself, so what one file can show on its own is still reported."""
    from ..project import Project, extract_file

    result = FileResult(display_path, digest=content_digest(data))
    facts = extract_file(display_path, data.decode("utf-8", "replace"), result.digest, linter.enabled)
    if facts is not None:
        result.errors.extend(facts.errors)  # what could not be read is said, not skipped
    if linter.collect_facts:
        result.facts = facts
    rules = not_ignored(linter.fact_file_rules, ignored_prefixes(linter.config, display_path))
    if not rules or facts is None or not facts.facts:
        return result
    if project is None and defer:
        result.deferred = True
        return result
    result.with_project = project is not None  # its cache entry then depends on the whole project
    if project is None:
        project = Project([facts])
    findings: list[Finding] = []
    with recording_dependencies(result, project), collect_input_warnings(result.errors):
        for rule in rules:
            try:
                findings.extend(rule.check_fact_file(facts, project))
            except Exception as exc:  # a rule bug must not stop the run
                result.errors.append(f"internal error in {rule.code} on {display_path}: {type(exc).__name__}: {exc}")
    text = data.decode("utf-8", "replace")
    lines = text.splitlines()
    for finding in findings:  # a finding in a configuration file spans its line
        if finding.end_col == 0 and 0 < finding.line <= len(lines):
            finding.col = len(lines[finding.line - 1]) - len(lines[finding.line - 1].lstrip())
            finding.end_col = len(lines[finding.line - 1].rstrip())
    findings = apply_noqa(linter.enabled, config_noqa_comments(text), display_path, findings)
    result.findings = sorted(findings, key=lambda f: f.sort_key)
    return result


def is_fact_file(linter: "Linter", display_path: str) -> bool:
    """A non-Python file an extractor reads (a browser client, deployment configuration): it
    yields facts for the project, and findings only from the rules placed in such files."""
    wanted = linter.collect_facts or linter.fact_file_rules
    return bool(wanted) and not display_path.endswith((".py", ".pyi")) and reads_facts(display_path)


def reads_facts(display_path: str) -> bool:
    from ..project import wants_file

    return wants_file(display_path)
