"""nginx: include stitching over the files of the run, then every proxying `location` with the
directives it has or inherits (timeouts, `proxy_set_header`, `proxy_http_version`)."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ...formats.nginx import VALUES_SPLICE, Directive
from ...formats.values import format_seconds, parse_duration
from ...input_warnings import warn_input

_MAX_INCLUDE_DEPTH = 12
#: directives inherited from the enclosing level when the level does not set them itself
_INHERITED = ("proxy_read_timeout", "proxy_http_version")
_NGINX_READ_TIMEOUT_DEFAULT = 60.0  # ngx_http_proxy_module: "Default: proxy_read_timeout 60s;"


@dataclass
class ProxyLocation:
    pattern: str  # the location's path (with its modifier: `~ ^/ws`, `= /ws`, `/ws/`)
    directive: Directive  # the `location` directive
    proxy_pass: Directive
    settings: dict[str, Directive]  # own or inherited single-valued directives
    own_headers: list[Directive]  # this location's own proxy_set_header
    inherited_headers: list[Directive]  # what the enclosing levels set (used only if own is empty)
    siblings: list[str]  # patterns of every location at the same level (nginx picks one per request)
    #: identifies the level (server or location block) the location is written in
    level: object = None

    def headers(self) -> dict[str, Directive]:
        """The proxy_set_header in effect, by lower-case header name."""
        chosen = self.own_headers or self.inherited_headers
        return {d.args[0].lower(): d for d in chosen if d.args}

    def read_timeout(self) -> tuple[float | None, str, Directive | None]:
        setting = self.settings.get("proxy_read_timeout")
        if setting is None:
            return _NGINX_READ_TIMEOUT_DEFAULT, f"proxy_read_timeout unset; default {format_seconds(_NGINX_READ_TIMEOUT_DEFAULT)}", None
        value = parse_duration(setting.args[0]) if setting.args else None
        return value, f"proxy_read_timeout {' '.join(setting.args)}", setting


def proxy_locations(trees: dict[str, list[Directive]]) -> list[ProxyLocation]:
    """Every `location` with `proxy_pass` in the files' include graph, walked from the files no
    other file includes (each included file is read in the context that includes it). Files that
    only an include loop reaches are walked from the loop's first file, with one warning per loop."""
    edges = {path: _included_by(path, directives, trees) for path, directives in trees.items()}
    included = {target for targets in edges.values() for target in targets}
    roots = [path for path in sorted(trees) if path not in included]
    reached = _reachable(roots, edges)
    for loop in _include_loops(edges):
        warn_input(f"nginx include loop {' -> '.join([*loop, loop[0]])}: each file is read once, the loop is not followed")
    for path in sorted(trees):
        if path not in reached:  # every file that includes it is itself included: a loop above it
            roots.append(path)
            reached |= _reachable([path], edges)
    found: list[ProxyLocation] = []
    for path in roots:
        _visit(trees[path], trees, {}, [], found, (path,))
    return found


def _included_by(path: str, directives: list[Directive], trees: dict[str, list[Directive]]) -> list[str]:
    """The files of the run one file includes (itself left out: that adds nothing)."""
    targets: list[str] = []
    for directive in _walk(directives):
        if directive.name == "include" and directive.args:
            targets.extend(_resolve_include(directive.args[0], path, trees))
        elif directive.name == VALUES_SPLICE and directive.args:
            targets.extend(_resolve_values(directive.args[0], trees))
    return [target for target in dict.fromkeys(targets) if target != path]


