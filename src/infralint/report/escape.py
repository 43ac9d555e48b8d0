"""Text from the linted tree, made safe to print: file names and messages carry what the tree chose.

A file name may hold an escape sequence (it would recolour or rewrite the terminal, or hide lines
in a CI log), a newline (it would forge a report line), a bidirectional override, or bytes that
are not UTF-8 (kept by Python as lone surrogates, which no UTF-8 output can write). Human formats
show all of these as visible escapes; machine formats get valid Unicode.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidirectional embeddings/overrides/isolates, lone surrogates
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character, bidi control and undecodable byte shown as an escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟: one column, so a caret below still lines up
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable_source(line: str) -> str:
    """A source line for a code frame: unsafe characters become one visible character each."""
    if not _UNSAFE.search(line):
        return line
    return _UNSAFE.sub(lambda m: _picture(m.group()), line)


def valid_unicode(text: str) -> str:
    """`text` writable as UTF-8: undecodable file-name bytes (lone surrogates) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text
