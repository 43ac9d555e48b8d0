"""Browser WebSocket clients in JavaScript/TypeScript: `new WebSocket(url, protocols)`, read with tree-sitter.

Reads `.js/.jsx/.mjs` (JavaScript grammar, JSX included), `.ts` and `.tsx` (TypeScript grammars) and
the `<script>` blocks of `.vue` files. Within the file, identifiers declared once (`const`, `let`,
`var`) are resolved, as are string concatenation and template literals; what cannot be resolved
becomes `{}` (so `${base}/ws/chat/${room}` reads as `{}/ws/chat/{}`).

tree-sitter and the grammar wheels are imported here, on the first JS/TS file of a run, and never
otherwise: a Python-only repository does not pay for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from ..input_warnings import warn_input

UNKNOWN = "{}"
_MAX_DEPTH = 8
_SCRIPT_BLOCK = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_LANG_ATTR = re.compile(r"""\blang\s*=\s*["']?(?P<lang>[a-z]+)""", re.IGNORECASE)
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"})
SUFFIXES = (".js", ".jsx", ".mjs", ".ts", ".tsx", ".vue", ".html", ".htm")
#: a browser source longer than this is a bundle or generated: tree-sitter would need gigabytes
MAX_SOURCE_CHARS = 2_000_000
_VENDOR_FOLDERS = frozenset({"node_modules", "bower_components", "vendor", "vendors", "third_party", "third-party"})
#: average line length past which code is minified (hand-written code averages under 50)
_MINIFIED_LINE_CHARS = 300
_MINIFIED_MIN_CHARS = 20_000  # a short one-line snippet is read whatever its shape
#: client libraries that open the socket themselves, and the subprotocol each one offers:
#: subscriptions-transport-ws's `new SubscriptionClient(url)` offers `graphql-ws`; the graphql-ws
#: library's `createClient({url})` offers `graphql-transport-ws`
LIBRARY_CONSTRUCTORS = {b"SubscriptionClient": ("graphql-ws",)}
LIBRARY_FACTORIES = {b"createClient": ("graphql-transport-ws", "graphql-ws")}


class ReaderUnavailable(RuntimeError):
    """tree-sitter or a grammar wheel is not installed."""


@dataclass(frozen=True)
class BrowserClient:
    """One `new WebSocket(url, protocols)`: 1-based line, 0-based column of the `new`."""

    line: int
    col: int
    #: the URL with unresolved parts as `{}`; None when nothing of it is known
    url: str | None
    #: the offered entries in order (unresolved parts as `{}`); None when the list itself is unknown
    protocols: tuple[str, ...] | None


@lru_cache(maxsize=4)
def _parser(grammar: str):
    try:
        from tree_sitter import Language, Parser
        if grammar == "javascript":
            import tree_sitter_javascript as module

            language = module.language()
        else:
            import tree_sitter_typescript as module

            language = module.language_tsx() if grammar == "tsx" else module.language_typescript()
    except ImportError as exc:  # pragma: no cover - the wheels are dependencies
        raise ReaderUnavailable(f"cannot read JavaScript/TypeScript clients: {exc}") from exc
    return Parser(Language(language))


def grammar_for(filename: str, lang: str | None = None) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".vue":
        return {"ts": "typescript", "tsx": "tsx"}.get((lang or "").lower(), "javascript")
    return {".ts": "typescript", ".tsx": "tsx"}.get(suffix, "javascript")


def websocket_clients(text: str, filename: str) -> list[BrowserClient]:
    """Every `new WebSocket(...)` (and GraphQL client library socket) of a JS/TS/Vue/HTML file.

    Vendored and minified code is not read (a bundle is built from sources the run reads, and a
    library's sockets are not the application's), nor a file past `MAX_SOURCE_CHARS` (said)."""
    if is_vendored(filename):
        return []
    if len(text) > MAX_SOURCE_CHARS:
        warn_input(f"{filename}: not read: {len(text) / 1e6:.1f} MB, larger than the {MAX_SOURCE_CHARS // 1_000_000} MB limit for browser sources")
        return []
    if PurePath(filename).suffix.lower() in (".vue", ".html", ".htm"):
        found = []
        for match in _SCRIPT_BLOCK.finditer(text):
            lang = _LANG_ATTR.search(match.group("attrs"))
            offset_line = text.count("\n", 0, match.start("body"))
            for client in _clients_in(match.group("body"), grammar_for(filename, lang.group("lang") if lang else None)):
                col = client.col + (match.start("body") - text.rfind("\n", 0, match.start("body")) - 1 if client.line == 1 else 0)
                found.append(BrowserClient(client.line + offset_line, col, client.url, client.protocols))
        return found
    return _clients_in(text, grammar_for(filename))


def is_vendored(filename: str) -> bool:
    """A library copied into the tree, or a build's output: `*.min.js`, `*.bundle.js`, or under a
    folder of packages (`node_modules`, `vendor`…)."""
    path = PurePath(filename.replace("\\", "/"))
    name = path.name.lower()
    return any(marker in name for marker in (".min.", ".bundle.", "-min.")) or any(part.lower() in _VENDOR_FOLDERS for part in path.parts[:-1])


def is_minified(text: str) -> bool:
    """Code whose lines are far longer than anyone writes them (a minifier's output)."""
    if len(text) < _MINIFIED_MIN_CHARS:
        return False
    return len(text) / (text.count("\n") + 1) > _MINIFIED_LINE_CHARS


