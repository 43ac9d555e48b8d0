"""A stable JSON document: a list of findings (schema documented in the README)."""

from __future__ import annotations

import json

from ..finding import Finding
from .escape import valid_unicode
from .summary import RunSummary


def finding_json(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {
            "safety": finding.fix.safety.value,
            "title": finding.fix.title,
            "edits": [
                {
                    "start": {"line": e.start_line, "column": e.start_col},
                    "end": {"line": e.end_line, "column": e.end_col},
                    "content": e.content,
                }
                for e in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "message": valid_unicode(finding.message),
        "path": valid_unicode(finding.path),
        "range": {
            "start": {"line": finding.line, "column": finding.col},
            "end": {"line": finding.end_line, "column": finding.end_col},
        },
        "severity": finding.severity,
        "fix": fix,
    }


def render(findings: list[Finding], summary: RunSummary) -> str:
    return json.dumps([finding_json(f) for f in findings], indent=2) + "\n"
