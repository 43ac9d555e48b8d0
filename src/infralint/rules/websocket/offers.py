"""What a handler does with the subprotocols the client offers: reads them, compares them, selects.

The offer is read through `websocket.scope["subprotocols"]` (Starlette, Channels' `self.scope`) or
the `Sec-WebSocket-Protocol` request header (`websocket.headers[...]`, aiohttp's
`request.headers.get(...)`, websockets' `ws.request.headers` / `ws.request_headers`). Locals
assigned from such a read (or from other such locals) carry the offer too; the string literals the
handler compares them with are the names it understands. Same-module helpers that are given the
socket are followed, so `token = token_from(websocket)` counts as reading the offer.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .sockets import FunctionNode, SocketHandler, last_name, literal_str, own_nodes

HEADER = "sec-websocket-protocol"
HEADER_READERS = frozenset({"get", "getall", "getlist", "getone", "get_all"})
SCOPE_KEY = "subprotocols"
MAX_HELPER_DEPTH = 4


@dataclass
class OfferUse:
    """How one function (and the helpers it hands the socket to) uses the offered subprotocols."""

    #: the expressions that read the offer (the first one is named in messages)
    reads: list[ast.expr] = field(default_factory=list)
    #: locals holding the offer or a part of it
    names: set[str] = field(default_factory=set)
    #: locals holding the raw header, the whole comma-separated offer
    raw_names: set[str] = field(default_factory=set)
    #: the string literals compared with the offer, in source order
    compared: list[str] = field(default_factory=list)
    #: literal prefixes the offer is tested with (`p.startswith("jwt.")`) per local name
    prefixes: dict[str, list[str]] = field(default_factory=dict)
    #: locals holding the request's headers as a mapping (`dict(scope["headers"])`)
    header_maps: set[str] = field(default_factory=set)

    @property
    def offered(self) -> bool:
        return bool(self.reads)


def _key_text(node: ast.AST | None) -> str | None:
    """A literal key: `"sec-websocket-protocol"`, or the bytes of a raw ASGI header `b"..."`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        return node.value.decode("latin-1")
    return literal_str(node)


def _subscript_key(node: ast.AST) -> str | None:
    if isinstance(node, ast.Subscript):
        return _key_text(node.slice)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in HEADER_READERS and node.args:
        return _key_text(node.args[0])
    return None


def _container(node: ast.AST) -> ast.expr | None:
    if isinstance(node, ast.Subscript):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value
    return None


def _root_name(node: ast.AST | None) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def offer_read_kind(node: ast.AST, holders: set[str] | frozenset[str], header_maps: set[str] | frozenset[str] = frozenset()) -> str | None:
    """`header` for a read of the raw header, `scope` for `scope["subprotocols"]`, else None.

    `header_maps` are locals holding a request's headers as a mapping (`headers = dict(scope["headers"])`
    in an ASGI middleware). A scope key spelled like the header (`self.scope["Sec-WebSocket-Protocol"]`,
    set by a middleware from the raw header) is the raw header too."""
    key = _subscript_key(node)
    if key is None:
        return None
    container = _container(node)
    if isinstance(container, ast.Name):
        if key == SCOPE_KEY and container.id in holders:
            return "scope"  # Starlette's WebSocket is a mapping over its scope: `websocket["subprotocols"]`
        if key.lower() == HEADER and (container.id in header_maps or (container.id in holders and container.id == "scope")):
            return "header"
        return None
    if not isinstance(container, ast.Attribute) or _root_name(container) not in holders:
        return None
    if key.lower() == HEADER and container.attr in ("headers", "request_headers", "scope"):
        return "header"
    if key == SCOPE_KEY and container.attr == "scope":
        return "scope"
    return None


def header_map_names(nodes: list[ast.AST], holders: set[str]) -> set[str]:
    """Locals bound to a request's raw headers as a mapping: `headers = dict(scope["headers"])`."""
    found: set[str] = set()
    for node in nodes:
        if not isinstance(node, ast.Assign):
            continue
        value = node.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" and len(value.args) == 1:
            value = value.args[0]
        if _subscript_key(value) == "headers" and _root_name(_container(value)) in holders:
            found.update(_targets(node))
    return found


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        targets = [node.target]
    else:
        return []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _assigned_value(node: ast.AST) -> ast.AST | None:
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        return node.value
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return node.iter
    return None


