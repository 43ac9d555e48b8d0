"""What an `except` clause catches, by the last component of each exception name.

Used by the cleanup family (import guards) and the test-infrastructure family (skips, vacuous tests).
"""

from __future__ import annotations

import ast


def caught_names(handler: ast.ExceptHandler) -> list[str]:
    """`["ImportError"]` for `except ImportError`, `["OSError", "TimeoutError"]` for a tuple,
    `["error"]` for `except socket.error`, `["BaseException"]` for a bare `except:`."""
    if handler.type is None:
        return ["BaseException"]
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = []
    for node in types:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, ast.Name):
            names.append(node.id)
    return names
