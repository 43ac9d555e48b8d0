"""What each function of a module does, and inside which blocks of that function it does it.

One pass over the module records, for every function (and lambda), the import statements and calls
it executes itself (not those of functions nested in it), each with the chain of enclosing blocks
*within that function*: the `try` body, `except` handler, `finally` block, `if`/`else` branch,
loop or `with` it sits in. Methods know their class, nested functions their enclosing function, so
callers can resolve `self.close()` or a closure name to its definition. Code at module level and
in class bodies belongs to the module pseudo-function (`node` is the `ast.Module`).
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass, field
from functools import partial

from ...source import SourceFile, child_nodes

#: (role, node): role is one of try, handler, try-else, finally, if, else, loop, loop-else,
#: with, case; node is the Try/If/loop/With/Match statement, or the ExceptHandler for `handler`
Frame = tuple[str, ast.AST]

_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCK_ROLES = {
    (ast.If, "body"): "if",
    (ast.If, "orelse"): "else",
    (ast.For, "body"): "loop",
    (ast.AsyncFor, "body"): "loop",
    (ast.While, "body"): "loop",
    (ast.For, "orelse"): "loop-else",
    (ast.AsyncFor, "orelse"): "loop-else",
    (ast.While, "orelse"): "loop-else",
    (ast.With, "body"): "with",
    (ast.AsyncWith, "body"): "with",
    (ast.Try, "body"): "try",
    (ast.Try, "orelse"): "try-else",
    (ast.Try, "finalbody"): "finally",
}
if hasattr(ast, "TryStar"):
    _BLOCK_ROLES.update({(ast.TryStar, "body"): "try", (ast.TryStar, "orelse"): "try-else", (ast.TryStar, "finalbody"): "finally"})


# statements with expressions and no blocks, and their fields that may hold nodes, in order
_SIMPLE_STATEMENT_FIELDS = {
    kind: tuple(f for f in kind._fields if f not in ("type_comment", "simple"))
    for kind in (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Delete, ast.Raise, ast.Assert, ast.Pass, ast.Break, ast.Continue)
}


@dataclass(eq=False)
class Site:
    """An import statement or a call, where it sits: `statement` is the innermost enclosing statement."""

    node: ast.AST
    statement: ast.stmt
    frames: tuple[Frame, ...]

    def roles(self) -> set[str]:
        return {role for role, _ in self.frames}


@dataclass(eq=False)
class FunctionInfo:
    node: ast.AST  # FunctionDef, AsyncFunctionDef, Lambda, or the Module itself
    name: str
    owner_class: ast.ClassDef | None = None  # set for methods (defined directly in a class body)
    #: the enclosing function of a nested one (None at module level), held weakly: the parent
    #: lists its children in `nested`, and a cycle would keep every file's tree alive until the
    #: cyclic collector finds it
    parent_ref: "weakref.ReferenceType[FunctionInfo] | None" = field(default=None, repr=False)
    imports: list[Site] = field(default_factory=list)  # import statements
    nested: dict[str, "FunctionInfo"] = field(default_factory=dict)  # functions defined in this body
    declared_global: set[str] = field(default_factory=set)  # `global`/`nonlocal` names
    # filled by the statement walk; the expression walk (calls, yields, assigned names) is lazy
    statement_bindings: dict[str, list[ast.AST]] = field(default_factory=dict)
    pending: list[tuple[list, ast.stmt, tuple, bool]] = field(default_factory=list)
    expression_calls: list[Site] = field(default_factory=list)
    expression_bindings: dict[str, list[ast.AST]] = field(default_factory=dict)
    has_yield: bool = False
    has_finally: bool = False  # a `finally:` block somewhere in its own body
    has_handler: bool = False  # an `except` handler somewhere in its own body

    @property
    def parent(self) -> "FunctionInfo | None":
        return self.parent_ref() if self.parent_ref is not None else None

    @property
    def is_module(self) -> bool:
        return isinstance(self.node, ast.Module)

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 1)

    @property
    def display_name(self) -> str:
        """`Pool.close`, `shutdown`, `<lambda>`."""
        if self.owner_class is not None:
            return f"{self.owner_class.name}.{self.name}"
        return self.name

    def bind(self, name: str, node: ast.AST) -> None:
        self.statement_bindings.setdefault(name, []).append(node)

    def enclosing_method(self) -> "FunctionInfo | None":
        """This function if it is a method, else the nearest enclosing method (for `self` in closures)."""
        current: FunctionInfo | None = self
        while current is not None and not current.is_module:
            if current.owner_class is not None:
                return current
            current = current.parent
        return None


def matching_lines(pattern, text: str, required: tuple[str, ...] = ()) -> set[int]:
    """1-based numbers of the lines where a regular expression matches. `required`: words one of
    which every match contains, looked for first (a plain search is many times faster than an
    alternation of words, and most files contain none of them)."""
    if required and not any(word in text for word in required):
        return set()
    lines: set[int] = set()
    line, counted_to = 1, 0
    for match in pattern.finditer(text):  # in order: count only the newlines since the last match
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        lines.add(line)
    return lines


class FunctionBodies:
    """Every function of a module with its imports, calls and local bindings.

    The statement structure is walked eagerly (it is small); the expressions of a function are
    walked only when someone asks for its calls, bindings or yields.
    """

    def __init__(self, source: SourceFile) -> None:
        self.module = FunctionInfo(source.tree, "<module>")
        self.functions: list[FunctionInfo] = []  # source order (lambdas once found), module excluded
        self.by_node: dict[ast.AST, FunctionInfo] = {}
        self.classes: dict[str, ast.ClassDef] = {}  # module-level classes by name
        self.methods: dict[ast.ClassDef, dict[str, FunctionInfo]] = {}
        self.handler_try: dict[ast.ExceptHandler, ast.stmt] = {}  # each handler's `try` statement
        self._block(source.tree.body, self.module, (), None)

    # -- lazy answers -------------------------------------------------------------------------------

    def calls(self, fn: FunctionInfo) -> list[Site]:
        self._walk_expressions(fn)
        return fn.expression_calls

    def is_generator(self, fn: FunctionInfo) -> bool:
        self._walk_expressions(fn)
        return fn.has_yield

    def bindings(self, fn: FunctionInfo, name: str) -> list[ast.AST]:
        """Every node that binds `name` in the function's own scope."""
        self._walk_expressions(fn)
        return [*fn.statement_bindings.get(name, ()), *fn.expression_bindings.get(name, ())]

    def calls_on_lines(self, lines: set[int]):
        """(function, call site) for the calls of every function whose code spans one of `lines`
        (the module's own code always counts); lambdas found on the way included."""
        done: set[int] = set()
        queue = [self.module, *self.functions]
        while queue:
            fn = queue.pop(0)
            if id(fn) in done:
                continue
            done.add(id(fn))
            if not fn.is_module:
                first, last = fn.node.lineno, getattr(fn.node, "end_lineno", None) or fn.node.lineno
                if not any(first <= line <= last for line in lines):
                    continue
            known = len(self.functions)
            for site in self.calls(fn):
                yield fn, site
            queue.extend(self.functions[known:])  # lambdas found just now

    # -- the statement walk ---------------------------------------------------------------------------

    def _block(self, statements: list[ast.stmt], fn: FunctionInfo, frames: tuple[Frame, ...], cls: ast.ClassDef | None) -> None:
        """Walk the statements depth first in source order, with an explicit stack (a chain of
        1,000 `elif` arms nests 1,000 blocks deep, past Python's recursion limit). The stack holds
        where to resume a block, and the deferred bindings of `except … as name`."""
        todo: list = [(statements, 0, fn, frames, cls)]
        while todo:
            step = todo.pop()
            if callable(step):
                step()
                continue
            block, start, owner, block_frames, block_cls = step
            for position in range(start, len(block)):
                inner = self._statement(block[position], owner, block_frames, block_cls)
                if inner:  # its blocks come first, then the rest of this block
                    todo.append((block, position + 1, owner, block_frames, block_cls))
                    todo.extend(reversed(inner))
                    break

    def _statement(self, node: ast.stmt, fn: FunctionInfo, frames: tuple[Frame, ...], cls: ast.ClassDef | None) -> list:
        """Record what this statement does now; return, in order, what must follow it: its blocks
        (as resume points for `_block`) and the bindings made after them."""
        binds = cls is None  # names assigned in a class body are attributes, not locals
        kind = type(node)
        fields = _SIMPLE_STATEMENT_FIELDS.get(kind)
        if fields is not None:  # most statements: expressions only, no blocks
            expressions: list = []
            for field_name in fields:
                value = getattr(node, field_name)
                if type(value) is list:
                    expressions.extend(value)
                elif value is not None:
                    expressions.append(value)
            if expressions:
                fn.pending.append((expressions, node, frames, binds))
            return []
        if kind in _FUNCTION_TYPES:
            fn.pending.append(([*node.decorator_list, node.args, node.returns], node, frames, binds))
            info = self._new_function(node, node.name, fn, cls)
            if binds:
                fn.bind(node.name, node)
            _bind_arguments(info, node.args)
            return [(node.body, 0, info, (), None)]
        if isinstance(node, ast.ClassDef):
            fn.pending.append(([*node.decorator_list, *node.bases, *node.keywords], node, frames, binds))
            if binds:
                fn.bind(node.name, node)
            if fn.is_module and cls is None:
                self.classes[node.name] = node
            self.methods.setdefault(node, {})
            # the class body runs in the enclosing function's flow; its defs are methods of `node`
            return [(node.body, 0, fn, frames, node)]
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            fn.imports.append(Site(node, node, frames))
            for alias in node.names:
                if alias.name != "*" and binds:
                    fn.bind(alias.asname or alias.name.split(".")[0], node)
            return []
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            fn.declared_global.update(node.names)
            return []
        expressions = []
        steps: list = []
        for field_name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                role = _BLOCK_ROLES.get((kind, field_name), "block")
                fn.has_finally = fn.has_finally or role == "finally"
                steps.append((value, 0, fn, (*frames, (role, node)), cls))
            elif field_name == "handlers":
                fn.has_handler = fn.has_handler or bool(value)
                for handler in value:
                    self.handler_try[handler] = node
                    if handler.type is not None:
                        expressions.append(handler.type)
                    if handler.name and binds:
                        # bound after the blocks before it were walked, as the recursive walk did
                        steps.append(partial(fn.bind, handler.name, handler))
                    steps.append((handler.body, 0, fn, (*frames, ("handler", handler)), cls))
            elif field_name == "cases":
                for case in value:
                    expressions.extend(e for e in (case.pattern, case.guard) if e is not None)
                    steps.append((case.body, 0, fn, (*frames, ("case", node)), cls))
            elif isinstance(value, list):
                expressions.extend(value)
            elif isinstance(value, ast.AST):
                expressions.append(value)
        if expressions:
            steps.append(partial(fn.pending.append, (expressions, node, frames, binds)))
        return steps

    def _new_function(self, node: ast.AST, name: str, fn: FunctionInfo, cls: ast.ClassDef | None) -> FunctionInfo:
        info = FunctionInfo(node, name, owner_class=cls, parent_ref=None if fn.is_module else weakref.ref(fn))
        self.functions.append(info)
        self.by_node[node] = info
        if cls is not None:
            self.methods.setdefault(cls, {})[name] = info
        elif not isinstance(node, ast.Lambda):
            fn.nested[name] = info
        return info

    # -- the expression walk ----------------------------------------------------------------------------

    def _walk_expressions(self, fn: FunctionInfo) -> None:
        while fn.pending:
            roots, statement, frames, bind = fn.pending.pop(0)
            self._expressions(roots, statement, fn, frames, bind)

    def _expressions(self, roots: list, statement: ast.stmt, fn: FunctionInfo, frames: tuple[Frame, ...], bind: bool) -> None:
        """Calls, yields and name bindings in expressions; a lambda body belongs to the lambda
        (queued as its own pending work), so everything found here is `fn`'s."""
        stack = [r for r in roots if r is not None]
        calls, bindings = fn.expression_calls, fn.expression_bindings
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is ast.Name:
                if bind and type(node.ctx) is not ast.Load:
                    bindings.setdefault(node.id, []).append(node)
                continue
            if kind is ast.Constant:
                continue
            if kind is ast.Call:
                calls.append(Site(node, statement, frames))
            elif kind is ast.Lambda:
                info = self._new_function(node, "<lambda>", fn, None)
                _bind_arguments(info, node.args)
                stack.append(node.args)
                info.pending.append(([node.body], statement, (), True))
                continue
            elif kind is ast.Yield or kind is ast.YieldFrom:
                fn.has_yield = True
            elif (kind is ast.MatchAs or kind is ast.MatchStar) and node.name and bind:
                bindings.setdefault(node.name, []).append(node)
            elif kind is ast.arguments:
                # only the defaults are evaluated here; the parameters belong to the function
                stack.extend(d for d in [*node.defaults, *node.kw_defaults] if d is not None)
                continue
            stack.extend(child_nodes(node))


def _bind_arguments(info: FunctionInfo, args: ast.arguments) -> None:
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            info.bind(arg.arg, arg)
