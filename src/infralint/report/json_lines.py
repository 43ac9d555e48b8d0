"""`json-lines`: one JSON object per finding per line (the `json` format's objects), for streaming."""

from __future__ import annotations

import json

from ..finding import Finding
from .json import finding_json
from .summary import RunSummary


def render(findings: list[Finding], summary: RunSummary) -> str:
    return "".join(json.dumps(finding_json(f)) + "\n" for f in findings)
