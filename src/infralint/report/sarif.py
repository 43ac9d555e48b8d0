"""SARIF 2.1.0 for code-scanning upload: rule metadata from the catalog, results with fixes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from ..baseline import fingerprint
from ..catalog import load_catalog
from ..finding import Finding
from ..version import __version__
from .escape import valid_unicode
from .summary import RunSummary

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
#: the key of the baseline fingerprint in `partialFingerprints` (bump the version if it changes)
FINGERPRINT_KEY = "infralintBaseline/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(path: str, root: Path) -> dict:
    """A location relative to %SRCROOT% (the repository root) when inside it, whatever the current folder."""
    absolute = Path(os.path.abspath(path))
    try:
        return {"uri": _uri_path(absolute.relative_to(root).as_posix()), "uriBaseId": SRCROOT}
    except ValueError:
        return {"uri": _file_uri(absolute)}


def _uri_path(posix: str) -> str:
    """A path as an RFC 3986 URI path: every byte but unreserved ones and `/` percent-encoded, from
    the file name's bytes (so `%`, `:`, spaces and names that are not UTF-8 all survive exactly)."""
    return quote(os.fsencode(posix), safe="/")


def _file_uri(absolute: Path) -> str:
    posix = absolute.as_posix()
    return "file://" + ("" if posix.startswith("/") else "/") + _uri_path(posix)


def _region(start_line: int, start_col: int, end_line: int, end_col: int) -> dict:
    # SARIF columns are 1-based code points (`columnKind` below); infralint's are 0-based characters
    return {"startLine": max(start_line, 1), "startColumn": start_col + 1, "endLine": max(end_line, 1), "endColumn": end_col + 1}


def _rule_descriptor(entry) -> dict:
    help_text = f"{entry.what}\n\nWhy this breaks production: {entry.why}"
    markdown = (
        f"{entry.what}\n\n**Why this breaks production.** {entry.why}\n\n"
        f"Bad:\n```{entry.example_language}\n{entry.bad_example.rstrip()}\n```\n\n"
        f"Good:\n```{entry.example_language}\n{entry.good_example.rstrip()}\n```\n"
    )
    return {
        "id": entry.code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.what},
        "help": {"text": help_text, "markdown": markdown},
        "helpUri": entry.docs_url,
        "defaultConfiguration": {"level": _LEVELS[entry.severity], "enabled": entry.default_enabled},
        "properties": {"family": entry.family, "fixSafety": entry.fix_safety, "tags": [entry.family]},
    }


def _result(finding: Finding, rule_index: dict[str, int], summary: RunSummary, root: Path) -> dict:
    artifact = _artifact(finding.path, root)
    result = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": _LEVELS.get(finding.severity, "error"),
        "message": {"text": valid_unicode(finding.message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": _region(finding.line, finding.col, finding.end_line, finding.end_col),
                }
            }
        ],
        # the baseline's fingerprint: code scanning keeps tracking a finding when lines move
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding, summary.sources.get(finding.path))},
    }
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": f"{finding.fix.title} ({finding.fix.safety.value} fix)"},
                "artifactChanges": [
                    {
                        "artifactLocation": artifact,
                        "replacements": [
                            {
                                "deletedRegion": _region(e.start_line, e.start_col, e.end_line, e.end_col),
                                "insertedContent": {"text": e.content},
                            }
                            for e in finding.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def render(findings: list[Finding], summary: RunSummary) -> str:
    catalog = load_catalog()
    codes = sorted(catalog)
    rule_index = {code: i for i, code in enumerate(codes)}
    root = Path(os.path.abspath(summary.source_root or Path.cwd()))
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "infralint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/infralint/infralint",
                        "rules": [_rule_descriptor(catalog[c]) for c in codes],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": _file_uri(root).rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index, summary, root) for f in findings],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
