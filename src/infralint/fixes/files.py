"""Fix a file on disk or a buffer from standard input, keeping everything the fix does not own.

Bytes in, the same bytes out when nothing changes; when something does, the file keeps its
declared encoding, its BOM and its line ends (`DecodedSource.encode`). On disk, a symbolic link
is written through to its target, whose owner, group and mode are kept (`safe_files`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..results import FileResult, content_digest
from ..safe_files import ChangedOnDisk, describe_os_error, read_regular_file, write_fixed_file
from ..source import DecodedSource
from .edits import unified_diff

if TYPE_CHECKING:
    from ..engine import Linter
    from .loop import FixOutcome
    from ..finding import Finding


@dataclass
class BufferFix:
    """What `--fix --stdin-filename` prints: the (possibly) fixed bytes, and the diff if asked."""

    data: bytes
    outcome: "FixOutcome | None" = None
    diffs: list[str] = field(default_factory=list)


def fix_buffer(linter: "Linter", data: bytes, name: str, *, unsafe: bool) -> BufferFix:
    """Fix a buffer (an editor's unsaved text); undecodable input comes back byte for byte."""
    try:
        decoded = DecodedSource.from_bytes(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return BufferFix(data)
    refusal = _unwritable_encoding(decoded, data, name)
    if refusal:
        return BufferFix(data, _refused_outcome(linter, decoded.text, name, refusal))
    outcome = linter.fix_text(decoded.text, name, unsafe=unsafe)
    if not outcome.changed:
        return BufferFix(data, outcome)
    try:
        fixed = decoded.encode(outcome.text)
    except UnicodeEncodeError:
        outcome.errors.append(f"{name}: not fixed: the fixed text cannot be written in the buffer's encoding ({decoded.encoding})")
        return BufferFix(data, outcome)
    return BufferFix(fixed, outcome, [unified_diff(name, decoded.text, outcome.text)])


def _unwritable_encoding(decoded: DecodedSource, data: bytes, name: str) -> str | None:
    """Why a file's declared encoding cannot carry a fix, or None.

    Some codecs Python accepts in a coding comment do not write back what they read
    (`unicode_escape` turns every line end into a `\\n` escape: the file would become one
    line). Encoding the unchanged text must give the same bytes, or the file is not fixed.
    """
    try:
        same = decoded.encode(decoded.text) == data
    except (UnicodeEncodeError, LookupError):
        same = False
    if same:
        return None
    return f"{name}: not fixed: its declared encoding ({decoded.encoding}) does not write back the bytes it reads"


def _refused_outcome(linter: "Linter", text: str, name: str, reason: str) -> "FixOutcome":
    """The outcome of a fix not attempted: every finding stands, with the reason as an error."""
    from .loop import FixOutcome

    findings = linter.lint_text(text, name).findings
    return FixOutcome(text, text, remaining=findings, errors=[reason])


@dataclass
class FileFix:
    """What fixing one file on disk did: the diff (`diff_only`), or whether it was written and
    the findings whose fixes it now holds."""

    diff: str | None = None
    written: bool = False
    applied: list["Finding"] = field(default_factory=list)


def fix_file(linter: "Linter", path: Path, result: FileResult, *, unsafe: bool, diff_only: bool, project=None) -> FileFix:
    """Fix one linted file in place (or give its diff with `diff_only`); problems go to `result.errors`.

    The file is left alone when it vanished, cannot be read, or changed on disk since it was
    linted (an editor saved meanwhile): its findings then stand as reported. Once written,
    `result` holds the file's remaining findings as this file alone sees them and the number of
    findings fixed; what other files say of it is refreshed by the caller, which lints again.
    """
    try:
        data = read_regular_file(path)
    except OSError as exc:
        result.errors.append(f"{result.path}: not fixed: {describe_os_error(exc)}")
        return FileFix()
    if result.digest and content_digest(data) != result.digest:
        result.errors.append(f"{result.path}: changed on disk while being linted; not fixed")
        return FileFix()
    try:
        decoded = DecodedSource.from_bytes(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return FileFix()  # reported as INF002 already; nothing to fix
    refusal = _unwritable_encoding(decoded, data, result.path)
    if refusal:
        result.errors.append(refusal)
        return FileFix()
    outcome = linter.fix_text(decoded.text, result.path, unsafe=unsafe, project=project)
    result.errors.extend(outcome.errors)
    if not outcome.changed:
        return FileFix()
    if diff_only:
        return FileFix(diff=unified_diff(result.path, decoded.text, outcome.text))
    try:
        write_fixed_file(path, decoded.encode(outcome.text), expected=data)
    except ChangedOnDisk:
        result.errors.append(f"{result.path}: changed on disk while being fixed; not fixed")
        return FileFix()
    except UnicodeEncodeError:
        result.errors.append(f"{result.path}: not fixed: the fixed text cannot be written in the file's encoding ({decoded.encoding})")
        return FileFix()
    except OSError as exc:
        result.errors.append(f"{result.path}: not fixed: cannot write ({describe_os_error(exc)})")
        return FileFix()
    result.findings = outcome.remaining
    result.fixed = len(outcome.applied)
    return FileFix(written=True, applied=outcome.applied)
