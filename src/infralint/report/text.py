"""The human report (`text`, ruff's `full`): findings with the full message and a short code frame, then the totals (rich)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from ..finding import Finding, FixSafety
from .escape import printable, printable_source
from .fixed import fixed_sentence, render_fixed
from .summary import RunSummary


def _frame(lines: list[str], finding: Finding) -> Text:
    text = Text()
    start = max(finding.line - 1, 1)
    end = min(finding.line + 1, len(lines))
    width = len(str(end))
    for number in range(start, end + 1):
        source_line = printable_source(lines[number - 1].expandtabs(1)) if number - 1 < len(lines) else ""
        marker = ">" if number == finding.line else " "
        text.append(f" {marker} {number:>{width}} | ", style="blue")
        text.append(source_line + "\n")
        if number == finding.line:
            start = finding.col  # character columns; a tab is expanded to one space above
            end = finding.end_col if finding.end_line == finding.line else len(source_line)
            text.append(" " * (width + 4) + "| ", style="blue")
            text.append(" " * start + "^" * max(1, end - start) + "\n", style="bold red")
    return text


def render(findings: list[Finding], summary: RunSummary) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=summary.color, no_color=not summary.color, width=120, highlight=False, soft_wrap=True)
    for f in findings:
        header = Text()
        header.append(f"{printable(f.path)}:{f.line}:{f.col + 1}: ", style="bold")
        header.append(f.code, style="bold red")
        header.append(f" {printable(f.message)}")
        if f.fix is not None:
            header.append(f" [{'*' if f.fix.safety is FixSafety.SAFE else '*unsafe'}]", style="cyan")
        console.print(header)
        lines = summary.sources.get(f.path)
        if lines:
            console.print(_frame(lines, f), end="")
        console.print()
    if not summary.quiet:
        _print_summary(console, findings, summary)
    return buffer.getvalue()


def _print_summary(console: Console, findings: list[Finding], summary: RunSummary) -> None:
    if summary.show_fixes and summary.fixed_codes:
        console.print(render_fixed(summary.fixed_codes), end="", style="green")
    elif summary.fixed:
        console.print(fixed_sentence(summary.fixed), style="green")
    if not findings:
        console.print(f"All checks passed ({summary.files} file{'s' if summary.files != 1 else ''}).", style="green")
        return
    safe = sum(1 for f in findings if f.fix and f.fix.safety is FixSafety.SAFE)
    unsafe = sum(1 for f in findings if f.fix and f.fix.safety is FixSafety.UNSAFE)
    # files with findings, not files checked (a count per rule is `--statistics`, as ruff's)
    files = len({f.path for f in findings})
    console.print(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files} file{'s' if files != 1 else ''}.", style="bold")
    if safe or unsafe:
        more = f" ({unsafe} more with --unsafe-fixes)" if unsafe and not summary.unsafe_fixes else ""
        console.print(f"{safe} fixable with --fix{more}.")
