"""YAML files with line numbers (PyYAML's composer): every mapping remembers where its keys are.

`read_yaml` returns the documents of a file as plain dicts/lists whose mappings are `YMap`s that
carry `line` (where the mapping starts) and `key_lines` (where each key is). Templated files (Helm's
`{{ … }}`) are not YAML until rendered: `TemplatedFile` is raised and the caller skips them.
"""

from __future__ import annotations

import re
from typing import Any

MAX_YAML_BYTES = 2_000_000  # a generated manifest dump is not deployment configuration worth reading

_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


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
        """SafeLoader whose mappings remember their lines (constructs only plain data)."""

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


def _plain(loader, node):
    import yaml

    if isinstance(node, yaml.MappingNode):
        return loader.yaml_constructors["tag:yaml.org,2002:map"](loader, node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_LOADER = None


def read_yaml(text: str, path: str) -> list[Any]:
    """The documents of a YAML file (None for empty ones). Raises TemplatedFile or YamlSyntaxError."""
    global _LOADER
    if len(text) > MAX_YAML_BYTES:
        raise YamlSyntaxError(f"larger than {MAX_YAML_BYTES} bytes; not read")
    match = _TEMPLATE_RE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise TemplatedFile("templated (`{{ … }}`); render it to lint it", line)
    if _LOADER is None:
        _LOADER = _loader_class()
    loader_class, yaml = _LOADER
    try:
        return list(yaml.load_all(text, Loader=loader_class))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(f"not valid YAML: {exc.problem or exc}", (mark.line + 1) if mark else 1) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlSyntaxError(f"not valid YAML: {type(exc).__name__}") from None
