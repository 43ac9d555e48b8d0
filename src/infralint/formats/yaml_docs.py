"""YAML files with line numbers (PyYAML's composer): every mapping remembers where its keys are.

`read_yaml` returns the documents of a file as plain dicts/lists whose mappings are `YMap`s that
carry `line` (where the mapping starts) and `key_lines` (where each key is).

Templated files (Helm charts' `templates/*.yaml`, Jinja `*.yaml.j2`) are not YAML until rendered;
what survives when the template is set aside is read instead (`strip_templates`): a line holding only
template control (`{{- if … }}`, `{{- end }}`, `{% for … %}`, `{{/* … */}}`) becomes blank; a line
holding only an expression (`{{- include "x.labels" . | nindent 4 }}`, `{{- toYaml .Values.env |
nindent 12 }}`) splices YAML nobody can see: it becomes blank and its line is kept in the
document's `TEMPLATE_SPLICES` entry, so a reader never claims a list is complete when part of it is
spliced in; an expression inside a line becomes the opaque value `TEMPLATE_VALUE`. Every line keeps
its number. When what survives is still not YAML, `TemplatedFile` is raised and the caller skips it.
"""

from __future__ import annotations

import re
from typing import Any

from ..input_warnings import warn_input

MAX_YAML_BYTES = 2_000_000  # a generated manifest dump is not deployment configuration worth reading
#: nodes a document may hold once its aliases are expanded (a large real manifest holds thousands)
MAX_YAML_NODES = 200_000

_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
#: what a template expression inside a line reads as: a value known only once rendered
TEMPLATE_VALUE = "\u00abtemplate\u00bb"
#: key of a templated document's top-level mapping: the lines where the template splices in YAML
TEMPLATE_SPLICES = "$template_splices"


class YMap(dict):
    """A YAML mapping with the 1-based line of itself and of each key."""

    line: int = 1

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def map(self, key: Any) -> YMap:
        """The mapping under `key`, or an empty one (so lookups chain without checks)."""
        value = self.get(key)
        return value if isinstance(value, YMap) else _EMPTY

    def list(self, key: Any) -> list:
        value = self.get(key)
        return value if isinstance(value, list) else []


_EMPTY = YMap()


