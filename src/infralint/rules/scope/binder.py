"""Scopes, bindings and flow: which names can be unbound where they are read.

One pass over the `ast` in execution order, in the manner of pyflakes: module and class bodies run
when they are reached, function and lambda bodies are deferred until the module is done (so module
globals defined below a function are visible in it). Every scope keeps a `Flow` of the names bound
at the current point, split and joined at `if`, loops, `try`, `with suppress(...)` and `match`, so a
read can be judged certainly bound, bound on some paths only, or unbound.

The result is a list of `Problem`s (how a read fails, where, and the facts a message needs; see
`problems`); the scope rules map them to their codes and words. Names are never guessed: once a
module can create globals the analysis cannot see (`from x import *`, `exec`, writes through
`globals()`, a module `__getattr__`, assignments to `builtins`), names that resolve nowhere are left
alone.

This class is the walker and the state it carries; what does not drive the walk lives beside it, as
functions of the analysis:
`emptiness` (does a loop run at least once, can a subscript fail), `environment` (an `if`/`elif`
chain over the platform), `noreturn` (calls that end a path) and `resolution` (the reads judged
after the walk, against the module's final bindings).
"""

from __future__ import annotations

import ast
import gc
from collections import deque
from contextlib import contextmanager
from functools import cached_property, partial

from ...analysis.flow import Flow, Why, join, merge_into
from ...analysis.names import attribute_chain
from ...source import SourceFile
from .known_names import (
    BUILTINS,
    CLASS_BODY_NAMES,
    EXCEPTION_SWALLOWING_CONTEXTS,
    MODULE_DUNDERS,
    PACKAGE_DUNDERS,
)
from .path_facts import (
    IS_TRUE, MAX_PATH_FACTS, Atoms, conflict, disjunction_contradicts, refine, ruled_out_names, value_facts,
)
from .raise_points import EVERYTHING, catches_everything, catches_import_error, caught_kinds, raising_parts
from .stored_names import CHILD_FIELDS, push_children, stores_in
from .syntax_facts import (
    annotation_subscript_parts,
    catches_name_error,
    chain_tests,
    irrefutable,
    globals_writes,
    is_globals_call,
    matches_constant,
    negated_name,
    starts_within,
    static_test,
    tests_existence,
)
from .class_attributes import ClassAttributes
from .emptiness import cannot_fail, learn_empty, nonempty, visibly_maybe_empty
from .environment import environment_dispatch
from .exhaustive import covers_every_case
from .problems import PathKind, Problem, ReadFailure
from .resolution import DEAD, DEFERRED, GLOBAL_UNASSIGNED, IMPORT_TIME, MAYBE, UNBOUND, resolve
from .scopes import Binding, Scope, executing
from .noreturn import leaving_call, never_returns
from .noreturn_defs import annotated_noreturn, body_never_returns

_FIELDS_LAST_FIRST = {cls: tuple(reversed(fields)) for cls, fields in CHILD_FIELDS.items()}
_DYNAMIC_CALLS = frozenset({"exec", "globals", "vars", "setattr", "__import__"})
_DYNAMIC_TARGET_ROOTS = frozenset({"builtins", "__builtins__"})
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_NOTHING: frozenset[str] = frozenset()
# node classes the expression walk tests every node against, as module globals (no lookup on `ast`)
_Attribute, _Call, _Constant, _Load, _Name, _Store = ast.Attribute, ast.Call, ast.Constant, ast.Load, ast.Name, ast.Store
_BinOp, _Compare, _Subscript = ast.BinOp, ast.Compare, ast.Subscript
# the parser gives every read the same `Load` object: testing for it first saves a lookup per name
_PARSED_LOAD = ast.parse("x", mode="eval").body.ctx


# the path kinds as module globals: the walk names them at every branch, loop and handler, where
# reading an Enum member off its class costs ten times a global (Python 3.11)
_BREAK = PathKind.BREAK
_CASE = PathKind.CASE
_CASE_NONE = PathKind.CASE_NONE
_CONTINUE = PathKind.CONTINUE
_DEL = PathKind.DEL
_EXCEPT_END = PathKind.EXCEPT_END
_FINALLY = PathKind.FINALLY
_HANDLER = PathKind.HANDLER
_IF_BRANCH = PathKind.IF_BRANCH
_IF_ELSE = PathKind.IF_ELSE
_LOOP_BODY = PathKind.LOOP_BODY
_LOOP_DEL = PathKind.LOOP_DEL
_LOOP_EXIT = PathKind.LOOP_EXIT
_LOOP_FIRST = PathKind.LOOP_FIRST
_LOOP_PARTIAL = PathKind.LOOP_PARTIAL
_LOOP_ZERO = PathKind.LOOP_ZERO
_RAISE = PathKind.RAISE
_SUPPRESS = PathKind.SUPPRESS
_TRY = PathKind.TRY
_TRY_OK = PathKind.TRY_OK
_WITH_OK = PathKind.WITH_OK
_RAISE_WHY = (_RAISE,)


class _TryFrame:
    """One `try` body being walked: the states its raising points reach a handler or `finally` with."""

    __slots__ = ("scope", "kinds", "raised", "points", "escaping", "escaping_points", "merged", "escaping_merged")

    def __init__(self, scope: Scope, kinds: frozenset[str], escapes: bool) -> None:
        self.scope = scope
        self.kinds = kinds  # the kinds of failure its handlers catch
        self.raised: Flow | None = None
        self.points: list[tuple[int, ast.AST]] = []  # (log position, raising node) per caught point
        self.escaping: Flow | None = None
        self.escaping_points: list[tuple[int, ast.AST]] | None = [] if escapes else None
        self.merged: tuple | None = None  # the state last merged into `raised` (flow id, log length, sizes)
        self.escaping_merged: tuple | None = None


def _parameters(args: ast.arguments) -> list[ast.arg]:
    """A function's parameters in order: positional-only, positional, `*args`, keyword-only, `**kwargs`
    (only read: most functions have positional ones only, given as the syntax tree's own list)."""
    if not (args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg):
        return args.args
    return [arg for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg) if arg is not None]


