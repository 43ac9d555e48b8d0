"""What the configuration readers return, as JSON values for the facts (`TerraformBlock.block`,
`NginxTree.directives`, `YamlDocument.document`) and back. Apart from the fact kinds, so a run
that reads no configuration file never loads the readers.
"""

from __future__ import annotations

from typing import Any

from ...formats.nginx import Directive
from ...formats.terraform import Attribute, Block
from ...formats.values import Ref, Unresolved
from ...formats.yaml_docs import YMap


def encode_value(value: Any) -> Any:
    if isinstance(value, Ref):
        return {"$ref": str(value)}
    if isinstance(value, Unresolved):
        return {"$expr": value.text}
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode_value(v) for k, v in value.items()}
    return value


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return Ref(tuple(str(value["$ref"]).split(".")))
        if set(value) == {"$expr"}:
            return Unresolved(str(value["$expr"]))
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def encode_block(block: Block) -> dict:
    return {
        "type": block.type,
        "labels": list(block.labels),
        "line": block.line,
        "end_line": block.end_line,
        "attributes": {name: [encode_value(a.value), a.line] for name, a in block.attributes.items()},
        "blocks": [encode_block(b) for b in block.blocks],
    }


def decode_block(data: dict) -> Block:
    block = Block(data.get("type", ""), tuple(data.get("labels", ())), data.get("line", 1), data.get("end_line", 1))
    for name, (value, line) in (data.get("attributes") or {}).items():
        block.attributes[name] = Attribute(name, decode_value(value), line)
    block.blocks = [decode_block(b) for b in data.get("blocks") or ()]
    return block


def encode_directives(directives: list[Directive]) -> list:
    return [[d.name, d.args, d.line, None if d.block is None else encode_directives(d.block)] for d in directives]


def decode_directives(data: list, path: str) -> list[Directive]:
    return [Directive(name, list(args), line, None if block is None else decode_directives(block, path), path) for name, args, line, block in data]


def encode_yaml(value: Any) -> Any:
    """YMaps keep their lines: {"$map": {...}, "$line": n, "$keys": {key: line}} (string keys only)."""
    if isinstance(value, YMap):
        items = {str(k): encode_yaml(v) for k, v in value.items() if isinstance(k, (str, int, float, bool))}
        return {"$map": items, "$line": value.line, "$keys": {str(k): line for k, line in value.key_lines.items() if isinstance(k, (str, int, float, bool))}}
    if isinstance(value, list):
        return [encode_yaml(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # dates and other scalars: their text


def decode_yaml(value: Any) -> Any:
    if isinstance(value, dict) and "$map" in value:
        mapping = YMap()
        mapping.line = value.get("$line", 1)
        for key, item in value["$map"].items():
            mapping[key] = decode_yaml(item)
        mapping.key_lines = dict(value.get("$keys") or {})
        return mapping
    if isinstance(value, list):
        return [decode_yaml(v) for v in value]
    return value
