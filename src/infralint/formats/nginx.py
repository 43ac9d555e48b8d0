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


# -- nginx inside templates and YAML --------------------------------------------------------------
#
# Real deployments keep much of their nginx configuration where no `.conf` reader looks: Helm
# `define` blocks in `.tpl` files, `nginx.conf: |` in a ConfigMap template, snippets in Helm values
# (`extraServerConf: |`), Jinja `*.conf.j2`. What survives once template expressions are opaque
# values and template-only control lines are set aside is read as nginx, lines unchanged.

import re as _re

#: `{{ … }}` (Helm/Go, Jinja), `{% … %}` (Jinja statements), `{# … #}` (Jinja comments)
_TEMPLATE_RE = _re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", _re.DOTALL)
#: a line that only holds `{{ .Values.a.b | nindent 8 }}`: the values text is spliced in there
_VALUES_LINE_RE = _re.compile(r"^\s*\{\{-?\s*(?:toYaml\s+|tpl\s+\(?)?\.Values\.([A-Za-z0-9_.]+)[^}]*\}\}\s*$")
#: the directive a values splice point becomes (resolved against YAML snippets by the caller)
VALUES_SPLICE = "__values"
OPAQUE = "__template__"


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def strip_templates(text: str) -> str:
    """The text with every template expression made opaque, line for line: a line holding only
    control (`{{- if … }}`, `{% include … %}`, `{{- end }}`) becomes blank, a line holding only a
    `.Values` expression becomes `__values a.b;`, an expression inside a line becomes one opaque
    word. Newlines inside an expression are kept, so every line keeps its number."""
    out = []
    for line in _split_keep(text):
        values = _VALUES_LINE_RE.match(line)
        if values:
            out.append(f"{VALUES_SPLICE} {values.group(1)};\n" if line.endswith("\n") else f"{VALUES_SPLICE} {values.group(1)};")
            continue
        out.append(line)
    joined = "".join(out)

    def opaque(match: _re.Match) -> str:
        body = match.group(0)
        newlines = body.count("\n")
        return ("\n" * newlines) if _is_control(body) else OPAQUE + "\n" * newlines

    stripped = _TEMPLATE_RE.sub(opaque, joined)
    return stripped


def _split_keep(text: str) -> list[str]:
    return text.splitlines(keepends=True)


_CONTROL_WORDS = ("if", "else", "end", "range", "with", "define", "block", "template", "include", "for", "endfor", "endif", "elif", "set", "macro", "endmacro", "import", "from", "raw", "endraw", "/*", "-/*")


def _is_control(body: str) -> bool:
    if body.startswith(("{%", "{#")):
        return True
    inner = body[2:-2].strip().strip("-").strip()
    if inner.startswith(("/*", "$") ) and ":=" in inner:
        return True  # `{{- $name := include … }}` assigns, prints nothing
    word = inner.split(None, 1)[0] if inner else ""
    return word in _CONTROL_WORDS or inner.startswith("/*")


def read_nginx_fragment(text: str, path: str, first_line: int = 1) -> NginxFile:
    """Parse nginx text found inside another file (its first line is line `first_line` there);
    templates are made opaque first. Raises NginxSyntaxError."""
    parsed = read_nginx(strip_templates(text) if has_template(text) else text, path)
    if first_line != 1:
        shift = first_line - 1
        stack = list(parsed.directives)
        while stack:
            directive = stack.pop()
            directive.line += shift
            stack.extend(directive.block or ())
    return parsed


def looks_like_nginx(text: str) -> bool:
    """Cheap test: nginx that proxies (a `location`/`server` block and `proxy_pass`)."""
    return "proxy_pass" in text and ("location" in text or "server" in text) and "{" in text


@dataclass
class EmbeddedNginx:
    """nginx text held in a YAML block scalar: where its first line is and the key path it sits under."""

    key_path: str  # `nginxConfigMap.extraServerConf`, `data.nginx.conf`
    first_line: int
    text: str


_BLOCK_KEY_RE = _re.compile(r"^(\s*)(?:-\s+)?(['\"]?)([^:#'\"]+?)\2\s*:\s*[|>][-+0-9]*\s*(?:#.*)?$")
_KEY_RE = _re.compile(r"^(\s*)(?:-\s+)?(['\"]?)([^:#'\"\s][^:#'\"]*?)\2\s*:(?:\s|$)")


def embedded_nginx(text: str) -> list[EmbeddedNginx]:
    """The YAML block scalars (`key: |`) of a file whose text is nginx that proxies, found by
    indentation (the file may be a Helm template that is not YAML until rendered)."""
    lines = text.splitlines()
    found: list[EmbeddedNginx] = []
    parents: list[tuple[int, str]] = []  # (indent, key) of the enclosing mappings
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            index += 1
            continue
        indent = len(line) - len(line.lstrip())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        block = _BLOCK_KEY_RE.match(line)
        if block:
            key_indent = len(block.group(1))
            body_start = index + 1
            end = body_start
            while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > key_indent or lines[end].lstrip().startswith("{{")):
                end += 1
            while end > body_start and not lines[end - 1].strip():
                end -= 1
            body = lines[body_start:end]
            body_text = "\n".join(body)
            if looks_like_nginx(body_text):
                margin = min((len(l) - len(l.lstrip()) for l in body if l.strip() and not l.lstrip().startswith("{{")), default=0)
                dedented = "\n".join(l[margin:] if len(l) >= margin and not l[:margin].strip() else l.lstrip() for l in body)
                key_path = ".".join([k for _, k in parents] + [block.group(3).strip()])
                found.append(EmbeddedNginx(key_path, body_start + 1, dedented + "\n"))
            index = max(end, index + 1)
            continue
        key = _KEY_RE.match(line)
        if key:
            parents.append((indent, key.group(3).strip()))
        index += 1
    return found