def _clients_in(text: str, grammar: str) -> list[BrowserClient]:
    if is_minified(text):
        return []
    data = text.encode("utf-8")
    tree = _parser(grammar).parse(data)
    reader = _Reader(data)
    reader.collect(tree.root_node)
    return [reader.client(node) for node in reader.constructions]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.declared: dict[str, object] = {}  # name → value node, or None when declared twice
        self.constructions: list = []
        #: node → the protocols a client library offers (library sockets, not `new WebSocket`)
        self.library: dict = {}
        #: `createClient` is the graphql-ws library's only when the file names the library
        self._graphql_ws = b"graphql-ws" in data

    def collect(self, root) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "variable_declarator":
                name = node.child_by_field_name("name")
                value = node.child_by_field_name("value")
                if name is not None and name.type == "identifier":
                    key = name.text.decode("utf-8", "replace")
                    self.declared[key] = value if key not in self.declared else None
            elif node.type == "new_expression" and self._is_websocket(node.child_by_field_name("constructor")):
                self.constructions.append(node)
            elif node.type == "new_expression" and _last_name(node.child_by_field_name("constructor")) in LIBRARY_CONSTRUCTORS:
                self.constructions.append(node)
                self.library[node.id] = LIBRARY_CONSTRUCTORS[_last_name(node.child_by_field_name("constructor"))]
            elif node.type == "call_expression" and self._graphql_ws and _last_name(node.child_by_field_name("function")) in LIBRARY_FACTORIES:
                self.constructions.append(node)
                self.library[node.id] = LIBRARY_FACTORIES[_last_name(node.child_by_field_name("function"))][:1]
            stack.extend(reversed(node.children))
        self.constructions.sort(key=lambda n: n.start_byte)

    @staticmethod
    def _is_websocket(node) -> bool:
        if node is None:
            return False
        if node.type == "identifier":
            return node.text == b"WebSocket"
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            obj = node.child_by_field_name("object")
            return prop is not None and prop.text == b"WebSocket" and obj is not None and obj.text in (b"window", b"globalThis", b"self")
        return False

    def client(self, node) -> BrowserClient:
        arguments = node.child_by_field_name("arguments")
        args = [c for c in arguments.named_children if c.type != "comment"] if arguments is not None else []
        if node.id in self.library:
            first = args[0] if args else None
            if first is not None and first.type == "object":  # `createClient({ url: ... })`
                first = next((p.child_by_field_name("value") for p in first.named_children
                              if p.type == "pair" and (p.child_by_field_name("key").text or b"").strip(b"'\"") == b"url"), None)
            url = self.string(first, 0) if first is not None else None
            if url is not None and url.strip(UNKNOWN) == "":
                url = None
            row, col = node.start_point
            return BrowserClient(row + 1, col, url, self.library[node.id])
        url = self.string(args[0], 0) if args else None
        if url is not None and url.strip(UNKNOWN) == "":
            url = None  # nothing of it is known
        protocols = self.entries(args[1], 0) if len(args) > 1 else ()
        row, col = node.start_point
        return BrowserClient(row + 1, col, url, protocols)

    # -- values -----------------------------------------------------------------------------------

    def _resolve(self, node, depth: int):
        while node is not None and node.type in _WRAPPERS:
            inner = [c for c in node.named_children if c.type != "comment"]
            node = inner[0] if inner else None
        if node is not None and node.type == "identifier" and depth < _MAX_DEPTH:
            value = self.declared.get(node.text.decode("utf-8", "replace"))
            return self._resolve(value, depth + 1) if value is not None else None
        return node

    def string(self, node, depth: int) -> str:
        """The string value, `{}` for each part that cannot be known here."""
        node = self._resolve(node, depth)
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        if node.type == "string":
            return "".join(_fragment(c) for c in node.named_children)
        if node.type == "template_string":
            parts = []
            for child in node.named_children:
                if child.type == "template_substitution":
                    inner = [c for c in child.named_children if c.type != "comment"]
                    parts.append(self.string(inner[0], depth + 1) if inner else UNKNOWN)
                else:
                    parts.append(_fragment(child))
            return "".join(parts)
        if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
            return self.string(node.child_by_field_name("left"), depth + 1) + self.string(node.child_by_field_name("right"), depth + 1)
        return UNKNOWN

    def entries(self, node, depth: int) -> tuple[str, ...] | None:
        node = self._resolve(node, depth)
        if node is None:
            return None
        if node.type == "array":
            values = []
            for child in node.named_children:
                if child.type == "comment":
                    continue
                if child.type == "spread_element":
                    return None
                values.append(self.string(child, depth + 1))
            return tuple(values)
        if node.type in ("string", "template_string", "binary_expression"):
            return (self.string(node, depth + 1),)
        if node.type == "undefined" or (node.type == "identifier" and node.text == b"undefined"):
            return ()
        return None


def _last_name(node) -> bytes | None:
    """`SubscriptionClient` of `SubscriptionClient` or `window.SubscriptionsTransportWs.SubscriptionClient`."""
    if node is None:
        return None
    if node.type == "identifier":
        return node.text
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return prop.text if prop is not None else None
    return None


def _fragment(node) -> str:
    text = node.text.decode("utf-8", "replace")
    if node.type == "escape_sequence":
        return {"\\n": "\n", "\\t": "\t", "\\'": "'", '\\"': '"', "\\\\": "\\", "\\`": "`", "\\/": "/"}.get(text, text)
    return text
