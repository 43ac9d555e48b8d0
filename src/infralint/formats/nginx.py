"""nginx configuration read with crossplane: directives with their file and line.

Each file is parsed alone (`single=True`); `include` directives are kept as directives and stitched
together by the caller over the files of the run, so a finding lands in the file that holds the
directive and each file's reading can be cached on its own content.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field


@dataclass
class Directive:
    name: str
    args: list[str]
    line: int
    block: list[Directive] | None = None
    path: str = ""  # the file the directive is written in

    def children(self, name: str) -> list[Directive]:
        return [d for d in self.block or () if d.name == name]


@dataclass
class NginxFile:
    path: str
    directives: list[Directive] = field(default_factory=list)


class NginxSyntaxError(ValueError):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def read_nginx(text: str, path: str) -> NginxFile:
    """Parse one nginx file (its includes are not followed here)."""
    import crossplane  # lazy: only runs that contain nginx files import it

    with tempfile.TemporaryDirectory(prefix="infralint-nginx-") as folder:
        # crossplane reads files only; the text may be an unsaved editor buffer or stdin
        copy = os.path.join(folder, "nginx.conf")
        with open(copy, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            payload = crossplane.parse(copy, single=True, catch_errors=True, comments=False, check_ctx=False, check_args=False)
        except Exception as exc:  # crossplane's own failures must not stop the run
            raise NginxSyntaxError(f"not readable as nginx configuration: {type(exc).__name__}") from None
    configs = payload.get("config") or []
    if not configs:
        raise NginxSyntaxError("not readable as nginx configuration")
    errors = configs[0].get("errors") or []
    if errors and not configs[0].get("parsed"):
        first = errors[0]
        raise NginxSyntaxError(f"not valid nginx configuration: {first.get('error', '')}", first.get("line") or 1)
    return NginxFile(path, _directives(configs[0].get("parsed") or [], path))


def _directives(parsed: list[dict], path: str) -> list[Directive]:
    root: list[Directive] = []
    stack = [(parsed, root)]
    while stack:
        items, out = stack.pop()
        for item in items:
            block = item.get("block")
            directive = Directive(item.get("directive", ""), [str(a) for a in item.get("args", [])], item.get("line", 1), [] if block is not None else None, path)
            out.append(directive)
            if block is not None:
                stack.append((block, directive.block))
    return root