class OfferAnalysis:
    """Offer use of every handler in a module (helpers followed within the module)."""

    def __init__(self, functions: dict[str, FunctionNode], string_lists: dict[str, list[str]] | None = None) -> None:
        self.functions = functions
        self.string_lists = string_lists or {}
        self._cache: dict[tuple[int, tuple[str, ...]], OfferUse] = {}

    def of_handler(self, handler: SocketHandler) -> OfferUse:
        use = self.of_function(handler.function, (handler.socket, *handler.readers))
        if handler.framework == "starlette" and not use.reads:
            param = header_parameter(handler.function)
            if param is not None:  # FastAPI hands the header to the endpoint as a parameter
                use.reads.append(param)
                use.names.add(param.arg)
                use.raw_names.add(param.arg)
        return use

    def of_function(self, function: FunctionNode, holders: tuple[str, ...], depth: int = 0) -> OfferUse:
        key = (id(function), holders)
        if key in self._cache:
            return self._cache[key]
        use = OfferUse()
        self._cache[key] = use  # recursion guard: a helper calling itself adds nothing
        nodes = list(own_nodes(function))
        holder_set = set(holders)
        maps = use.header_maps = header_map_names(nodes, holder_set)
        for _ in range(2):  # twice: loops assign before the source order shows the read
            for node in nodes:
                value = _assigned_value(node)
                if value is None:
                    continue
                kinds = {offer_read_kind(n, holder_set, maps) for n in ast.walk(value)}
                tainted = any(isinstance(n, ast.Name) and n.id in use.names for n in ast.walk(value))
                if kinds - {None} or tainted:
                    use.names.update(_targets(node))
                if is_raw_header(value, holder_set, use):
                    use.raw_names.update(_targets(node))
        for node in nodes:
            if offer_read_kind(node, holder_set, maps):
                use.reads.append(node)
            elif isinstance(node, ast.Compare):
                self._note_comparison(node, use, holder_set)
            elif isinstance(node, ast.Call):
                self._note_prefix_test(node, use)
                if depth < MAX_HELPER_DEPTH:
                    self._follow_helper(node, holder_set, use, depth)
        use.reads.sort(key=lambda n: (n.lineno, n.col_offset))
        return use

    def _note_comparison(self, node: ast.Compare, use: OfferUse, holders: set[str]) -> None:
        operands = [node.left, *node.comparators]
        if not any(_mentions_offer(o, use, holders) for o in operands):
            return
        for operand in operands:
            literals = _string_literals(operand)
            if isinstance(operand, ast.Name) and operand.id in self.string_lists:
                literals = self.string_lists[operand.id]
            for literal in literals:
                if literal not in use.compared:
                    use.compared.append(literal)

    def _note_prefix_test(self, call: ast.Call, use: OfferUse) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "startswith" and isinstance(func.value, ast.Name) and func.value.id in use.names:
            for arg in call.args:
                for literal in _string_literals(arg):
                    use.prefixes.setdefault(func.value.id, []).append(literal)

    def _follow_helper(self, call: ast.Call, holders: set[str], use: OfferUse, depth: int) -> None:
        if not isinstance(call.func, ast.Name) or call.func.id not in self.functions:
            return
        helper = self.functions[call.func.id]
        params = [*helper.args.posonlyargs, *helper.args.args]
        passed = tuple(
            params[i].arg for i, arg in enumerate(call.args)
            if i < len(params) and isinstance(arg, ast.Name) and arg.id in holders
        ) + tuple(kw.arg for kw in call.keywords if kw.arg and isinstance(kw.value, ast.Name) and kw.value.id in holders)
        if not passed:
            return
        inner = self.of_function(helper, passed, depth + 1)
        use.reads.extend(r for r in inner.reads if r not in use.reads)
        use.compared.extend(c for c in inner.compared if c not in use.compared)


