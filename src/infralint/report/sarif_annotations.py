"""GitHub annotations derived from a SARIF report, so CI lints once and shows both.

`python -m infralint.report.sarif_annotations infralint.sarif` prints the `github` format of the
findings in the report (the composite action uses it when `annotate` is on). Paths are the SARIF
artifact URIs, relative to the repository root, which is what GitHub expects.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..finding import Finding
from .github import render
from .summary import RunSummary

_SEVERITIES = {"error": "error", "warning": "warning", "note": "info"}


def _path(location: dict) -> str:
    uri = location["artifactLocation"]["uri"]
    # percent-encoded bytes of the file name, which need not be UTF-8
    return unquote(urlparse(uri).path if uri.startswith("file:") else uri, errors="surrogateescape")


def findings_from_sarif(document: dict) -> list[Finding]:
    findings = []
    for run in document.get("runs", []):
        rules = run["tool"]["driver"].get("rules", [])
        for result in run.get("results", []):
            location = result["locations"][0]["physicalLocation"]
            region = location["region"]
            rule = rules[result["ruleIndex"]] if "ruleIndex" in result else {}
            findings.append(
                Finding(
                    code=result["ruleId"],
                    name=rule.get("name", ""),
                    message=result["message"]["text"],
                    path=_path(location),
                    line=region["startLine"],
                    col=region.get("startColumn", 1) - 1,
                    end_line=region.get("endLine", region["startLine"]),
                    end_col=region.get("endColumn", region.get("startColumn", 1)) - 1,
                    severity=_SEVERITIES.get(result.get("level", "error"), "error"),
                )
            )
    return findings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m infralint.report.sarif_annotations REPORT.sarif", file=sys.stderr)
        return 2
    document = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    sys.stdout.write(render(findings_from_sarif(document), RunSummary()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