def _reachable(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        for target in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _include_loops(edges: dict[str, list[str]]) -> list[list[str]]:
    """The include cycles a depth-first walk closes (every cycle holds one), each from the file
    the walk entered it by; one per set of files."""
    loops: list[list[str]] = []
    known: set[frozenset[str]] = set()
    finished: set[str] = set()
    for start in sorted(edges):
        if start in finished:
            continue
        path, position, pending = [start], {start: 0}, [iter(edges.get(start, ()))]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                pending.pop()
                left = path.pop()
                del position[left]
                finished.add(left)
            elif target in position:
                loop = path[position[target]:]
                if frozenset(loop) not in known:
                    known.add(frozenset(loop))
                    loops.append(loop)
            elif target not in finished:
                position[target] = len(path)
                path.append(target)
                pending.append(iter(edges.get(target, ())))
    return loops


def _walk(directives: list[Directive]):
    stack = list(directives)
    while stack:
        directive = stack.pop()
        yield directive
        stack.extend(directive.block or ())


def _resolve_include(pattern: str, including: str, trees: dict[str, list[Directive]]) -> list[str]:
    """Files of the run an `include` names: relative to the including file's folder (or an
    ancestor: nginx resolves relative includes against its prefix), absolute ones by their tail."""
    pattern = pattern.replace("\\", "/")
    candidates = []
    folder = posixpath.dirname(including.replace(os.sep, "/"))
    if pattern.startswith("/"):
        parts = pattern.strip("/").split("/")
        tails = ["/".join(parts[i:]) for i in range(1, len(parts))]
    else:
        tails = [pattern]
    for path in trees:
        normal = path.replace(os.sep, "/")
        for tail in tails:
            base = folder
            while True:
                full = posixpath.normpath(posixpath.join(base, tail)) if base else posixpath.normpath(tail)
                if fnmatchcase(normal, full):
                    candidates.append(path)
                    break
                parent = posixpath.dirname(base)
                if not base or parent == base:  # `/` is its own parent (absolute paths)
                    break
                base = parent
            if path in candidates:
                break
    return candidates


def _resolve_values(key_path: str, trees: dict[str, list[Directive]]) -> list[str]:
    """The nginx snippets held in YAML (Helm values) under a key path ending with `key_path`: what
    a template's `{{ .Values.key.path | nindent 8 }}` line splices in."""
    found = []
    for key in trees:
        _, sep, held = key.partition("::")
        if not sep:
            continue
        held = held.rsplit("@", 1)[0]
        if held == key_path or held.endswith("." + key_path):
            found.append(key)
    return found


def _visit(directives, trees, settings, headers, found, chain) -> None:
    """Walk one level: collect its settings and headers, expand includes in place, recurse."""
    expanded = _expand(directives, trees, chain)
    own_settings = dict(settings)
    for directive in expanded:
        if directive.name in _INHERITED:
            own_settings[directive.name] = directive
    own_headers = [d for d in expanded if d.name == "proxy_set_header"]
    level_headers = own_headers or headers
    siblings = [" ".join(d.args) for d in expanded if d.name == "location"]
    for directive in expanded:
        if directive.name == "location" and directive.block is not None:
            _location(directive, trees, own_settings, level_headers, found, chain, siblings, expanded)
        elif directive.block is not None and directive.name in ("http", "server"):
            _visit(directive.block, trees, own_settings, level_headers, found, chain)


def _location(directive, trees, settings, headers, found, chain, siblings, level=None) -> None:
    body = _expand(directive.block or [], trees, chain)
    own_settings = dict(settings)
    for item in body:
        if item.name in _INHERITED:
            own_settings[item.name] = item
    own_headers = [d for d in body if d.name == "proxy_set_header"]
    proxy = next((d for d in body if d.name == "proxy_pass"), None)
    if proxy is not None:
        found.append(ProxyLocation(" ".join(directive.args), directive, proxy, own_settings, own_headers, headers, siblings, level))
    nested = [" ".join(d.args) for d in body if d.name == "location"]
    for item in body:
        if item.name == "location" and item.block is not None:
            _location(item, trees, own_settings, own_headers or headers, found, chain, nested, body)


def _expand(directives, trees, chain) -> list[Directive]:
    """The directives of a level with each `include` replaced by the included files' directives."""
    result: list[Directive] = []
    for directive in directives:
        if directive.name == "include" and directive.args and len(chain) < _MAX_INCLUDE_DEPTH:
            for path in _resolve_include(directive.args[0], directive.path or chain[-1], trees):
                if path not in chain:
                    result.extend(_expand(trees[path], trees, chain + (path,)))
        elif directive.name == VALUES_SPLICE:
            if directive.args and len(chain) < _MAX_INCLUDE_DEPTH:
                for key in _resolve_values(directive.args[0], trees):
                    if key not in chain:
                        result.extend(_expand(trees[key], trees, chain + (key,)))
        else:
            result.append(directive)
    return result
