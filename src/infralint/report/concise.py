"""One line per finding, no colour: for editors, grep and scripts."""

from __future__ import annotations

from ..finding import Finding
from .escape import printable
from .summary import RunSummary


#: the longest message a concise line carries; the full text is in `text`, json, sarif and `infralint rule`
MAX_MESSAGE = 200


def short_message(message: str) -> str:
    """A message longer than MAX_MESSAGE shortened to its first sentence, or cut, ending with `…`."""
    if len(message) <= MAX_MESSAGE:
        return message
    end = message.find(". ")
    if 0 < end < MAX_MESSAGE:
        return message[: end + 1] + " …"
    cut = message[: MAX_MESSAGE - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_MESSAGE // 2 else cut).rstrip(" ,;:") + "…"  # at a word's end


def line(finding: Finding) -> str:
    return f"{printable(finding.path)}:{finding.line}:{finding.col + 1}: {finding.code} {printable(short_message(finding.message))}"


def render(findings: list[Finding], summary: RunSummary) -> str:
    return "".join(line(f) + "\n" for f in findings)
