"""`infralint lsp`: the language server over stdio (needs the `lsp` extra)."""

from __future__ import annotations

from ..exits import UsageError


def run_lsp() -> int:
    try:
        from ..integrations.lsp import serve
    except ImportError as exc:
        raise UsageError(f"the language server needs pygls: pip install 'infralint[lsp]' ({exc})") from exc
    serve()
    return 0
