"""Terraform (`.tf`) files: blocks with their start/end lines, attribute values read literally.

python-hcl2 parses (its Lark tree keeps positions); this module turns the tree into `Block`s whose
attribute values are Python literals, `Ref`s (`var.x`, `local.y`, `aws_lb.api.arn`) or `Unresolved`
for anything computed. `Module` resolves `var.x` to the default of the same module's variable and
`local.y` to a literal local; anything else stays unresolved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..input_warnings import warn_input
from .values import Ref, Unresolved


class TerraformSyntaxError(ValueError):
    """The file is not valid HCL2 (the message carries the parser's line when it gives one)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Attribute:
    name: str
    value: Any
    line: int


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    line: int
    end_line: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        attribute = self.attributes.get(name)
        return default if attribute is None else attribute.value

    def line_of(self, name: str) -> int:
        attribute = self.attributes.get(name)
        return attribute.line if attribute else self.line

    def children(self, type_name: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_name]

    def walk(self) -> Iterator[Block]:
        stack = [self]
        while stack:
            block = stack.pop()
            yield block
            stack.extend(reversed(block.blocks))

    @property
    def address(self) -> str:
        """`google_compute_backend_service.api` for a resource, the labels joined otherwise."""
        return ".".join(self.labels)


@dataclass
class TerraformFile:
    path: str
    blocks: list[Block]

    def resources(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.type == "resource" and len(b.labels) == 2 and b.labels[0] in types]


def read_terraform(text: str, path: str) -> TerraformFile:
    """Parse one `.tf` file; raise TerraformSyntaxError if it is not HCL2 (or cannot be read here:
    both are said as input warnings, so a run that read no Terraform never looks clean)."""
    parse, problem = _parser()
    if parse is None:
        warn_input(problem)  # the same words for every file: said once
        raise TerraformSyntaxError(problem)
    from lark.exceptions import LarkError

    try:
        tree = parse(text if text.endswith("\n") else text + "\n")
    except LarkError as exc:
        error = TerraformSyntaxError(f"not valid HCL: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", getattr(exc, "line", 1) or 1)
    except Exception as exc:  # the parser's own bugs must not stop the run
        error = TerraformSyntaxError(f"not readable as HCL: {type(exc).__name__}")
    else:
        body = _first_child(tree, "body")
        return TerraformFile(path, _read_body(body) if body is not None else [])
    warn_input(f"{path}:{error.line}: Terraform file not read: {error}")
    raise error


_PARSER: tuple | None = None


def _parser():
    """python-hcl2's `parses_to_tree`, checked once per process on a known snippet: another
    distribution's `hcl2` (bc-python-hcl2, which checkov installs over it) has the same module
    name and reads nothing the way this module expects. (None, why) when it cannot be used."""
    global _PARSER
    if _PARSER is None:
        _PARSER = _checked_parser()
    return _PARSER


def _checked_parser():
    try:
        import hcl2  # lazy: only runs that contain Terraform files import it
    except Exception as exc:
        return None, f"Terraform files are not read: the `hcl2` module (python-hcl2) cannot be imported ({type(exc).__name__}: {exc})"
    where = getattr(hcl2, "__file__", None) or "an unknown place"
    foreign = (
        f"Terraform files are not read: the `hcl2` module imported from {where} is not python-hcl2 as infralint "
        "needs it ({}); another distribution installs a module of the same name (bc-python-hcl2, "
        "which checkov requires) — install infralint in its own environment, or reinstall python-hcl2"
    )
    parse = getattr(hcl2, "parses_to_tree", None)
    if not callable(parse):
        return None, foreign.format("it has no `parses_to_tree`")
    try:
        tree = parse('probe = "x"\n')
        usable = _is_tree(tree) and _first_child(tree, "body") is not None
    except Exception as exc:
        return None, foreign.format(f"it fails on a one-line file: {type(exc).__name__}")
    if not usable:
        return None, foreign.format("its syntax tree has no `body`")
    return parse, ""


# -- the Lark tree -> Blocks --------------------------------------------------------------------


def _is_tree(node) -> bool:
    return hasattr(node, "data") and hasattr(node, "children")


def _first_child(node, data: str):
    for child in node.children:
        if _is_tree(child) and child.data == data:
            return child
    return None


def _read_body(body) -> list[Block]:
    """Blocks of a body; the body's attributes are returned by `_read_block` (iterative, any depth)."""
    top: list[Block] = []
    root = Block("", (), 0, 0)
    stack = [(body, root)]
    while stack:
        node, owner = stack.pop()
        for child in node.children:
            if not _is_tree(child):
                continue
            if child.data == "attribute":
                name = _token_text(child.children[0])
                owner.attributes[name] = Attribute(name, _value(child.children[-1]), child.meta.line)
            elif child.data == "block":
                block = _new_block(child)
                owner.blocks.append(block)
                inner = _first_child(child, "body")
                if inner is not None:
                    stack.append((inner, block))
    top = root.blocks
    return top


def _new_block(node) -> Block:
    type_name = ""
    labels: list[str] = []
    for child in node.children:
        if not _is_tree(child):
            continue
        if child.data == "identifier" and not type_name:
            type_name = _token_text(child)
        elif child.data == "identifier":
            labels.append(_token_text(child))
        elif child.data == "string":
            labels.append(_plain_string(child) or "")
    meta = node.meta
    return Block(type_name, tuple(labels), getattr(meta, "line", 1), getattr(meta, "end_line", getattr(meta, "line", 1)))


def _token_text(node) -> str:
    if _is_tree(node):
        return "".join(_token_text(c) for c in node.children)
    return str(node)


def _plain_string(node) -> str | None:
    """The text of a string literal without interpolation, else None."""
    parts = []
    for child in node.children:
        if _is_tree(child) and child.data == "string_part":
            if any(_is_tree(c) for c in child.children):
                return None
            parts.append("".join(str(c) for c in child.children))
    return "".join(parts)


def _value(node) -> Any:
    """A literal, a Ref, a list/dict of them, or Unresolved (bounded: deep expressions are unresolved)."""
    return _value_at(node, 0)


_MAX_DEPTH = 40


def _value_at(node, depth: int) -> Any:
    if depth > _MAX_DEPTH or not _is_tree(node):
        return Unresolved()
    kind = node.data
    if kind == "expr_term":
        inner = [c for c in node.children if _is_tree(c)]
        if len(inner) == 1:
            return _value_at(inner[0], depth + 1)
        if len(inner) == 0 and node.children:  # an identifier folded into a token
            return Ref((str(node.children[0]),))
        return Unresolved()
    if kind == "int_lit":
        return int(_token_text(node))
    if kind == "float_lit":
        try:
            return float(_token_text(node))
        except ValueError:
            return Unresolved()
    if kind == "literal_value":
        return {"true": True, "false": False, "null": None}.get(_token_text(node), Unresolved())
    if kind == "string":
        text = _plain_string(node)
        if text is not None:
            return text
        return _single_interpolation(node, depth)
    if kind == "tuple":
        return [_value_at(c, depth + 1) for c in node.children if _is_tree(c)]
    if kind == "object":
        result = {}
        for element in node.children:
            if _is_tree(element) and element.data == "object_elem":
                parts = [c for c in element.children if _is_tree(c)]
                key = _value_at(parts[0].children[0], depth + 1) if parts and parts[0].children else None
                if isinstance(key, Ref) and len(key.parts) == 1:
                    key = key.parts[0]
                if isinstance(key, str) and len(parts) > 1:
                    result[key] = _value_at(parts[-1], depth + 1)
        return result
    if kind == "identifier":
        return Ref((_token_text(node),))
    if kind == "get_attr_expr_term":
        return _reference(node, depth)
    if kind == "unary_op":
        operand = _value_at(node.children[-1], depth + 1)
        if _token_text(node.children[0]) == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        return Unresolved()
    return Unresolved()


def _single_interpolation(node, depth: int) -> Any:
    """`"${var.x}"` is the reference itself; any other template is unresolved."""
    parts = [c for c in node.children if _is_tree(c) and c.data == "string_part"]
    if len(parts) == 1:
        inner = [c for c in parts[0].children if _is_tree(c)]
        if len(inner) == 1 and inner[0].data == "interpolation":
            expr = [c for c in inner[0].children if _is_tree(c)]
            if len(expr) == 1:
                return _value_at(expr[0], depth + 1)
    return Unresolved("template")


def _reference(node, depth: int) -> Any:
    """`a.b.c` (attribute access only) as a Ref; indexes and splats make it unresolved."""
    parts: list[str] = []
    current = node
    while _is_tree(current) and current.data == "get_attr_expr_term":
        children = [c for c in current.children if _is_tree(c)]
        if len(children) != 2 or children[1].data != "get_attr":
            return Unresolved()
        name = _first_child(children[1], "identifier")
        if name is None:
            return Unresolved()
        parts.append(_token_text(name))
        current = children[0]
        if _is_tree(current) and current.data == "expr_term":
            inner = [c for c in current.children if _is_tree(c)]
            current = inner[0] if len(inner) == 1 else None
    if _is_tree(current) and current.data == "identifier":
        parts.append(_token_text(current))
        return Ref(tuple(reversed(parts)))
    return Unresolved()


# -- one module (a folder of .tf files) --------------------------------------------------------


class Module:
    """The `.tf` files of one folder: resolves `var.x` to its default and `local.y` to a literal."""

    def __init__(self, files: list[TerraformFile]) -> None:
        self.files = files
        self.variables: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}
        for file in files:
            for block in file.blocks:
                if block.type == "variable" and block.labels:
                    self.variables[block.labels[0]] = block.attributes["default"].value if "default" in block.attributes else Unresolved("no default")
                elif block.type == "locals":
                    for name, attribute in block.attributes.items():
                        self.locals[name] = attribute.value

    def resolve(self, value: Any, _depth: int = 0) -> Any:
        """The literal behind `var.x` / `local.y` (recursively, in lists too); other refs stay as they are."""
        if _depth > 20:
            return Unresolved()
        if isinstance(value, list):
            return [self.resolve(v, _depth + 1) for v in value]
        if not isinstance(value, Ref) or len(value.parts) != 2:
            return value
        scope, name = value.parts
        if scope == "var":
            return self.resolve(self.variables.get(name, Unresolved(f"var.{name} undefined")), _depth + 1)
        if scope == "local":
            return self.resolve(self.locals.get(name, Unresolved(f"local.{name} undefined")), _depth + 1)
        return value

    def resources(self, *types: str) -> Iterator[tuple[TerraformFile, Block]]:
        for file in self.files:
            for block in file.resources(*types):
                yield file, block

    def find(self, ref: Any) -> tuple[TerraformFile, Block] | None:
        """The resource a reference like `google_compute_backend_service.api.id` points at."""
        if not isinstance(ref, Ref) or len(ref.parts) < 2:
            return None
        for file in self.files:
            for block in file.blocks:
                if block.type == "resource" and block.labels == ref.parts[:2]:
                    return file, block
        return None
