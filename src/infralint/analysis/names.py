"""Qualified names: what `rd.Redis`, `Redis` or `pytest.skip` refer to, through imports and aliases.

Used by the cleanup, timeout and test-infrastructure families.

Built once per file from every import statement (module level and nested), so `import redis.asyncio
as aioredis; aioredis.Redis(...)` resolves to `redis.asyncio.Redis` and `from pytest import skip as s;
s()` to `pytest.skip`. Names that were never imported resolve to themselves (builtins, locals).
"""

from __future__ import annotations

import ast

from ..source import SourceFile

_IMPORTS = frozenset({ast.Import, ast.ImportFrom})


class ImportMap:
    """Local name → fully qualified name, for every name an import statement binds in the file."""

    def __init__(self, source: SourceFile) -> None:
        self.aliases: dict[str, str] = {}
        self.module_names: set[str] = set()  # top-level modules imported anywhere in the file
        for node in source.nodes_of(_IMPORTS):  # `ast.walk` order, import statements only
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.module_names.add(alias.name.split(".")[0])
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.aliases.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                self.module_names.add(node.module.split(".")[0])
                for alias in node.names:
                    if alias.name != "*":
                        self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualified_name(self, node: ast.AST) -> str | None:
        """`a.b.c` with `a` replaced by what it was imported as; None for anything but names/attributes."""
        chain = attribute_chain(node)
        if chain is None:
            return None
        return ".".join([self.aliases.get(chain[0], chain[0]), *chain[1]])

    def call_name(self, call: ast.Call) -> str | None:
        return self.qualified_name(call.func)

    def last_part(self, node: ast.AST) -> str | None:
        """The last part of `qualified_name(node)` without building it: an attribute's own name, or
        the last part of what a name was imported as (a cheap test before qualifying)."""
        kind = type(node)
        if kind is ast.Attribute:
            return node.attr  # type: ignore[attr-defined]
        if kind is ast.Name:
            return self.aliases.get(node.id, node.id).rpartition(".")[2]  # type: ignore[attr-defined]
        return None

    def imports_module(self, top_level: str) -> bool:
        return top_level in self.module_names


def attribute_chain(node: ast.AST) -> tuple[str, list[str]] | None:
    """(`a`, ["b", "c"]) for `a.b.c`: the name a chain starts at and its attributes in order; None
    for a chain that starts at anything but a name (`f().x`, `items[0].x`)."""
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    attributes.reverse()
    return node.id, attributes


def dotted_name(node: ast.AST) -> str | None:
    """The source spelling of a name or attribute chain (`self.redis.get`), without resolving imports."""
    chain = attribute_chain(node)
    return None if chain is None else ".".join([chain[0], *chain[1]])
