"""Whether an iterable is certainly non-empty, or visibly maybe empty; what a path knows of a
value's truth and length.

A `for` loop whose iterable is certainly non-empty runs at least once (its body's bindings hold
after it); under `possibly-unbound = "likely"` a loop runs at least once unless the code itself
shows its iterable may be empty. A subscript of a value known non-empty (or of a known length)
cannot raise. These read the analysis' bindings and flow; they never change what it walks.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ...analysis.flow import Flow
from .class_attributes import ClassAttributes
from .path_facts import FALSY, MAX_PATH_FACTS, NOT_NONE, TRUTHY
from .scopes import Scope, executing
from .syntax_facts import nonempty_iterable, range_nonempty, unwrap_same_length

if TYPE_CHECKING:
    from .binder import ScopeAnalysis

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_EMPTY_CONSTRUCTORS = frozenset({"list", "dict", "set", "tuple", "frozenset", "str", "bytes", "filter"})


def _maybe_empty_value(node: ast.expr) -> bool:
    """`[]`, `{}`, `()`, `""`, `list()`, `filter(...)`, `[x for x in xs if x]`, `text.split()`,
    `mapping.get(key, [])`: a value that may hold nothing."""
    cls = node.__class__
    if cls in (ast.List, ast.Tuple, ast.Set):
        return not node.elts
    if cls is ast.Dict:
        return not node.keys
    if cls is ast.Constant:
        return isinstance(node.value, (str, bytes)) and not node.value
    if cls is ast.Call and node.func.__class__ is ast.Name and node.func.id in _EMPTY_CONSTRUCTORS:
        return node.func.id == "filter" or not node.args
    if cls is ast.Call and node.func.__class__ is ast.Attribute:
        method = node.func.attr
        if method == "split" and not node.args and not node.keywords:
            return True  # whitespace split: `"".split()` and `"  ".split()` are empty
        if method == "get" and len(node.args) == 2:
            return _maybe_empty_value(node.args[1])  # `environ.get("PLUGINS", "")`, `options.get("hosts", [])`
    if cls in _COMPREHENSIONS:
        return any(generator.ifs for generator in node.generators)
    return False


def nonempty(analysis: ScopeAnalysis, iterable: ast.expr, flow: Flow | None = None) -> bool:
    """Whether a loop over `iterable` certainly runs at least once."""
    node = unwrap_same_length(iterable)
    cls = node.__class__
    if cls is ast.Call and node.func.__class__ is ast.Name and not node.keywords:
        if node.func.id in ("globals", "locals", "vars") and not node.args:
            # a namespace: a module's has `__name__`, a class body's `__module__`, a function's its parameters
            return node.func.id == "globals" or analysis.scope.kind != "function" or bool(_parameters(analysis.scope))
        if node.func.id == "zip" and node.args:
            return all(nonempty(analysis, arg, flow) for arg in node.args)
        if node.func.id == "range":
            return _range_nonempty(analysis, node.args)
    if cls in _COMPREHENSIONS:
        generators = node.generators
        return len(generators) == 1 and not generators[0].ifs and nonempty(analysis, generators[0].iter, flow)
    if cls is ast.Name:
        name = node.id
        if name in analysis.scope.truthy or _constant_nonempty(analysis, name):
            return True
    elif cls is ast.Attribute and node.value.__class__ is ast.Name and node.value.id in ("self", "cls"):
        owner = analysis.scope.enclosing_class()
        if owner is not None and _class_attribute_nonempty(analysis, owner, node.attr):
            return True
    if flow is not None and known_truthy(analysis, node, flow):
        return True
    if _fixed_at_import(analysis, node):
        return True
    return nonempty_iterable(node)


def visibly_maybe_empty(analysis: ScopeAnalysis, iterable: ast.expr) -> bool:
    """An iterable the code itself shows may be empty: an empty literal, a filtering comprehension or
    `filter()`, or a local name this scope has bound to one of those (a list built by appending)."""
    node = unwrap_same_length(iterable)
    if node.__class__ is ast.Name:
        return any(
            binding.assigned_value is not None and _maybe_empty_value(binding.assigned_value)
            for binding in analysis.scope.bindings.get(node.id, ())
        )
    return _maybe_empty_value(node)


def _literal_nonempty(analysis: ScopeAnalysis, value: ast.expr, seen: frozenset[str] = frozenset()) -> bool:
    """A value built non-empty: a literal with items, `path.split("/")`, a comprehension without
    conditions over such a value or a constant."""
    if value.__class__ is ast.IfExp:  # `[option] if option else self.DEFAULTS`
        return nonempty(analysis, value.body) and nonempty(analysis, value.orelse)
    if value.__class__ in _COMPREHENSIONS:
        generators = value.generators
        if len(generators) != 1 or generators[0].ifs:
            return False
        source = unwrap_same_length(generators[0].iter)
        if source.__class__ is ast.Name:
            return source.id not in seen and _constant_nonempty(analysis, source.id, seen | {source.id})
        return _literal_nonempty(analysis, source, seen)
    return nonempty_iterable(value)


def _parameters(scope: Scope) -> list[str]:
    return [name for name, bindings in scope.bindings.items() if bindings[0].kind == "arg"]


def _constant_nonempty(analysis: ScopeAnalysis, name: str, seen: frozenset[str] = frozenset()) -> bool:
    """A constant: bound once, in the scope the code runs in (or at module level), to a non-empty
    value (`EXCEPTIONS = ("A", "B")`, `parts = path.split("/")` with no other binding)."""
    scope = executing(analysis.scope)
    if scope.kind == "function" and name in scope.bindings:
        bindings = scope.bindings[name]
    elif analysis.scope.kind == "class" and name in analysis.scope.bindings:
        bindings = analysis.scope.bindings[name]
    else:
        bindings = analysis.module.bindings.get(name)
    if not bindings or len(bindings) != 1 or bindings[0].typing_only:
        return False
    value = bindings[0].assigned_value
    return value is not None and _literal_nonempty(analysis, value, seen | {name})


def _range_nonempty(analysis: ScopeAnalysis, args: list[ast.expr]) -> bool:
    values = [_int_value(analysis, arg) for arg in args]
    return None not in values and range_nonempty(values)  # type: ignore[arg-type]


def _int_value(analysis: ScopeAnalysis, node: ast.expr) -> int | None:
    """An integer literal, or a name bound once (locally or at module level) to one."""
    if node.__class__ is ast.UnaryOp and node.op.__class__ is ast.USub:
        inner = _int_value(analysis, node.operand) if node.operand.__class__ is ast.Constant else None
        return -inner if inner is not None else None
    if node.__class__ is ast.Constant:
        value = node.value
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if node.__class__ is not ast.Name:
        return None
    scope = executing(analysis.scope)
    bindings = scope.bindings.get(node.id) if scope.kind == "function" else None
    if bindings is None:
        bindings = analysis.module.bindings.get(node.id)
    if bindings is None or len(bindings) != 1:
        return None
    value = bindings[0].assigned_value
    if value is None or value.__class__ is not ast.Constant:
        return None
    return value.value if isinstance(value.value, int) and not isinstance(value.value, bool) else None


def _class_attribute_nonempty(analysis: ScopeAnalysis, owner: Scope, attribute: str) -> bool:
    """`self.LEVELS` where the class binds `LEVELS` to non-empty values only (at class level or as
    `self.LEVELS = (…)` in its methods)."""
    attributes = analysis.class_attributes.get(id(owner))
    if attributes is None:
        attributes = analysis.class_attributes[id(owner)] = ClassAttributes(owner.node)
    return attributes.nonempty(attribute)


def known_truthy(analysis: ScopeAnalysis, node: ast.expr, flow: Flow) -> bool:
    """The path has tested the iterable true: `if items:`, `if len(items):`, `if not items: return`."""
    atom = analysis.atoms.atom(node)
    if atom is None or atom[1]:
        return False
    for key in (atom[0], f"len({atom[0]})"):
        mask = flow.facts.get(key, 0)
        if mask & TRUTHY and not mask & FALSY:
            return True
    return False


def _fixed_at_import(analysis: ScopeAnalysis, node: ast.expr) -> bool:
    """A module- or class-level loop over an imported module's attributes (`for k, v in
    dis.COMPILER_FLAG_NAMES.items()`): another module's tables are fixed when this one is
    imported, so an empty one would fail every import — not a rare path of a running service."""
    if executing(analysis.scope).kind != "module" or node.__class__ is not ast.Attribute:
        return False
    while node.__class__ is ast.Attribute:
        node = node.value
    if node.__class__ is not ast.Name:
        return False
    bindings = analysis.module.bindings.get(node.id)
    return bool(bindings) and all(b.kind == "import" for b in bindings)


def learn_empty(analysis: ScopeAnalysis, flow: Flow, iterable: ast.expr) -> None:
    """On the path where the loop ran zero times, its iterable was empty: `if procs: use(proc)`
    after `for proc in procs:` cannot meet the unbound loop variable."""
    atom = analysis.atoms.atom(unwrap_same_length(iterable))
    if atom is None or atom[1]:
        return
    key = atom[0]
    names = analysis.atoms.names_of[key]
    length = f"len({key})"
    analysis.atoms.names_of.setdefault(length, names)
    for fact in (key, length):
        if len(flow.facts) < MAX_PATH_FACTS or fact in flow.facts:
            flow.facts[fact] = FALSY | NOT_NONE
    analysis.scope.fact_names.update(names)


def cannot_fail(analysis: ScopeAnalysis, node: ast.AST, flow: Flow) -> bool:
    """`stack[-1]` or `items[0]` on a path that has tested `stack`/`items` true; `details[1]` of a
    name only ever bound to values of a known length (`sys.exc_info()`, `(a, b, c)`)."""
    if node.__class__ is not ast.Subscript:
        return False
    index = node.slice
    if index.__class__ is ast.Constant and type(index.value) is int and index.value >= 0 and node.value.__class__ is ast.Name:
        length = _fixed_length(analysis, node.value.id)
        if length is not None and index.value < length:
            return True
    if index.__class__ is ast.UnaryOp and index.op.__class__ is ast.USub:
        index = index.operand
        if not (index.__class__ is ast.Constant and index.value == 1):
            return False
    elif not (index.__class__ is ast.Constant and index.value == 0 and not isinstance(index.value, bool)):
        return False
    return known_truthy(analysis, node.value, flow)


def _fixed_length(analysis: ScopeAnalysis, name: str, seen: frozenset[str] = frozenset()) -> int | None:
    """The fewest items any binding of local `name` gives it, when every one has a known length."""
    scope = analysis.scope
    bindings = scope.bindings.get(name)
    if not bindings or name in seen:
        return None
    lengths = []
    for binding in bindings:
        if binding.kind == "arg":
            node = scope.node
            vararg = getattr(getattr(node, "args", None), "vararg", None)
            # the exception details a `with` statement passes to `__exit__(self, *exc_details)`
            if vararg is None or vararg.arg != name or getattr(node, "name", "") not in ("__exit__", "__aexit__"):
                return None
            lengths.append(3)
            continue
        value = binding.assigned_value
        if value is None:
            return None
        if value.__class__ in (ast.Tuple, ast.List) and not any(e.__class__ is ast.Starred for e in value.elts):
            lengths.append(len(value.elts))
        elif value.__class__ is ast.Call and not value.args and analysis.qualified_name(value.func) == "sys.exc_info":
            lengths.append(3)
        elif value.__class__ is ast.Name:
            length = _fixed_length(analysis, value.id, seen | {name})
            if length is None:
                return None
            lengths.append(length)
        else:
            return None
    return min(lengths)
