"""Baselines for gradual adoption: record today's findings, report only new ones later.

An entry matches a finding by rule code, file path and a fingerprint of the flagged line together
with its nearest non-blank neighbours (whitespace normalised) — never by line number, so edits
elsewhere in the file do not bring an accepted finding back. Entries are a multiset: two identical
findings in one file need two entries, and a third identical finding is reported as new.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .finding import Finding
from .safe_files import write_report_file

FORMAT_VERSION = 1
_SPACE_RE = re.compile(r"\s+")


class BaselineError(Exception):
    """The baseline file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class BaselineKey:
    code: str
    path: str
    fingerprint: str


def _normalise(line: str) -> str:
    return _SPACE_RE.sub(" ", line).strip()


def _neighbour(lines: Sequence[str], index: int, step: int) -> str:
    """The nearest non-blank line from `index` in direction `step` ("" past either end)."""
    index += step
    while 0 <= index < len(lines):
        text = _normalise(lines[index])
        if text:
            return text
        index += step
    return ""


def fingerprint(finding: Finding, lines: Sequence[str] | None) -> str:
    """A digest of the flagged line and its nearest non-blank neighbours, whitespace normalised."""
    if lines and 1 <= finding.line <= len(lines):
        index = finding.line - 1
        window = [_neighbour(lines, index, -1), _normalise(lines[index]), _neighbour(lines, index, 1)]
    else:
        window = ["", "", ""]  # an unreadable file: the code and path identify it
    return hashlib.sha256("\n".join(window).encode("utf-8")).hexdigest()[:20]


def baseline_path(path: str, root: Path) -> str:
    """The path as stored in a baseline: POSIX, relative to the project root when inside it."""
    candidate = Path(path)
    try:
        absolute = candidate if candidate.is_absolute() else (Path.cwd() / candidate)
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return candidate.as_posix()


def key_for(finding: Finding, lines: Sequence[str] | None, root: Path) -> BaselineKey:
    return BaselineKey(finding.code, baseline_path(finding.path, root), fingerprint(finding, lines))


def write_baseline(target: Path, findings: Iterable[Finding], sources: Mapping[str, Sequence[str]], root: Path) -> int:
    """Record every finding; returns the number of entries written."""
    entries = []
    for finding in findings:
        key = key_for(finding, sources.get(finding.path), root)
        # line and message are for people reading the file; matching ignores them
        entries.append({"code": key.code, "path": key.path, "fingerprint": key.fingerprint, "line": finding.line, "message": finding.message})
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))
    document = {"version": FORMAT_VERSION, "tool": "infralint", "entries": entries}
    try:
        write_report_file(Path(target), (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"{target}: cannot write baseline: {exc.strerror or exc}") from exc
    return len(entries)


def load_baseline(source: Path) -> Counter[BaselineKey]:
    try:
        document = json.loads(Path(source).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(f"{source}: baseline file not found (create it with --write-baseline)") from exc
    except OSError as exc:
        raise BaselineError(f"{source}: cannot read baseline: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{source}: not a baseline file (invalid JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION or not isinstance(document.get("entries"), list):
        raise BaselineError(f"{source}: not an infralint baseline (version {FORMAT_VERSION} with an `entries` list expected)")
    keys: Counter[BaselineKey] = Counter()
    for number, entry in enumerate(document["entries"]):
        try:
            keys[BaselineKey(str(entry["code"]), str(entry["path"]), str(entry["fingerprint"]))] += 1
        except (KeyError, TypeError) as exc:
            raise BaselineError(f"{source}: entry {number} lacks code, path or fingerprint") from exc
    return keys


def new_findings(
    findings: Iterable[Finding], baseline: Counter[BaselineKey], sources: Mapping[str, Sequence[str]], root: Path
) -> tuple[list[Finding], int]:
    """The findings not covered by the baseline, and how many were covered."""
    remaining = Counter(baseline)
    fresh: list[Finding] = []
    matched = 0
    for finding in findings:
        key = key_for(finding, sources.get(finding.path), root)
        if remaining[key] > 0:
            remaining[key] -= 1
            matched += 1
        else:
            fresh.append(finding)
    return fresh, matched