def _imported_names(stmt: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(stmt, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in stmt.names]
    return [alias.asname or alias.name for alias in stmt.names if alias.name != "*"]


class ScopeAnalysis:
    """Bindings of every scope of one file and the problems found in its reads.

    Paths are judged as `[tool.infralint.scope] possibly-unbound = "likely"` (the default) says: an
    `if`/`elif` chain whose every branch binds the name is taken as covering its values, and a `for`
    loop runs at least once unless its iterable is visibly built possibly empty. `AllPathsScopeAnalysis`
    judges every path.
    """

    every_path = False

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.unknowable = False  # the module's globals can be created invisibly
        self.has_star_import = False
        self.is_stub = source.is_stub  # a `.pyi` file is never executed: only names that exist anywhere matter
        # `from __future__ import annotations`, every stub, and a project for Python 3.14+ (PEP 649)
        self.postponed = self.is_stub or (source.target_python or (0, 0)) >= (3, 14)
        self.is_package = source.is_package_init
        self.typing_only = False
        self.quiet = 0  # > 0: reads are not judged (code that never runs, or probes guarded by `except NameError`)
        self.in_annotation = False
        tree = source.tree
        self.module = Scope("module", "<module>", tree, None, None)
        self.module.flow = Flow()
        self.scopes: list[Scope] = [self.module]
        self.scope = self.module
        self.loops: list[tuple[list, list]] = []
        self.try_frames: list[_TryFrame] = []  # the `try` bodies (and `with suppress`) being walked
        self.deferred: deque = deque()
        self.module_pending: list[tuple] = []
        self.lazy_names: list[tuple[str, ast.AST, Scope]] = []
        self.global_decls: dict[str, tuple[Scope, ast.Global]] = {}
        self.log: list[tuple[Scope, str, ast.AST]] = []
        self.stmt: ast.AST = tree
        self.module_end: Flow | None = None
        self.atoms = Atoms()
        self.nonempty_loops: set[int] = set()  # `for` loops that certainly run at least once
        self.class_attributes: dict[int, ClassAttributes] = {}  # per class scope, built when a loop asks
        self.global_assigners: dict[str, set[int]] = {}  # name → the functions that assign it through `global`
        self.expression_conds: set[int] = set()  # conditions of `a or b` and `x if t else y`, not of statements
        self.hints = None  # `name_hints.NameHints`, built when a message first needs one
        self.ends_block = False  # the statement being walked is the last of its block
        self.in_handler = 0  # `except` handlers being walked
        self.star_imports: list[ast.ImportFrom] = []
        self.star_names: frozenset[str] | None = None  # what the star imports provide, once asked
        self.module_classes: dict[str, Scope] = {}  # module-level classes by name, of the scopes seen so far
        self.module_classes_seen = 0
        self.parsed_annotations: dict[str, ast.expr | None] = {}  # string annotations by their text
        self.self_noreturn: dict[tuple[int, str], bool] = {}  # (class scope, method) → never returns, once methods run
        # everything allocated here stays reachable until the end, so cycle collection during the
        # pass would only rescan the file's syntax tree again and again
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._run(tree)
        finally:
            if collecting:
                gc.enable()

    @cached_property
    def may_walrus(self) -> bool:
        """Whether the file may hold a `:=` (else only assignment targets bind in a loop body); a
        scan of the whole text, asked only by files with loops."""
        return ":=" in self.source.text

    # -- driver ---------------------------------------------------------------------------------

    def _run(self, tree: ast.Module) -> None:
        self._stmts(tree.body)
        self.module_end = self.module.flow
        functions = []
        while self.deferred:
            functions.append(self._run_function(*self.deferred.popleft()))
        # judged only now: a nested function's `nonlocal` can bind its parent's locals at any time
        resolve(self, functions)

    def _stmts(self, body: list[ast.stmt]) -> None:
        handlers = _STMT_HANDLERS
        frames = self.try_frames
        last = body[-1] if body else None
        for stmt in body:
            self.stmt = stmt
            self.ends_block = stmt is last
            if frames:
                self._note_raise_points(stmt)
            handler = handlers.get(stmt.__class__)
            if handler is None:
                self._expr(stmt)
            else:
                handler(self, stmt)

    # -- expressions ------------------------------------------------------------------------------

    def _expr(self, node: ast.AST | None) -> None:
        """Visit an expression in evaluation order: reads, walrus bindings, nested scopes."""
        if node is None:
            return
        cls = node.__class__
        if cls is _Constant:
            return
        scope = self.scope
        if scope.kind == "comprehension":
            bound, direct = _NOTHING, False
        else:
            # a name bound on every path here is read without a question (what `_read` would conclude
            # first); the walk of one expression never replaces the flow, it only binds into it
            flow = scope.flow
            bound = flow.bound if flow is not None else _NOTHING
            # and the other reads go straight to their scope (unless the code never runs)
            direct = not self.quiet
        if cls is _Name and node.ctx.__class__ is _Load:  # a third of all expressions
            if node.id not in bound:
                if direct:
                    self._read_in(scope, node.id, node, None, scope)
                else:
                    self._read(node.id, node)
            return
        stack: list[ast.AST] = []
        pop, push = stack.pop, stack.append
        fields_of = _FIELDS_LAST_FIRST
        special = _EXPR_HANDLERS
        n = node
        while True:
            cls = n.__class__
            while cls is _Attribute:  # `a.b.c`: only the innermost value is read
                n = n.value
                cls = n.__class__
            if cls is _Name:
                ctx = n.ctx
                if ctx is _PARSED_LOAD or ctx.__class__ is _Load:
                    if n.id not in bound:
                        if direct:
                            self._read_in(scope, n.id, n, None, scope)
                        else:
                            self._read(n.id, n)
                elif ctx.__class__ is _Store:
                    self._bind(n.id, "assign", n)
                else:
                    self._delete_name(n)
            elif cls is _Call:  # two fifths of the other nodes: its parts without the generic walk
                func = n.func
                if func.__class__ is _Name:
                    if func.id in _DYNAMIC_CALLS:
                        self._note_dynamic_call(n)
                elif func.__class__ is _Attribute and func.attr == "_convert_":
                    self.unknowable = True  # `IntEnum._convert_(…)` copies enum members into module globals
                keywords = n.keywords
                if keywords:
                    for keyword in reversed(keywords):
                        value = keyword.value
                        if value.__class__ is not _Constant:
                            push(value)
                args = n.args
                if args:
                    for item in reversed(args):
                        if item.__class__ is not _Constant:
                            push(item)
                if func.__class__ is not _Constant:
                    n = func  # evaluated first: walk it now rather than push and pop it
                    continue
            elif cls is _Subscript:  # the next commonest shapes, the same way
                index = n.slice
                if index.__class__ is not _Constant:
                    push(index)
                n = n.value
                continue
            elif cls is _Compare:
                for item in reversed(n.comparators):
                    if item.__class__ is not _Constant:
                        push(item)
                n = n.left
                continue
            elif cls is _BinOp:
                right = n.right
                if right.__class__ is not _Constant:
                    push(right)
                n = n.left
                continue
            else:
                handler = special.get(cls)
                if handler is not None:
                    handler(self, n)
                else:
                    for field in fields_of[cls]:  # pushed last-first so they pop in evaluation order
                        value = getattr(n, field)
                        if value is None:
                            continue
                        if value.__class__ is list:
                            for item in reversed(value):
                                if item is not None and item.__class__ is not _Constant:
                                    push(item)
                        elif value.__class__ is not _Constant:  # a fifth of all nodes, with nothing to read
                            push(value)
            if not stack:
                return
            n = pop()

    def _note_dynamic_call(self, call: ast.Call) -> None:
        name = call.func.id
        if name == "setattr":
            target = call.args[0] if call.args else None
            if isinstance(target, ast.Subscript):  # setattr(sys.modules[__name__], …)
                target = target.value.attr if isinstance(target.value, ast.Attribute) else None
                self.unknowable = self.unknowable or target == "modules"
            elif isinstance(target, ast.Name) and target.id in _DYNAMIC_TARGET_ROOTS:
                self.unknowable = True
        elif name == "exec":
            # `exec(code)` at module level, or into `globals()`, creates module globals; into a
            # namespace dict, or a function's locals, it does not
            if len(call.args) < 2 and not call.keywords:
                self.unknowable = self.unknowable or executing(self.scope).kind == "module"
            elif any(is_globals_call(a) for a in (*call.args[1:], *(k.value for k in call.keywords))):
                self.unknowable = True
        elif name in ("globals", "vars") and not call.args:
            if name == "globals" or executing(self.scope).kind == "module":
                provided = globals_writes(self.stmt, call)
                if provided is None:
                    self.unknowable = True
                for key, node in provided or ():
                    self.module.bindings.setdefault(key, []).append(Binding(key, "global", node, self.typing_only))

    def _lambda(self, node: ast.Lambda) -> None:
        for default in node.args.defaults:
            self._expr(default)
        for default in node.args.kw_defaults:
            self._expr(default)
        self.deferred.append((node, self.scope, self.typing_only, _parameters(node.args)))

    def _comprehension(self, node: ast.AST) -> None:
        generators = node.generators
        self._expr(generators[0].iter)  # the first iterable is evaluated in the enclosing scope
        outer = self.scope
        scope = Scope("comprehension", "<comprehension>", node, outer, outer if outer.kind == "comprehension" else executing(outer))
        self.scopes.append(scope)
        self.scope = scope
        try:
            for index, generator in enumerate(generators):
                if index:
                    self._expr(generator.iter)
                self._comprehension_target(scope, generator.target)
                for condition in generator.ifs:
                    self._expr(condition)
            if node.__class__ is ast.DictComp:
                self._expr(node.key)
                self._expr(node.value)
            else:
                self._expr(node.elt)
        finally:
            self.scope = outer

    def _comprehension_target(self, scope: Scope, target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            scope.bindings.setdefault(target.id, []).append(Binding(target.id, "comprehension", target))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._comprehension_target(scope, element)
        elif isinstance(target, ast.Starred):
            self._comprehension_target(scope, target.value)
        else:
            self._expr(target)

    def _bool_op(self, node: ast.BoolOp) -> None:
        """`a or b`: `b` runs only after `a`, so `a` guards it as an `if` test would."""
        conds = executing(self.scope).conds
        values = node.values
        self._expr(values[0])
        never = "not-typing" if node.op.__class__ is ast.Or else "typing"
        if static_test(values[0]) == never:  # `not TYPE_CHECKING or isinstance(t, X)`: the rest never runs
            return
        outcome = node.op.__class__ is ast.And  # the later parts run only when the earlier ones gave this
        owner, saved, start = self._assume_begin()
        try:
            for index in range(1, len(values)):
                conds.append(values[index - 1])
                self.expression_conds.add(id(values[index - 1]))
                if saved is not None:
                    refine(owner.flow.facts, values[index - 1], outcome, self.atoms, owner.fact_names)
                try:
                    self._expr(values[index])
                finally:
                    conds.pop()
        finally:
            self._assume_end(owner, saved, start)

    def _if_exp(self, node: ast.IfExp) -> None:
        """`a if t else b`; a chain `a if t else b if u else c` is walked in a loop, not recursively."""
        conds = executing(self.scope).conds
        assumed: list[tuple[Scope, dict | None, int]] = []
        try:
            while True:
                self._expr(node.test)
                conds.append(node.test)
                self.expression_conds.add(id(node.test))
                owner, saved, start = self._assume_begin()
                assumed.append((owner, saved, start))
                if saved is not None:
                    refine(owner.flow.facts, node.test, True, self.atoms, owner.fact_names)
                self._expr(node.body)
                if saved is not None:
                    owner.flow.facts = dict(saved)
                    refine(owner.flow.facts, node.test, False, self.atoms, owner.fact_names)
                if node.orelse.__class__ is not ast.IfExp:
                    self._expr(node.orelse)
                    break
                node = node.orelse
        finally:
            for owner, saved, start in reversed(assumed):
                conds.pop()
                self._assume_end(owner, saved, start)

    def _assume_begin(self) -> tuple[Scope, dict | None, int]:
        """Start evaluating a part of an expression that runs only under a condition: its facts are temporary."""
        owner = self.scope
        while owner.kind == "comprehension":
            owner = owner.lookup_parent
        flow = owner.flow
        if flow is None:
            return owner, None, 0
        saved = flow.facts
        flow.facts = dict(saved)
        return owner, saved, len(self.log)

    def _assume_end(self, owner: Scope, saved: dict | None, start: int) -> None:
        flow = owner.flow
        if saved is None or flow is None:
            return
        flow.facts = saved
        for logged, name, _ in self.log[start:]:  # a walrus inside rebinds: what was known of it is stale
            if logged is owner and name in owner.fact_names:
                flow.forget(self.atoms.names_of, name)

    def _walrus(self, node: ast.NamedExpr) -> None:
        self._expr(node.value)
        self._bind(node.target.id, "walrus", node.target)

    # -- reads ------------------------------------------------------------------------------------

    def _read(self, name: str, node: ast.AST) -> None:
        if self.quiet:
            return
        scope = self.scope
        if scope.kind == "function":
            flow = scope.flow
            if flow is not None and name in flow.bound:
                return
        elif scope.kind == "comprehension":
            origin = scope
            while scope.kind == "comprehension":
                if name in scope.bindings:
                    return
                scope = scope.lookup_parent
            self._read_in(scope, name, node, None, origin)
            return
        self._read_in(scope, name, node, None, scope)

    def _read_in(self, scope: Scope, name: str, node: ast.AST, class_why: Why | None, origin: Scope) -> None:
        """Judge a read against `scope`'s current flow (classes fall through to the scope they run in)."""
        kind = scope.kind
        if kind == "function":
            if name in scope.globals:
                flow = scope.flow
                if flow is not None and name in flow.bound:
                    return  # assigned by this function on every path here
                unassigned = flow is not None and name not in flow.maybe
                mode = GLOBAL_UNASSIGNED if unassigned else DEFERRED
                self.module_pending.append((name, node, mode, None, class_why, self.in_annotation, origin))
                return
            if name in scope.nonlocals:
                return
            flow = scope.flow
            if flow is None:
                scope.pending.append((name, node, DEAD, None, class_why, self.in_annotation, origin))
            elif name in flow.bound:
                return
            elif name in flow.maybe:
                why = flow.maybe[name]
                if not self._correlated(scope, why, name) and not self._ruled_out(flow, name, scope, origin):
                    scope.pending.append((name, node, MAYBE, why, class_why, self.in_annotation, origin))
                # past a read that did not raise, the name is bound: one finding per failing path
                flow.bind(name)
            else:
                scope.pending.append((name, node, UNBOUND, flow.gone.get(name), class_why, self.in_annotation, origin))
        elif kind == "module":
            flow = scope.flow
            if flow is not None and name in flow.bound:
                return
            if name in BUILTINS or name in MODULE_DUNDERS or (self.is_package and name in PACKAGE_DUNDERS):
                return
            if flow is None:
                self.module_pending.append((name, node, DEAD, None, class_why, self.in_annotation, origin))
            elif name in flow.maybe:
                why = flow.maybe[name]
                if not self._correlated(scope, why, name) and not self._ruled_out(flow, name, scope, origin):
                    self.problems.append(Problem(ReadFailure.MAYBE_UNBOUND, name, node, origin, why, in_annotation=self.in_annotation))
                flow.bind(name)
            else:
                self.module_pending.append((name, node, IMPORT_TIME, flow.gone.get(name), class_why, self.in_annotation, origin))
        elif kind == "class":
            flow = scope.flow
            if flow is not None and name in flow.bound:
                return
            why = flow.maybe.get(name) if flow is not None else None
            self._read_in(scope.lookup_parent, name, node, why or class_why, origin)
        else:  # type parameters
            if name not in scope.bindings:
                self._read_in(scope.lookup_parent, name, node, class_why, origin)

    def _correlated(self, scope: Scope, why: Why, name: str) -> bool:
        """A name bound under `if cond:` read again under a test of the same `cond` (or under
        `if "name" in locals():`) is not a hazard; nor is a read under any condition of a name
        that a later iteration of the same loop binds (loop state such as `if not first:`)."""
        if not scope.conds:
            return False
        if why[0] is _LOOP_FIRST:
            # under an `if` inside the loop (`if not first: use(previous)`); `x = item or x` is no such test
            statement_conds = sum(1 for cond in scope.conds if id(cond) not in self.expression_conds)
            return statement_conds > why[3]
        if any(tests_existence(cond, name) for cond in scope.conds):
            return True
        if why[0] not in (_IF_ELSE, _IF_BRANCH):
            return False
        tests = {self._dump(test) for test in chain_tests(why)}
        return any(self._dump(cond) in tests for cond in scope.conds)

    def _ruled_out(self, flow: Flow, name: str, scope: Scope, origin: Scope) -> bool:
        """The read's path contradicts what holds whenever `name` is unbound (`if found: use(value)`)."""
        guard = flow.guards.get(name)
        if not guard:
            return False
        known = [flow.facts]
        between = origin
        while between is not None and between is not scope:  # tests of class bodies the read sits in
            if between.kind == "class" and between.flow is not None:
                known.append(between.flow.facts)
            between = between.lookup_parent
        for key, mask in guard.items():
            for facts in known:
                fact = facts.get(key)
                if fact is not None and conflict(mask, fact):
                    return True
        return any(disjunction_contradicts(facts, guard, self.atoms) for facts in known)

    def _refine(self, scope: Scope, flow: Flow | None, test: ast.expr, outcome: bool) -> None:
        """A branch of a statement starts: record its test, and bind the names its path rules out as unbound
        (so the flag may be reused inside the branch: `if error is None: error = "…" % len(value)`)."""
        if flow is None:
            return
        refine(flow.facts, test, outcome, self.atoms, scope.fact_names)
        if flow.guards:
            for name in ruled_out_names(flow.facts, flow.guards, self.atoms):
                flow.bind(name)

    def _dump(self, test: ast.expr) -> str:
        """The condition without its polarity: `not a`, `a != b`, `a is not None` match `a`, `a == b`, `a is None`."""
        return self._condition(test)[0]

    def _condition(self, test: ast.expr) -> tuple[str, bool]:
        return self.atoms.condition(test)

    def _complements_earlier(self, node: ast.If, head: ast.If) -> bool:
        """`if x is None: … elif x is not None:` — the chain covers every case, there is no else path."""
        current = head
        while current is not node:
            if self.atoms.may_complement(node.test, current.test):  # most chains have no candidate: no test printed
                text, negated = self._condition(node.test)
                other, other_negated = self._condition(current.test)
                if other == text and other_negated != negated:
                    return True
            current = current.orelse[0]
        return False

    # -- bindings ---------------------------------------------------------------------------------

    def _bind(self, name: str, kind: str, node: ast.AST, fullname: str | None = None) -> None:
        scope = self.scope
        if scope.kind == "comprehension":
            if kind != "walrus":
                scope.bindings.setdefault(name, []).append(Binding(name, kind, node))
                return
            while scope.kind == "comprehension":
                scope = scope.lookup_parent
        if name in scope.globals:
            self.module.bindings.setdefault(name, []).append(Binding(name, "global", node, self.typing_only, fullname))
            if not self.typing_only:
                self.global_assigners.setdefault(name, set()).add(id(scope))
                if scope.flow is not None:
                    scope.flow.bind(name)  # this function has assigned it on this path
            return
        if name in scope.nonlocals:
            return
        binding = Binding(name, kind, node, self.typing_only, fullname, self.stmt)
        existing = scope.bindings.get(name)
        if existing is None:
            scope.bindings[name] = [binding]
        else:
            existing.append(binding)
        if self.typing_only:
            return
        flow = scope.flow
        if flow is not None:
            flow.bind(name)
            if name in scope.fact_names:
                flow.forget(self.atoms.names_of, name)
        if scope.truthy:
            scope.truthy.discard(name)
        self.log.append((scope, name, self.stmt))

    def _declare(self, name: str, node: ast.AST) -> None:
        """`x: int` without a value: makes `x` local in a function but binds nothing."""
        scope = self.scope
        if name in scope.globals or name in scope.nonlocals:
            return
        scope.bindings.setdefault(name, []).append(Binding(name, "annotation", node, self.typing_only))

    def _delete_name(self, node: ast.Name) -> None:
        self._read(node.id, node)
        scope = self.scope
        name = node.id
        if name in scope.globals or name in scope.nonlocals or scope.kind == "comprehension":
            return
        scope.bindings.setdefault(name, []).append(Binding(name, "del", node, self.typing_only))
        if scope.flow is not None and not self.typing_only:
            scope.flow.unbind(name, (_DEL, node))
            if name in scope.fact_names:
                scope.flow.forget(self.atoms.names_of, name)

    def _target(self, target: ast.AST, kind: str) -> None:
        cls = target.__class__
        if cls is ast.Name:
            self._bind(target.id, kind, target)
        elif cls is ast.Tuple or cls is ast.List:
            for element in target.elts:
                self._target(element, kind)
        elif cls is ast.Starred:
            self._target(target.value, kind)
        else:
            root = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id in _DYNAMIC_TARGET_ROOTS:
                self.unknowable = True  # `builtins.x = …` makes `x` visible everywhere
            self._expr(target)

    # -- definitions ------------------------------------------------------------------------------

    def _type_param_scope(self, node: ast.AST) -> Scope | None:
        params = getattr(node, "type_params", None)
        if not params:
            return None
        scope = Scope("typeparams", getattr(node, "name", "<type>"), node, self.scope, executing(self.scope))
        for param in params:
            scope.bindings[param.name] = [Binding(param.name, "typeparam", param)]
            bound = getattr(param, "bound", None)
            if bound is not None:
                self.lazy_names_in(bound, scope)
        self.scopes.append(scope)
        return scope

    def _function_def(self, node: ast.FunctionDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
        args = node.args
        for default in args.defaults:
            self._expr(default)
        for default in args.kw_defaults:
            self._expr(default)
        outer = self.scope
        params = self._type_param_scope(node)
        if params is not None:
            self.scope = params
        parameters = _parameters(args)
        try:
            for arg in parameters:
                if arg.annotation is not None:
                    self._annotation(arg.annotation)
            if node.returns is not None:
                self._annotation(node.returns)
        finally:
            self.scope = outer
        self._bind(node.name, "def", node)
        if annotated_noreturn(node.returns) or body_never_returns(node, partial(leaving_call, self)):
            outer.noreturn.add(node.name)
        if outer is self.module and node.name == "__getattr__":
            self.unknowable = True  # PEP 562: the module answers for names it does not bind
        self.deferred.append((node, params or outer, self.typing_only, parameters))

    def _class_def(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
            tail = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", None)
            if tail == "global_enum":
                self.unknowable = True  # `@enum.global_enum` exports the members as module globals
        outer = self.scope
        params = self._type_param_scope(node)
        if params is not None:
            self.scope = params
        try:
            for base in node.bases:
                self._expr(base)
            for keyword in node.keywords:
                self._expr(keyword.value)
        finally:
            self.scope = outer
        scope = Scope("class", node.name, node, outer, params or executing(outer))
        scope.flow = Flow(set(CLASS_BODY_NAMES))
        self.scopes.append(scope)
        saved_loops, self.loops = self.loops, []
        self.scope = scope
        try:
            self._stmts(node.body)
        finally:
            self.scope = outer
            self.loops = saved_loops
        self.stmt = node
        self._bind(node.name, "class", node)

    def _type_alias(self, node: ast.AST) -> None:
        params = self._type_param_scope(node)
        self.lazy_names_in(node.value, params or self.scope)
        self._target(node.name, "assign")

    def _run_function(self, node: ast.AST, parent: Scope, quiet: bool, parameters: list[ast.arg]) -> None:
        name = getattr(node, "name", "<lambda>")
        scope = Scope("function", name, node, parent, parent if parent.kind != "class" else parent.lookup_parent)
        self.scopes.append(scope)
        flow = Flow()
        bindings, bound = scope.bindings, flow.bound
        for arg in parameters:
            bindings[arg.arg] = [Binding(arg.arg, "arg", arg)]
            bound.add(arg.arg)
        scope.flow = flow
        self.scope, self.loops, self.quiet, self.typing_only = scope, [], int(quiet), False
        if isinstance(node, ast.Lambda):
            self._expr(node.body)
        else:
            self._stmts(node.body)
        return scope

    # -- annotations ------------------------------------------------------------------------------

    def _annotation(self, node: ast.expr, lazy: bool | None = None) -> None:
        """Annotations run at definition time unless postponed; string parts are only checked lazily."""
        if lazy is None:
            lazy = self.postponed
        if lazy:
            self.lazy_names_in(node, self.scope)
            return
        stack = [node]
        while stack:
            n = stack.pop()
            cls = n.__class__
            if cls is ast.Name:
                self.in_annotation = True
                self._read(n.id, n)
                self.in_annotation = False
            elif cls is ast.Constant:
                if isinstance(n.value, str):
                    self._string_annotation(n, self.scope)
            elif cls is ast.Subscript:
                stack.extend(annotation_subscript_parts(n))
            else:
                push_children(stack, n)

    def lazy_names_in(self, node: ast.expr, scope: Scope, report_at: ast.AST | None = None) -> None:
        """Names of an annotation that is not evaluated at definition time: only checked to exist."""
        stack = [node]
        while stack:
            n = stack.pop()
            cls = n.__class__
            if cls is ast.Name:
                self.lazy_names.append((n.id, report_at or n, scope))
            elif cls is ast.Constant:
                if isinstance(n.value, str) and report_at is None:
                    self._string_annotation(n, scope)
            elif cls is ast.Subscript:
                stack.extend(annotation_subscript_parts(n))
            else:
                push_children(stack, n)

    def _string_annotation(self, node: ast.Constant, scope: Scope) -> None:
        text = node.value.strip()
        parsed = self.parsed_annotations.get(text, node)  # `node`: not parsed yet (None: does not parse)
        if parsed is node:
            try:
                parsed = ast.parse(text, mode="eval").body
            except (SyntaxError, ValueError):
                parsed = None
            self.parsed_annotations[text] = parsed  # a file spells the same annotation many times
        if parsed is not None:
            self.lazy_names_in(parsed, scope, report_at=node)

    # -- simple statements ------------------------------------------------------------------------

    def _return(self, node: ast.Return) -> None:
        self._expr(node.value)
        self.scope.flow = None

    def _raise(self, node: ast.Raise) -> None:
        self._expr(node.exc)
        self._expr(node.cause)
        self.scope.flow = None

    def _assert(self, node: ast.Assert) -> None:
        self._expr(node.test)
        self._expr(node.msg)
        if isinstance(node.test, ast.Constant) and not node.test.value:
            self.scope.flow = None
        else:
            self._refine(self.scope, self.scope.flow, node.test, True)

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._expr(target)

    def _assign(self, node: ast.Assign) -> None:
        value = node.value
        self._expr(value)
        known = 0 if value.__class__ is _Call else self._value_facts(value)  # what a call returns is not known
        for target in node.targets:
            self._target(target, "assign")
            if known and target.__class__ is ast.Name:
                self._learn_value(target.id, known)

    def _value_facts(self, value: ast.expr) -> int:
        flow = self.scope.flow
        if flow is None or self.typing_only:
            return 0
        return value_facts(value, flow.facts, self.atoms)

    def _learn_value(self, name: str, mask: int) -> None:
        """`found = False`: remember on this path what the name now holds."""
        scope = self.scope
        if scope.flow is None or name in scope.globals or name in scope.nonlocals:
            return
        facts, key = scope.flow.facts, self.atoms.name(name)
        if len(facts) < MAX_PATH_FACTS or key in facts:
            facts[key] = mask
            scope.fact_names.add(name)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            self._read(target.id, target)
            self._expr(node.value)
            self._bind(target.id, "assign", target)
        else:
            self._expr(target)
            self._expr(node.value)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self._expr(node.value)
        target = node.target
        # a local variable's annotation is never evaluated; module and class ones are (unless postponed)
        self._annotation(node.annotation, lazy=True if self.scope.kind == "function" else None)
        if isinstance(target, ast.Name):
            if node.value is not None:
                known = self._value_facts(node.value)
                self._bind(target.id, "assign", target)
                if known:
                    self._learn_value(target.id, known)
            else:
                self._declare(target.id, target)
        else:
            self._expr(target)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, "import", node, alias.name)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, "import", node, top)

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        if self.is_package and node.level == 1 and node.module and executing(self.scope).kind == "module":
            # importing `.sub` from a package's `__init__` also sets the package attribute `sub`
            submodule = node.module.split(".")[0]
            self._bind(submodule, "import", node, "." + submodule)
        if module == "__future__":
            if any(alias.name == "annotations" for alias in node.names):
                self.postponed = True
            return
        for alias in node.names:
            if alias.name == "*":
                self.has_star_import = True
                self.star_imports.append(node)  # what it provides is read only if a name needs it
                continue
            fullname = f"{module}.{alias.name}" if node.module else f"{module}{alias.name}"
            self._bind(alias.asname or alias.name, "import", node, fullname)

    def _global(self, node: ast.Global) -> None:
        if self.scope.kind == "module":
            return
        self.scope.globals.update(node.names)
        for name in node.names:
            self.global_decls.setdefault(name, (self.scope, node))

    def _nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)
        for name in node.names:
            outer = self.scope.lookup_parent
            while outer is not None and outer.kind != "module":
                if outer.kind == "function" and name in outer.bindings:
                    outer.assigned_inside.add(name)
                    break
                outer = outer.lookup_parent

    def _expr_stmt(self, node: ast.Expr) -> None:
        value = node.value
        self._expr(value)
        if value.__class__ is ast.Call and never_returns(self, value, consult_imports=self.ends_block and self.in_handler > 0):
            self.scope.flow = None

    def _pass(self, node: ast.Pass) -> None:
        pass

    def _break(self, node: ast.Break) -> None:
        if self.loops:
            self.loops[-1][0].append((self.scope.flow, (_BREAK, node)))
        self.scope.flow = None

    def _continue(self, node: ast.Continue) -> None:
        if self.loops:
            self.loops[-1][1].append((self.scope.flow, (_CONTINUE, node)))
        self.scope.flow = None

    # -- names through the imports, context managers that swallow exceptions ----------------------

    def qualified_name(self, node: ast.AST) -> str | None:
        """`sys.exit` for `sys.exit`, `exit` from `from sys import exit`, via the import bindings."""
        chain = attribute_chain(node)
        if chain is None:
            return None
        root, attributes = chain
        scope: Scope | None = self.scope
        while scope is not None:
            bindings = scope.bindings.get(root)
            if bindings:
                fullname = bindings[-1].fullname
                if fullname is None:
                    return None
                root = fullname
                break
            scope = scope.lookup_parent
        return ".".join([root, *attributes])

    def _swallows_exceptions(self, context: ast.expr) -> bool:
        return isinstance(context, ast.Call) and self.qualified_name(context.func) in EXCEPTION_SWALLOWING_CONTEXTS

    # -- branches ---------------------------------------------------------------------------------

    def _if(self, node: ast.If) -> None:
        """An `if` and its `elif` chain, walked in a loop (a chain of thousands of `elif`s is one
        statement, not thousands of nested ones); the branch states are joined innermost first."""
        scope = self.scope
        head = node
        links: list[tuple[Flow | None, ast.If]] = []  # (state at the end of its body, link) awaiting the join
        try:
            while node is not None:
                node = self._if_link(node, head, links)
        finally:
            for _ in links:
                scope.conds.pop()
        if not self.every_path and scope.flow is not None and links:
            if len(links) > 1 and not links[-1][1].orelse:
                self._assume_chain_covers_values(links)
            if scope.kind == "module":
                self._assume_optional_definitions(links)
        for then_end, link in reversed(links):
            scope.flow = join([(then_end, (_IF_BRANCH, link)), (scope.flow, (_IF_ELSE, head, link))])
        if links:
            then_end, last = links[-1]
            if then_end is None and not last.orelse:
                guarded = negated_name(last.test)
                if guarded is not None:
                    scope.truthy.add(guarded)  # `if not items: raise …` — from here on `items` is non-empty

    def _assume_chain_covers_values(self, links: list) -> None:
        """An `if`/`elif` chain without `else` whose every branch that goes on binds a name is read as
        a dispatch over the values that occur: the name counts as bound when no test holds."""
        ends = [then_end for then_end, _ in links if then_end is not None]
        if not ends:
            return
        fallthrough = self.scope.flow
        for name in set.intersection(*(end.bound for end in ends)) - fallthrough.bound:
            fallthrough.bind(name)

    def _assume_optional_definitions(self, links: list) -> None:
        """`if hasattr(select, "epoll"): class EpollSelector: …` at module level is an optional API: its
        readers test for it in ways of their own, so a skipped `def`/`class` is not taken as unbound."""
        fallthrough = self.scope.flow
        bindings = self.scope.bindings
        for then_end, _ in links:
            if then_end is not None:
                for name in then_end.bound - fallthrough.bound:
                    if bindings[name][-1].kind in ("def", "class"):
                        fallthrough.bind(name)

    def _if_link(self, node: ast.If, head: ast.If, links: list) -> ast.If | None:
        """One test of an `if`/`elif` chain: walk its body and leave the state of its `else` side in
        `scope.flow`; return the next `elif` to walk, or None when the chain ends here."""
        if node is not head:
            self.stmt = node
            if self.try_frames:
                self._note_raise_points(node)  # an `elif` test runs like a statement of its own
        static = static_test(node.test)
        if static == "typing":
            self._typing_only_block(node.body)
            self._stmts(node.orelse)
            return None
        if static == "not-typing":
            self._stmts(node.body)
            self._typing_only_block(node.orelse)
            return None
        self._expr(node.test)
        scope = self.scope
        entry = scope.flow
        if static is False:
            self._typing_only_block(node.body)
            self._stmts(node.orelse)
            return None
        if static is True:  # `if True:` — the `else` never runs
            self._stmts(node.body)
            then_end, scope.flow = scope.flow, None
            self._stmts(node.orelse)
            scope.flow = then_end
            return None
        if entry is None:  # unreachable code: still record its bindings and nested scopes
            self._stmts(node.body)
            scope.flow = None
            self._stmts(node.orelse)
            scope.flow = None
            return None
        scope.flow = entry.copy()
        self._refine(scope, scope.flow, node.test, True)
        scope.conds.append(node.test)
        links.append((None, node))
        self._stmts(node.body)
        links[-1] = (scope.flow, node)
        scope.flow = entry
        self._refine(scope, entry, node.test, False)
        orelse = node.orelse
        if len(orelse) == 1 and orelse[0].__class__ is ast.If:
            return orelse[0]
        self._stmts(orelse)
        if not orelse and head is not node and (
            self._complements_earlier(node, head) or covers_every_case(chain_tests((_IF_ELSE, head, node)), self.atoms)
            or environment_dispatch(head, self.qualified_name)
        ):
            scope.flow = None  # the chain is exhaustive: no path skips every branch
        return None

    def _typing_only_block(self, body: list[ast.stmt]) -> None:
        """Code that never runs (`if TYPE_CHECKING:`, `if False:`): its bindings exist for type checkers only."""
        scope = self.scope
        saved = (self.typing_only, self.quiet, scope.flow)
        self.typing_only = True
        self.quiet += 1
        scope.flow = scope.flow.copy() if scope.flow is not None else None
        try:
            self._stmts(body)
        finally:
            self.typing_only, self.quiet, scope.flow = saved

    def _match(self, node: ast.Match) -> None:
        self._expr(node.subject)
        scope = self.scope
        entry = scope.flow
        ends = []
        exhaustive = False
        for case in node.cases:
            scope.flow = entry.copy() if entry is not None else None
            self.stmt = case
            self._pattern(case.pattern)
            self._expr(case.guard)
            self._stmts(case.body)
            ends.append((scope.flow, (_CASE, case)))
            if case.guard is None and (irrefutable(case.pattern) or matches_constant(case.pattern, node.subject)):
                exhaustive = True
        if not exhaustive:
            ends.append((entry, (_CASE_NONE, node)))
        scope.flow = join(ends) if entry is not None else None

    def _pattern(self, pattern: ast.AST) -> None:
        stack = [pattern]
        while stack:
            p = stack.pop()
            cls = p.__class__
            if cls is ast.MatchValue:
                self._expr(p.value)
            elif cls is ast.MatchAs:
                if p.pattern is not None:
                    stack.append(p.pattern)
                if p.name:
                    self._bind(p.name, "match", p)
            elif cls is ast.MatchStar:
                if p.name:
                    self._bind(p.name, "match", p)
            elif cls is ast.MatchMapping:
                for key in p.keys:
                    self._expr(key)
                stack.extend(reversed(p.patterns))
                if p.rest:
                    self._bind(p.rest, "match", p)
            elif cls is ast.MatchClass:
                self._expr(p.cls)
                stack.extend(reversed([*p.patterns, *p.kwd_patterns]))
            elif cls is ast.MatchOr:
                stack.extend(reversed(p.patterns))
            elif cls is ast.MatchSequence:
                stack.extend(reversed(p.patterns))

    # -- loops ------------------------------------------------------------------------------------

    def _loop_head(self, entry: Flow, node: ast.AST, body: list[ast.AST]) -> Flow:
        """The state at the top of a loop: what the body binds may already be bound on later turns."""
        bound, deleted = stores_in(body, self.may_walrus)
        head = entry.copy()
        scope = self.scope
        for name in scope.fact_names.intersection(bound):
            head.forget(self.atoms.names_of, name)  # a later turn may have changed it
        # Whenever a name the body binds is still unbound at the top, no earlier turn bound it; the
        # facts of the entry stay its guard on every turn that changes none of them (a turn that does
        # drops them from the guard at that point, so the state after the loop is still right).
        entry_facts = dict(entry.facts) if entry.facts else None
        for name, line in bound.items():
            if name not in head.bound and name not in head.maybe:
                head.maybe[name] = (_LOOP_FIRST, node, line, len(scope.conds))
                head.gone.pop(name, None)
                if entry_facts:
                    head.guards[name] = entry_facts
        for name in deleted:
            if name in head.bound:
                head.bound.discard(name)
                head.maybe[name] = (_LOOP_DEL, node)
        return head

    def _for(self, node: ast.For) -> None:
        self._expr(node.iter)
        scope = self.scope
        entry = scope.flow
        if entry is not None and (nonempty(self, node.iter, entry) or not (self.every_path or visibly_maybe_empty(self, node.iter))):
            self.nonempty_loops.add(id(node))
        head = self._loop_head(entry, node, node.body) if entry is not None else None
        scope.flow = head.copy() if head is not None else None
        with self._loop_frame() as frame:
            self._target(node.target, "for")
            self._stmts(node.body)
        if entry is None:
            self._stmts(node.orelse)
            scope.flow = None
            return
        paths = [(scope.flow, (_LOOP_BODY, node)), *frame[1]]
        if id(node) in self.nonempty_loops:
            pass
        else:
            learn_empty(self, head, node.iter)
            paths.append((head, (_LOOP_ZERO, node)))
        self._leave_loop(node, join(paths), frame[0])

    @contextmanager
    def _loop_frame(self):
        """The (break paths, continue paths) collected while walking one loop body."""
        frame: tuple[list, list] = ([], [])
        self.loops.append(frame)
        try:
            yield frame
        finally:
            self.loops.pop()

    def _while(self, node: ast.While) -> None:
        scope = self.scope
        entry = scope.flow
        always = isinstance(node.test, ast.Constant) and bool(node.test.value)
        head = self._loop_head(entry, node, [node.test, *node.body]) if entry is not None else None
        scope.flow = head
        self._expr(node.test)
        after_test = scope.flow
        scope.flow = after_test.copy() if after_test is not None else None
        self._refine(scope, scope.flow, node.test, True)
        with self._loop_frame() as frame:
            self._stmts(node.body)
        if entry is None:
            self._stmts(node.orelse)
            scope.flow = None
            return
        if not always:
            self._refine(scope, after_test, node.test, False)
        self._leave_loop(node, None if always else after_test, frame[0])

    def _leave_loop(self, node: ast.AST, exhausted: Flow | None, breaks: list) -> None:
        scope = self.scope
        if exhausted is not None:
            zero = not (isinstance(node, ast.For) and id(node) in self.nonempty_loops)
            for name, why in list(exhausted.maybe.items()):
                if why[0] is _LOOP_FIRST and why[1] is node:
                    exhausted.maybe[name] = (_LOOP_ZERO if zero else _LOOP_PARTIAL, node, why[2])
        for flow, why in breaks:  # left by `break` before a later turn could bind it: that is the path
            if flow is not None:
                for name, reason in list(flow.maybe.items()):
                    if reason[0] is _LOOP_FIRST and reason[1] is node:
                        flow.maybe[name] = why
        if node.orelse:
            scope.flow = exhausted
            self._stmts(node.orelse)
            exhausted = scope.flow
        scope.flow = join([(exhausted, (_LOOP_EXIT, node)), *breaks])

    # -- exceptions -------------------------------------------------------------------------------

    def _guarded(self, body: list[ast.stmt], owner: ast.AST, kinds: frozenset[str], escapes: bool) -> tuple:
        """Run a `try`/`with suppress` body; return its end state, the state where a handler catching
        `kinds` is entered, and (when `escapes`, for a `finally`) the state where any exception leaves it."""
        scope = self.scope
        start = len(self.log)
        frame = _TryFrame(scope, kinds, escapes)
        self.try_frames.append(frame)
        try:
            self._stmts(body)
        finally:
            self.try_frames.pop()
        self._unbound_where_raised(frame.raised, frame.points, start, owner)
        self._unbound_where_raised(frame.escaping, frame.escaping_points, start, owner)
        return scope.flow, frame.raised, frame.escaping

    def _note_raise_points(self, stmt: ast.stmt) -> None:
        """`stmt` is about to run inside `try` bodies: where its own part can raise, the current state
        reaches the handlers that catch that kind of failure (and any `finally`)."""
        scope = self.scope
        flow = scope.flow
        if flow is None:
            return
        parts = state = None
        position = len(self.log)
        for frame in self.try_frames:
            if frame.scope is not scope:
                continue
            if parts is None:
                parts = [
                    part for part in raising_parts(stmt, self.qualified_name)
                    if part[0].__class__ is not ast.Subscript or not cannot_fail(self, part[0], flow)  # only a subscript may not fail
                ]
                if not parts:
                    return
            caught = next((node for node, kind in parts if kind in frame.kinds), None)
            if state is None:
                state = (id(flow), position, len(flow.bound), len(flow.maybe), len(flow.gone), tuple(flow.facts.items()))
            if caught is not None:
                if state != frame.merged:  # nothing bound since the last point: the same state again
                    frame.raised = merge_into(frame.raised, flow, _RAISE_WHY)
                    frame.merged = state
                frame.points.append((position, caught))
            if frame.escaping_points is not None:
                escaping = next((node for node, kind in parts if kind in EVERYTHING), None)
                if escaping is not None:
                    if state != frame.escaping_merged:
                        frame.escaping = merge_into(frame.escaping, flow, _RAISE_WHY)
                        frame.escaping_merged = state
                    frame.escaping_points.append((position, escaping))

    def _unbound_where_raised(self, raised: Flow | None, points: list, start: int, owner: ast.AST) -> None:
        """Name the raising point before each binding of the body that the raised state lacks."""
        if raised is None:
            return
        scope = self.scope
        log = self.log
        point = 0
        facts = dict(raised.facts) if raised.facts else None
        for position in range(start, len(log)):
            owner_scope, name, _ = log[position]
            if owner_scope is not scope or name in raised.bound:
                continue
            while point + 1 < len(points) and points[point + 1][0] <= position:
                point += 1
            current = raised.maybe.get(name)
            # a loop inside the body that binds it on a later turn: the failing point explains it better
            if current is None or current is _RAISE_WHY or (current[0] is _LOOP_FIRST and starts_within(current[1], owner)):
                raised.maybe[name] = (_TRY, points[point][1], owner)
                raised.gone.pop(name, None)
                if current is None and facts:
                    raised.guards[name] = facts  # unbound wherever the body raised

    def _try(self, node: ast.Try) -> None:
        scope = self.scope
        probe = any(catches_name_error(handler.type) for handler in node.handlers)
        self.quiet += probe  # `try: name / except NameError:` tests on purpose whether `name` exists
        kinds = caught_kinds([handler.type for handler in node.handlers])
        try:
            # a `finally` is reached straight from the body only by what no handler catches
            escapes = bool(node.finalbody) and not any(catches_everything(handler.type) for handler in node.handlers)
            body_end, raised, escaping = self._guarded(node.body, node, kinds, escapes)
        finally:
            self.quiet -= probe
        if node.orelse:
            scope.flow = body_end
            self._stmts(node.orelse)
            body_end = scope.flow
        ends = [(body_end, (_TRY_OK, node))]
        imported = [name for stmt in node.body if isinstance(stmt, (ast.Import, ast.ImportFrom)) for name in _imported_names(stmt)]
        for index, handler in enumerate(node.handlers):
            scope.flow = raised.copy() if raised is not None else None
            self.stmt = handler
            self._handler_type(handler, node.handlers[:index], imported)
            if handler.name:
                self._bind(handler.name, "except", handler)
                self._learn_value(handler.name, IS_TRUE)  # an exception object is true
            self.in_handler += 1
            try:
                self._stmts(handler.body)
            finally:
                self.in_handler -= 1
            if handler.name and scope.flow is not None and handler.name not in scope.globals:
                scope.flow.unbind(handler.name, (_EXCEPT_END, handler))
            ends.append((scope.flow, (_HANDLER, handler)))
        after = join(ends)
        if node.finalbody:
            scope.flow = merge_into(after.copy() if after is not None else None, escaping, (_FINALLY, node))
            start = len(self.log)
            self._stmts(node.finalbody)
            final_end = scope.flow
            if final_end is None:
                after = None
            elif after is not None:
                for owner, name, _ in self.log[start:]:
                    if owner is scope and name in final_end.bound:
                        after.bind(name)
                for name, why in final_end.gone.items():
                    if name not in final_end.bound and name not in final_end.maybe:
                        after.unbind(name, why)
        scope.flow = after

    def _handler_type(self, handler: ast.ExceptHandler, earlier: list[ast.ExceptHandler], imported: list[str]) -> None:
        """A handler's type is evaluated only when no earlier handler matched: after `except
        ImportError: pass`, `except sqlite3.Error:` never runs with the failed import's name unbound."""
        flow = self.scope.flow
        if flow is None or not imported or not any(catches_import_error(h.type) for h in earlier):
            self._expr(handler.type)
            return
        assumed = flow.copy()
        for name in imported:
            assumed.bind(name)
        self.scope.flow = assumed
        try:
            self._expr(handler.type)
        finally:
            self.scope.flow = flow

    def _with(self, node: ast.With) -> None:
        swallowing = None
        for item in node.items:
            self._expr(item.context_expr)
            if swallowing is None and self._swallows_exceptions(item.context_expr):
                swallowing = item.context_expr
            if item.optional_vars is not None:
                self._target(item.optional_vars, "with")
        if swallowing is None:
            self._stmts(node.body)
            return
        arguments = swallowing.args if isinstance(swallowing, ast.Call) else []
        body_end, raised, _ = self._guarded(node.body, node, caught_kinds(list(arguments)), False)
        self.scope.flow = join([(body_end, (_WITH_OK, node)), (raised, (_SUPPRESS, node))])


# the walk's handlers per node class (plain functions, called with the analysis)
_STMT_HANDLERS = {
    ast.FunctionDef: ScopeAnalysis._function_def,
    ast.AsyncFunctionDef: ScopeAnalysis._function_def,
    ast.ClassDef: ScopeAnalysis._class_def,
    ast.Return: ScopeAnalysis._return,
    ast.Delete: ScopeAnalysis._delete,
    ast.Assign: ScopeAnalysis._assign,
    ast.AugAssign: ScopeAnalysis._aug_assign,
    ast.AnnAssign: ScopeAnalysis._ann_assign,
    ast.For: ScopeAnalysis._for,
    ast.AsyncFor: ScopeAnalysis._for,
    ast.While: ScopeAnalysis._while,
    ast.If: ScopeAnalysis._if,
    ast.With: ScopeAnalysis._with,
    ast.AsyncWith: ScopeAnalysis._with,
    ast.Raise: ScopeAnalysis._raise,
    ast.Try: ScopeAnalysis._try,
    ast.Assert: ScopeAnalysis._assert,
    ast.Import: ScopeAnalysis._import,
    ast.ImportFrom: ScopeAnalysis._import_from,
    ast.Global: ScopeAnalysis._global,
    ast.Nonlocal: ScopeAnalysis._nonlocal,
    ast.Expr: ScopeAnalysis._expr_stmt,
    ast.Pass: ScopeAnalysis._pass,
    ast.Break: ScopeAnalysis._break,
    ast.Continue: ScopeAnalysis._continue,
    ast.Match: ScopeAnalysis._match,
}
for _name, _handler in (("TryStar", ScopeAnalysis._try), ("TypeAlias", ScopeAnalysis._type_alias)):
    if hasattr(ast, _name):
        _STMT_HANDLERS[getattr(ast, _name)] = _handler
_EXPR_HANDLERS = {
    ast.Lambda: ScopeAnalysis._lambda,
    ast.ListComp: ScopeAnalysis._comprehension,
    ast.SetComp: ScopeAnalysis._comprehension,
    ast.GeneratorExp: ScopeAnalysis._comprehension,
    ast.DictComp: ScopeAnalysis._comprehension,
    ast.NamedExpr: ScopeAnalysis._walrus,
    ast.BoolOp: ScopeAnalysis._bool_op,
    ast.IfExp: ScopeAnalysis._if_exp,
}


class AllPathsScopeAnalysis(ScopeAnalysis):
    """`possibly-unbound = "all"`: also the paths through `if`/`elif` chains without `else` and through
    loops over values that may be empty."""

    every_path = True
