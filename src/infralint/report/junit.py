"""`junit`: JUnit XML, one failing testcase per finding (a passing one when there is none), which
CI systems (GitLab, Jenkins, Azure) show as test results."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from ..finding import Finding
from .escape import valid_unicode
from .summary import RunSummary


def render(findings: list[Finding], summary: RunSummary) -> str:
    count = str(max(len(findings), 1))
    failures = str(len(findings))
    suites = ElementTree.Element("testsuites", name="infralint", tests=count, failures=failures, errors="0")
    suite = ElementTree.SubElement(suites, "testsuite", name="infralint", tests=count, failures=failures, errors="0", skipped="0")
    for f in findings:
        path = valid_unicode(f.path)
        where = f"{path}:{f.line}:{f.col + 1}"
        case = ElementTree.SubElement(suite, "testcase", classname=path, name=f"{f.code} {where}", file=path, line=str(f.line))
        failure = ElementTree.SubElement(case, "failure", message=_xml_text(f.message), type=f.code)
        failure.text = _xml_text(f"{where}: {f.code} {f.message}")
    if not findings:
        ElementTree.SubElement(suite, "testcase", classname="infralint", name="no findings")
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _xml_text(text: str) -> str:
    """XML 1.0 allows no control characters but tab and line breaks: others shown as `\\xNN`."""
    text = valid_unicode(text)
    return "".join(c if c >= " " or c in "\t\n\r" else f"\\x{ord(c):02x}" for c in text)
