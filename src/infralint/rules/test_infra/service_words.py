"""Does a piece of text (a skip reason, a condition, a message) talk about a service being unavailable?

Words match as words inside identifiers too (`redis_available`, `DOCKER_HOST`, `dbConnection`),
but not inside longer words (`redistribute` is not `redis`). Platform and interpreter conditions
(`sys.platform == "win32"`, `platform.system()`, `sys.version_info`) are told apart, because a skip
for a platform is legitimate even in a critical suite.
"""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase
from functools import lru_cache

_PLATFORM_MARKERS = re.compile(
    r"sys\.platform|platform\.(?:system|machine|python_implementation|win32_ver|mac_ver)|os\.name\b|"
    r"sys\.version_info|sys\.implementation|sys\.maxsize|\bIS_(?:WIN|WINDOWS|MAC|MACOS|LINUX|PYPY|CPYTHON)\b|"
    r"\b(?:is_win(?:dows)?|is_mac(?:os)?|is_linux|WINDOWS|MS_WINDOWS|PYPY|ON_WINDOWS)\b",
)


@lru_cache(maxsize=32)
def word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all words; spaces in a phrase match any run of spaces, underscores or dashes."""
    parts = []
    for word in sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True):
        phrase = r"[\s_\-]+".join(re.escape(piece) for piece in word.split())
        parts.append(phrase + r"(?:e?s)?")  # plurals: services, databases
    if not parts:
        return None
    # letters on either side make it another word; `_`, digits and punctuation separate words
    return re.compile(r"(?<![a-z])(?:" + "|".join(parts) + r")(?![a-z])", re.IGNORECASE)


def split_camel(text: str) -> str:
    """`redisClient` → `redis Client` so that word matching sees identifier parts."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)


def mentioned_word(text: str, words: tuple[str, ...]) -> str | None:
    """The first configured word the text mentions, or None."""
    pattern = word_pattern(words)
    if pattern is None or not text:
        return None
    match = pattern.search(split_camel(text))
    return match.group(0) if match else None


def is_platform_condition(text: str) -> bool:
    return bool(_PLATFORM_MARKERS.search(text))


def expression_text(source, node: ast.AST | None) -> str:
    """The source of a node, from the file's lines (`ast.get_source_segment` re-splits the whole
    text on every call, which is quadratic over a file)."""
    if node is None or getattr(node, "end_lineno", None) is None:
        return ""
    lines = source.lines
    first, last = node.lineno - 1, node.end_lineno - 1
    if not (0 <= first <= last < len(lines)):
        return ""
    if first == last:
        raw = lines[first].encode("utf-8")[node.col_offset : node.end_col_offset]
        return raw.decode("utf-8", "replace")
    parts = [lines[first].encode("utf-8")[node.col_offset :].decode("utf-8", "replace")]
    parts.extend(lines[first + 1 : last])
    parts.append(lines[last].encode("utf-8")[: node.end_col_offset].decode("utf-8", "replace"))
    return "\n".join(parts)


def string_parts(node: ast.AST | None) -> str:
    """The literal text of a string or f-string expression (the constant parts), else ''."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        return string_parts(node.left) + " " + string_parts(node.right)
    return ""


def name_matches(dotted: str | None, patterns: tuple[str, ...]) -> bool:
    """Whether a dotted name matches one of the glob patterns (case-insensitive).

    A pattern with a dot (`pytest.mark.docker`) is matched against the whole name, one without
    (`*docker*`, `needs_*`) against its last part only, so `require_docker_services` and
    `helpers.require_docker_services` match `*require*` but `docker_client.ping` does not.
    """
    if not dotted:
        return False
    lowered = dotted.lower()
    last = lowered.rsplit(".", 1)[-1]
    for pattern in patterns:
        pattern = pattern.lower()
        if fnmatchcase(lowered if "." in pattern else last, pattern):
            return True
    return False
