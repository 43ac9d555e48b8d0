"""`gitlab`: a GitLab Code Quality report (a JSON list of issues) for merge-request widgets.

Paths are relative to the repository root; the fingerprint is the baseline's (the flagged line and
its neighbours, so it survives lines moving) with the code, path and occurrence, so it is stable
from run to run and unique within a report.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from ..baseline import fingerprint
from ..finding import Finding
from .escape import valid_unicode
from .paths import repository_path
from .summary import RunSummary

_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(findings: list[Finding], summary: RunSummary) -> str:
    seen: Counter = Counter()
    issues = []
    for f in findings:
        path = valid_unicode(repository_path(f.path, summary.source_root))
        key = f"{f.code}\0{path}\0{fingerprint(f, summary.sources.get(f.path))}"
        seen[key] += 1
        issues.append(
            {
                "description": f"{f.code} {valid_unicode(f.message)}",
                "check_name": f.code,
                "fingerprint": hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8", "surrogatepass")).hexdigest()[:32],
                "severity": _SEVERITIES.get(f.severity, "major"),
                "location": {"path": path, "lines": {"begin": max(f.line, 1), "end": max(f.end_line, f.line, 1)}},
            }
        )
    return json.dumps(issues, indent=2) + "\n"
