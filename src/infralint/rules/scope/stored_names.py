"""Child fields of ast nodes, and the names a block of code binds or deletes in its own scope.

`CHILD_FIELDS` lists, per node class, the fields that can hold nodes worth visiting (no `ctx`,
operators or plain strings), so walkers skip `ast.iter_child_nodes`' generic reflection.
`stores_in(body)` is the quick syntactic scan a loop needs before its body is analysed: on the
second iteration every name the body binds may already be bound.
"""

from __future__ import annotations

import ast

_NOT_CHILDREN = {
    "ctx", "op", "ops", "id", "attr", "arg", "name", "names", "kind", "conversion", "type_comment",
    "simple", "level", "module", "is_async", "asname", "rest", "n", "s", "type_ignores", "tag", "lineno",
    "kwd_attrs",
}


def _child_fields() -> dict[type, tuple[str, ...]]:
    fields: dict[type, tuple[str, ...]] = {}
    for value in vars(ast).values():
        if isinstance(value, type) and issubclass(value, ast.AST):
            names = tuple(f for f in value._fields if f not in _NOT_CHILDREN)
            if value is ast.Constant:
                names = ()
            if value is ast.MatchSingleton:
                names = ()
            fields[value] = names
    return fields


CHILD_FIELDS: dict[type, tuple[str, ...]] = _child_fields()


def push_children(stack: list, node: ast.AST) -> None:
    """Push the child nodes of `node` (by the precomputed field table) for an explicit-stack walk."""
    for field in CHILD_FIELDS.get(node.__class__, ()):
        value = getattr(node, field)
        if isinstance(value, list):
            stack.extend(v for v in value if v is not None)
        elif value is not None:
            stack.append(value)


# expressions whose names are only ever read (unless a walrus hides inside): an assignment or
# `del` target names what it binds directly, or inside a tuple, list or starred target
_NOT_TARGET_SHAPES = frozenset(
    kind for kind in CHILD_FIELDS if issubclass(kind, ast.expr) and kind not in (ast.Name, ast.Tuple, ast.List, ast.Starred)
)
# what the scan does at nodes other than names and plain containers
_DEFINES, _OPAQUE, _IMPORTS, _NAMES_ITSELF, _MAPPING_REST, _COMPREHENSION = range(6)
_STORE_SHAPES = {
    ast.FunctionDef: _DEFINES, ast.AsyncFunctionDef: _DEFINES, ast.ClassDef: _DEFINES,
    ast.Lambda: _OPAQUE,
    ast.Import: _IMPORTS, ast.ImportFrom: _IMPORTS,
    ast.ExceptHandler: _NAMES_ITSELF, ast.MatchAs: _NAMES_ITSELF, ast.MatchStar: _NAMES_ITSELF,
    ast.MatchMapping: _MAPPING_REST,
    ast.ListComp: _COMPREHENSION, ast.SetComp: _COMPREHENSION, ast.GeneratorExp: _COMPREHENSION, ast.DictComp: _COMPREHENSION,
}


def stores_in(body: list[ast.AST], may_walrus: bool = True) -> tuple[dict[str, int], set[str]]:
    """Names bound in `body`'s own scope (→ first line) and names deleted there.

    Nested functions and classes bind only their own name; comprehension targets stay inside the
    comprehension, but a walrus in it binds in this scope. Without a walrus (`may_walrus` false:
    the file has no `:=`), an expression binds or deletes a name only as an assignment or `del`
    target, so only the shapes a target can take are looked into (the others are never pushed).
    """
    bound: dict[str, int] = {}
    deleted: set[str] = set()
    skipped = _NOT_TARGET_SHAPES if not may_walrus else ()
    stack = [node for node in reversed(body) if node.__class__ not in skipped]
    push, pop = stack.append, stack.pop
    fields_of = CHILD_FIELDS
    shapes = _STORE_SHAPES
    Name, Store, Del = ast.Name, ast.Store, ast.Del
    while stack:
        node = pop()
        cls = node.__class__
        if cls is Name:
            ctx = node.ctx.__class__
            if ctx is Store:
                bound.setdefault(node.id, node.lineno)
            elif ctx is Del:
                deleted.add(node.id)
            continue
        shape = shapes.get(cls)
        if shape is not None:
            if shape == _DEFINES:
                bound.setdefault(node.name, node.lineno)
                continue
            if shape == _OPAQUE:
                continue
            if shape == _IMPORTS:
                for alias in node.names:
                    if alias.name != "*":
                        bound.setdefault(alias.asname or alias.name.split(".")[0], node.lineno)
                continue
            if shape == _COMPREHENSION:
                # only a walrus inside can bind here (and the file has one); its targets are the comprehension's own
                for generator in node.generators:
                    push(generator.iter)
                    stack.extend(generator.ifs)
                if cls is ast.DictComp:
                    push(node.key)
                    push(node.value)
                else:
                    push(node.elt)
                continue
            name = node.rest if shape == _MAPPING_REST else node.name
            if name:
                bound.setdefault(name, node.lineno)
        for field in fields_of.get(cls, ()):
            value = getattr(node, field, None)
            if value is None:
                continue
            if value.__class__ is list:
                for item in value:
                    if item.__class__ not in skipped:
                        push(item)
            elif isinstance(value, ast.AST) and value.__class__ not in skipped:
                push(value)
    return bound, deleted