class TemplatedFile(ValueError):
    """The file is a template (`{{ … }}`): it has no values until it is rendered."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def _loader_class():
    import yaml  # lazy: only runs that contain YAML files import it

    class LineLoader(yaml.SafeLoader):
        """SafeLoader whose mappings remember their lines (constructs only plain data), and which
        refuses a document its aliases would expand past `MAX_YAML_NODES` nodes."""

        def compose_document(self):
            node = super().compose_document()
            _check_expansion(node, yaml)
            return node

    def construct_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        mapping = YMap()
        mapping.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    # unknown tags (`!Ref`, `!reference`…) become their plain value instead of an error
    LineLoader.add_constructor(None, lambda loader, node: _plain(loader, node))
    return LineLoader, yaml


class YamlTooLarge(ValueError):
    """A document whose aliases expand past any deployment configuration (an alias bomb)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def _check_expansion(root, yaml) -> None:
    """Count the nodes the document holds once every alias is expanded, without expanding it: each
    node's expanded size is computed once (aliases share the node they name). A document that
    holds itself through an alias never ends when expanded."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            if isinstance(node, yaml.MappingNode):
                children = [item for pair in node.value for item in pair]
            else:
                children = node.value
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > MAX_YAML_NODES:
                raise YamlTooLarge(f"more than {MAX_YAML_NODES} nodes once its aliases are expanded (an alias bomb, or no deployment configuration)", node.start_mark.line + 1)
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            sizes[key] = 1
            continue
        if key in open_nodes:
            raise YamlTooLarge("it holds itself through an alias (endless once expanded)", node.start_mark.line + 1)
        open_nodes.add(key)
        stack.append((node, True))
        children = [item for pair in node.value for item in pair] if isinstance(node, yaml.MappingNode) else node.value
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _plain(loader, node):
    import yaml

    if isinstance(node, yaml.MappingNode):
        return loader.yaml_constructors["tag:yaml.org,2002:map"](loader, node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_LOADER = None


def is_template_value(value: Any) -> bool:
    """Whether a value read from a templated file holds a template expression (known once rendered)."""
    return isinstance(value, str) and TEMPLATE_VALUE in value


_CONTROL_WORDS = frozenset(
    {
        "if", "else", "end", "range", "with", "define", "block", "for", "endfor", "endif", "elif", "set",
        "endset", "macro", "endmacro", "import", "from", "raw", "endraw", "filter", "endfilter", "call",
        "endcall", "break", "continue", "do", "extends", "autoescape", "endautoescape",
    }
)  # fmt: skip


def _is_control(body: str) -> bool:
    """Template text that prints nothing: Jinja statements and comments, Go control actions,
    comments and variable assignments (`{{- $name := include … }}`)."""
    if body.startswith(("{%", "{#")):
        return True
    inner = body[2:-2].strip().strip("-").strip()
    if inner.startswith("/*"):
        return True
    if inner.startswith("$") and re.match(r"^\$\w*\s*:?=", inner):
        return True
    word = re.split(r"[\s(]", inner, maxsplit=1)[0] if inner else ""
    return word in _CONTROL_WORDS


def strip_templates(text: str) -> tuple[str, list[int]]:
    """The text with the template set aside, line for line (see the module docstring), and the
    lines where an expression alone on its line splices in YAML."""
    splices: list[int] = []
    out: list[str] = []
    position = 0
    for match in _TEMPLATE_RE.finditer(text):
        start, end = match.span()
        body = match.group(0)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        alone = not text[line_start:start].strip() and not _TEMPLATE_RE.sub("", text[end:line_end]).strip()
        out.append(text[position:start])
        newlines = "\n" * body.count("\n")
        if _is_control(body) or (alone and body.startswith("{{")):
            if not _is_control(body):
                splices.append(text.count("\n", 0, start) + 1)
            out.append(newlines)
        else:
            out.append(TEMPLATE_VALUE + newlines)
        position = end
    out.append(text[position:])
    stripped = "".join(out)
    # a line left with only whitespace once its template is gone is blank
    return "\n".join(line if line.strip() else "" for line in stripped.split("\n")), splices


def read_yaml(text: str, path: str) -> list[Any]:
    """The documents of a YAML file (None for empty ones). Raises TemplatedFile or YamlSyntaxError;
    a file refused for its size or its aliases is also said as an input warning."""
    if len(text) > MAX_YAML_BYTES:
        warn_input(f"{path}: YAML file not read: larger than {MAX_YAML_BYTES} bytes")
        raise YamlSyntaxError(f"larger than {MAX_YAML_BYTES} bytes; not read")
    try:
        return _read_yaml(text)
    except YamlTooLarge as exc:
        warn_input(f"{path}:{exc.line}: YAML file not read: {exc}")
        raise YamlSyntaxError(str(exc), exc.line) from None


def _read_yaml(text: str) -> list[Any]:
    match = _TEMPLATE_RE.search(text) if ("{{" in text or "{%" in text or "{#" in text) else None
    if match:
        first = text.count("\n", 0, match.start()) + 1
        stripped, splices = strip_templates(text)
        try:
            documents = _load(stripped)
        except YamlSyntaxError as exc:
            raise TemplatedFile(f"templated (`{{{{ … }}}}`) and not YAML once the template is set aside ({exc}); render it to lint it", exc.line or first) from None
        _note_splices(documents, splices)
        return documents
    return _load(text)


def _note_splices(documents: list[Any], splices: list[int]) -> None:
    """Each document's top-level mapping records the splice lines from its start to the next document."""
    mappings = [d for d in documents if isinstance(d, YMap)]
    for index, document in enumerate(mappings):
        end = mappings[index + 1].line if index + 1 < len(mappings) else None
        mine = [line for line in splices if (index == 0 or line >= document.line) and (end is None or line < end)]
        document[TEMPLATE_SPLICES] = mine
        document.key_lines[TEMPLATE_SPLICES] = document.line


def _load(text: str) -> list[Any]:
    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    loader_class, yaml = _LOADER
    try:
        return list(yaml.load_all(text, Loader=loader_class))
    except YamlTooLarge:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(f"not valid YAML: {exc.problem or exc}", (mark.line + 1) if mark else 1) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlSyntaxError(f"not valid YAML: {type(exc).__name__}") from None