def header_parameter(function: FunctionNode) -> ast.arg | None:
    """A FastAPI endpoint parameter that receives the offer: `sec_websocket_protocol: Annotated[str |
    None, Header()]`, `= Header(None)`, or any parameter with `Header(alias="Sec-WebSocket-Protocol")`."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    for param in [*positional, *args.kwonlyargs]:
        markers = [defaults.get(param.arg), param.annotation]
        header_calls = [n for m in markers if m is not None for n in ast.walk(m) if isinstance(n, ast.Call) and last_name(n.func) == "Header"]
        if not header_calls:
            continue
        alias = any(
            kw.arg in ("alias", "validation_alias") and isinstance(kw.value, ast.Constant)
            and str(kw.value.value).lower() == "sec-websocket-protocol" for c in header_calls for kw in c.keywords
        )
        if alias or _HEADER_PARAMETER.match(param.arg):
            return param
    return None


_HEADER_PARAMETER = re.compile(r"^sec_websocket_protocol$", re.IGNORECASE)


def _mentions_offer(node: ast.AST, use: OfferUse, holders: set[str]) -> bool:
    return any((isinstance(n, ast.Name) and n.id in use.names) or offer_read_kind(n, holders, use.header_maps) for n in ast.walk(node))


#: calls that keep a header value what it is (`token.decode("ascii")`, `header.strip()`)
_SAME_VALUE = frozenset({"encode", "decode", "strip", "lower"})


def is_raw_header(value: ast.AST | None, holders: set[str], use: OfferUse) -> bool:
    """The whole `Sec-WebSocket-Protocol` request header: a read of it, a local holding it, or either
    re-encoded (`token.encode("ascii")`) or defaulted (`header or ""`)."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _SAME_VALUE:
        value = value.func.value
    if isinstance(value, ast.BoolOp):
        return any(is_raw_header(v, holders, use) for v in value.values)
    if isinstance(value, ast.Name):
        return value.id in use.raw_names
    return value is not None and offer_read_kind(value, holders, use.header_maps) == "header"


def _string_literals(node: ast.AST) -> list[str]:
    """A string literal, or the strings of a literal tuple/list/set."""
    if (text := literal_str(node)) is not None:
        return [text]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [t for e in node.elts if (t := literal_str(e)) is not None]
    return []


# -- what an accept selects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    kind: str  # none | literal | raw-header | token | dynamic
    value: str = ""


def token_prefix(pattern: re.Pattern[str], text: str) -> bool:
    return bool(pattern.search(text))


def classify_selection(selected: ast.expr | None, use: OfferUse, holders: set[str], constants: dict[str, str], token: re.Pattern[str]) -> Selection:
    if selected is None or (isinstance(selected, ast.Constant) and selected.value is None):
        return Selection("none")
    if (text := literal_str(selected)) is not None:
        return Selection("literal", text)
    if isinstance(selected, ast.Name) and selected.id in constants:
        return Selection("literal", constants[selected.id])
    if is_raw_header(selected, holders, use):
        return Selection("raw-header")
    leading = _leading_literal(selected)
    if leading is not None and token_prefix(token, leading):
        return Selection("token", leading)
    if isinstance(selected, ast.Name):
        for prefix in use.prefixes.get(selected.id, ()):
            if token_prefix(token, prefix):
                return Selection("token", prefix)
    return Selection("dynamic")


def _leading_literal(node: ast.AST) -> str | None:
    """The literal start of `f"jwt.{token}"` or `"jwt." + token`."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) and len(node.values) > 1:
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = node.left
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
            left = left.left
        return literal_str(left)
    return None


def _module_assignments(tree: ast.Module) -> dict[str, ast.expr | None]:
    """Module-level `NAME = value` (None when the name is assigned more than once)."""
    seen: dict[str, ast.expr | None] = {}
    for node in tree.body:
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        for target, value in pairs:
            if isinstance(target, ast.Name):
                seen[target.id] = value if target.id not in seen else None
    return seen


def module_string_constants(tree: ast.Module) -> dict[str, str]:
    """`NAME = "literal"` at module level, assigned once."""
    found = {}
    for name, value in _module_assignments(tree).items():
        if (text := literal_str(value)) is not None:
            found[name] = text
    return found


def module_string_lists(tree: ast.Module) -> dict[str, list[str]]:
    """`NAMES = ["a", "b"]` (tuple, list, set or frozenset of literals) at module level, assigned once."""
    found = {}
    for name, value in _module_assignments(tree).items():
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("frozenset", "set", "tuple", "list") and len(value.args) == 1:
            value = value.args[0]
        if isinstance(value, (ast.Tuple, ast.List, ast.Set)) and value.elts and all(literal_str(e) is not None for e in value.elts):
            found[name] = [e.value for e in value.elts]
    return found
