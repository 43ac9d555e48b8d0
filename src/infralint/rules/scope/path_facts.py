"""What one path knows about values, and the guards that make a possibly-unbound name safe to read.

Along each path the scope analysis keeps `facts`: for a plain name or a branch condition over names,
attributes and constants (keyed by its text with the polarity taken off, so `not ok` and `ok`, and
`x is not None` and `x is None`, share keys; tests that call something other than a type
predicate such as `isinstance` get no key, as a call may answer differently each time),
which of truthy / falsy / None / not None is known. Facts come from assignments of constants
(`found = False`, `error = None`, `error = exc` in a handler) and from the tests of the branches the
path took (`if found:`, `if error is not None: raise`, `a and b`, `x if ok else y`).

Where paths meet and a name is bound on some of them only, the facts shared by every path where it
is *not* bound become its guard: "whenever `value` is unbound, `found` is falsy". A read on a path
whose facts contradict the guard cannot meet the unbound name. Rebinding a name drops every fact
and guard entry that mentions it, so a guard only ever speaks about the value it was taken from.
"""

from __future__ import annotations

import ast
import re

TRUTHY, FALSY, NONE, NOT_NONE = 1, 2, 4, 8
IS_TRUE = TRUTHY | NOT_NONE  # a true value is never None
IS_NONE = NONE | FALSY
# facts one path keeps: every branch copies them, so a chain of thousands of `elif x == k` tests would
# otherwise cost time quadratic in its length; past this many, further tests teach nothing (a loss
# of precision only — a fact never hides a finding it does not rule out)
MAX_PATH_FACTS = 64

def structure_text(node: ast.AST) -> str:
    """A node's shape as text — its types and field values, no positions — equal for two nodes
    exactly when `ast.dump` prints them alike. `ast.dump` recurses through a closure that refers to
    itself: every call left a cycle only the cyclic collector frees, dozens per file."""
    parts: list[str] = []
    _write_structure(node, parts.append)
    return "".join(parts)


def _write_structure(value, write) -> None:
    if isinstance(value, ast.AST):
        write(value.__class__.__name__)
        write("(")
        for name in value._fields:
            _write_structure(getattr(value, name, None), write)
            write(",")
        write(")")
    elif isinstance(value, list):
        write("[")
        for item in value:
            _write_structure(item, write)
            write(",")
        write("]")
    else:
        write(repr(value))


_PERCENT_SPEC = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[a-zA-Z%]")
_NEGATIVE_OPS = {ast.NotEq: ast.Eq, ast.IsNot: ast.Is, ast.NotIn: ast.In}
# calls that answer the same until their arguments are rebound: `isinstance(perm, str)`, `hasattr(socket, "AF_UNIX")`
_TYPE_PREDICATES = frozenset({"isinstance", "issubclass", "hasattr", "callable", "len"})


def opposite(mask: int) -> int:
    """truthy <-> falsy, None <-> not None."""
    return ((mask & 5) << 1) | ((mask & 10) >> 1)


# `opposite` of every mask (four bits), for the checks made at every branch and join
OPPOSITES = tuple(opposite(mask) for mask in range(16))


def conflict(guard: int, known: int) -> bool:
    return bool(guard & OPPOSITES[known])


_OP_TEXT = {ast.Eq: "==", ast.Is: " is ", ast.In: " in ", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def name_key(name: str) -> str:
    return name


_MAX_TEXT_DEPTH = 40  # a longer attribute chain or subscript nest is not a condition worth a key


def _stable_text(node: ast.expr, names: set[str], depth: int = 0) -> str | None:
    """Source-like text of a name, attribute chain, constant or constant subscript; None for anything else."""
    if depth > _MAX_TEXT_DEPTH:
        return None
    depth += 1
    cls = node.__class__
    if cls is ast.Name:
        names.add(node.id)
        return node.id
    if cls is ast.Attribute:
        inner = _stable_text(node.value, names, depth)
        return None if inner is None else f"{inner}.{node.attr}"
    if cls is ast.Constant:
        return repr(node.value)
    if cls is ast.Subscript:
        inner = _stable_text(node.value, names, depth)
        index = _stable_text(node.slice, names, depth) if inner is not None else None
        return None if index is None else f"{inner}[{index}]"
    if cls is ast.Tuple:
        parts = [_stable_text(e, names, depth) for e in node.elts]
        return None if None in parts else "(" + ", ".join(parts) + ")"
    if cls is ast.Call and node.func.__class__ is ast.Name and node.func.id in _TYPE_PREDICATES and not node.keywords:
        parts = [_stable_text(a, names, depth) for a in node.args]
        return None if None in parts else f"{node.func.id}(" + ", ".join(parts) + ")"
    return None


def _polarity(test: ast.expr) -> tuple[ast.expr, bool, type | None]:
    """The test under its `not`s, whether it is negated, and for a single comparison its operator
    taken positively (`!=` as `==`, `is not` as `is`, `not in` as `in`; a `!=` negates)."""
    negated = False
    node = test
    while node.__class__ is ast.UnaryOp and node.op.__class__ is ast.Not:
        node, negated = node.operand, not negated
    op = None
    if node.__class__ is ast.Compare and len(node.ops) == 1:
        op = node.ops[0].__class__
        if op in _NEGATIVE_OPS:
            negated = not negated
            op = _NEGATIVE_OPS[op]
    return node, negated, op


class Atoms:
    """Canonical keys of conditions, cached per node: `(key, negated)` and the names each key mentions."""

    def __init__(self) -> None:
        self._conditions: dict[int, tuple[str, bool]] = {}
        self._atoms: dict[int, tuple[str, bool] | None] = {}
        self.names_of: dict[str, frozenset[str]] = {}
        #: a disjunction's fact key -> its alternatives, each the facts one part would give (None:
        #: a part teaches nothing, so the disjunction is not kept)
        self.disjunctions: dict[str, tuple[tuple[tuple[str, int], ...], ...] | None] = {}

    def condition(self, test: ast.expr) -> tuple[str, bool]:
        """The condition without its polarity: `not a`, `a != b`, `a is not None` give `a`, `a == b`, `a is None`."""
        key = id(test)
        found = self._conditions.get(key)
        if found is not None:
            return found
        node, negated, op = _polarity(test)
        if op is not None and node.ops[0].__class__ is not op:
            node = ast.Compare(node.left, [op()], node.comparators)
        try:
            text = structure_text(node)
        except RecursionError:  # a test nested too deeply to print: it equals no other test
            text = f"<node {key}>"
        found = self._conditions[key] = (text, negated)
        return found

    def may_complement(self, test: ast.expr, other: ast.expr) -> bool:
        """Whether `other` may be the opposite of `test` (their conditions are equal, their polarities
        not): read off their shapes, without printing either (`condition` says for sure)."""
        node, negated, op = _polarity(test)
        other_node, other_negated, other_op = _polarity(other)
        return negated != other_negated and node.__class__ is other_node.__class__ and op is other_op

    def atom(self, test: ast.expr) -> tuple[str, bool] | None:
        """Like `condition`, for tests over names, attributes and constants only (cheap, no printing)."""
        key = id(test)
        found = self._atoms.get(key, self)  # `self`: not asked yet (None is an answer)
        if found is not self:
            return found
        node, negated = test, False
        while node.__class__ is ast.UnaryOp and node.op.__class__ is ast.Not:
            node, negated = node.operand, not negated
        names: set[str] = set()
        text = None
        if node.__class__ is ast.Compare and len(node.ops) == 1:
            op = node.ops[0].__class__
            if op in _NEGATIVE_OPS:
                negated, op = not negated, _NEGATIVE_OPS[op]
            left = _stable_text(node.left, names)
            right = _stable_text(node.comparators[0], names) if left is not None else None
            if right is not None:
                text = f"{left}{_OP_TEXT[op]}{right}"
        else:
            text = _stable_text(node, names)
        found = None
        if text is not None and names:
            found = (text, negated)
            if text not in self.names_of:
                self.names_of[text] = frozenset(names)
        self._atoms[key] = found
        return found

    def name(self, name: str) -> str:
        key = name_key(name)
        if key not in self.names_of:
            self.names_of[key] = frozenset((name,))
        return key


def _learn(facts: dict[str, int], key: int | str, mask: int) -> None:
    known = facts.get(key)
    if known is None or mask & OPPOSITES[known]:
        facts[key] = mask
    else:
        facts[key] = known | mask


def refine(facts: dict[str, int], test: ast.expr, truth: bool, atoms: Atoms, names: set[str]) -> None:
    """Record in `facts` that `test` evaluated to `truth`; `names` collects every name a new fact mentions.

    What the test teaches is gathered first and then applied: two facts of one test about the same
    key combine before they meet the path's own (each test is refined once per outcome, so there is
    nothing to keep)."""
    learned: dict[str, int] = {}
    _plan(learned, test, truth, atoms, names)
    if learned:
        for key, mask in learned.items():
            if len(facts) < MAX_PATH_FACTS or key in facts:
                _learn(facts, key, mask)


def _plan(facts: dict[str, int], test: ast.expr, truth: bool, atoms: Atoms, names: set[str]) -> None:
    node = test
    while node.__class__ is ast.UnaryOp and node.op.__class__ is ast.Not:
        node, truth = node.operand, not truth
    cls = node.__class__
    if cls is ast.BoolOp:
        # `a and b` true: both true; `a or b` false: both false; the other outcomes say nothing per part
        if (node.op.__class__ is ast.And) == truth:
            for value in node.values:
                _plan(facts, value, truth, atoms, names)
        else:
            _plan_disjunction(facts, node, truth, atoms, names)
    if cls is ast.NamedExpr:
        _plan(facts, node.target, truth, atoms, names)
        return
    if truth and (cls is ast.Call or cls is ast.Compare) and _implies_nonempty_text(node):
        # `version.startswith("HTTP/")` or `mode == "r"` held: the name is a non-empty value
        name = node.func.value.id if cls is ast.Call else node.left.id
        _learn(facts, atoms.name(name), IS_TRUE)
        names.add(name)
    atom = atoms.atom(node)
    if atom is None:
        return
    key, negated = atom
    holds = truth != negated
    _learn(facts, key, IS_TRUE if holds else FALSY)
    names.update(atoms.names_of[key])
    if cls is ast.Compare and len(node.ops) == 1 and node.left.__class__ is ast.Name:
        right = node.comparators[0]
        if right.__class__ is ast.Constant and right.value is None and node.ops[0].__class__ in (ast.Is, ast.IsNot, ast.Eq, ast.NotEq):
            # `x is None` true: x is None; false: x is not None
            _learn(facts, atoms.name(node.left.id), IS_NONE if holds else NOT_NONE)
            names.add(node.left.id)


def _plan_disjunction(facts: dict[str, int], node: ast.BoolOp, truth: bool, atoms: Atoms, names: set[str]) -> None:
    """`a or b` held (or `a and b` failed): one of its parts did. Kept as one fact whose
    alternatives a guard may all contradict: after `if a: x = … elif b: x = … else: …`, `x` is
    unbound only where `a` and `b` are both false, which `if a or b:` rules out."""
    key = f"<{'any' if truth else 'not all'} of {id(node)}>"
    if key not in atoms.disjunctions:
        alternatives = []
        mentioned: set[str] = set()
        for value in node.values:
            learned: dict[str, int] = {}
            _plan(learned, value, truth, atoms, mentioned)
            if not learned:
                atoms.disjunctions[key] = None
                return
            alternatives.append(tuple(learned.items()))
        atoms.disjunctions[key] = tuple(alternatives)
        atoms.names_of[key] = frozenset(mentioned)
    if atoms.disjunctions[key] is None:
        return
    _learn(facts, key, TRUTHY)
    names.update(atoms.names_of[key])


def disjunction_contradicts(facts: dict[str, int], guard: dict[str, int], atoms: Atoms) -> bool:
    """A disjunction known on this path whose every alternative contradicts the guard."""
    return _any_disjunction_contradicts(_known_disjunctions(facts, atoms), guard)


def _known_disjunctions(facts: dict[str, int], atoms: Atoms) -> list:
    """The alternatives of each disjunction `facts` holds."""
    disjunctions = atoms.disjunctions
    if not disjunctions:
        return []
    return [alternatives for key in facts if (alternatives := disjunctions.get(key))]


def _any_disjunction_contradicts(known: list, guard: dict[str, int]) -> bool:
    for alternatives in known:
        if all(any(k in guard and conflict(guard[k], mask) for k, mask in alternative) for alternative in alternatives):
            return True
    return False


def ruled_out_names(facts: dict[str, int], guards: dict[str, dict[str, int]], atoms: Atoms) -> list[str]:
    """The names of `guards` whose guard `facts` contradicts: they cannot be unbound on this path.
    A guard is often shared (every name a loop binds has the loop's entry facts): each is judged once."""
    known = _known_disjunctions(facts, atoms)
    verdicts: dict[int, bool] = {}
    names = []
    for name, guard in guards.items():
        verdict = verdicts.get(id(guard))
        if verdict is None:
            verdict = False
            for key, mask in guard.items():
                fact = facts.get(key)
                if fact is not None and mask & OPPOSITES[fact]:
                    verdict = True
                    break
            if not verdict and known:
                verdict = _any_disjunction_contradicts(known, guard)
            verdicts[id(guard)] = verdict
        if verdict:
            names.append(name)
    return names


def _implies_nonempty_text(node: ast.expr) -> bool:
    """A test that holds only for a non-empty value of a name: `name.startswith(prefix)` or
    `name.endswith(suffix)` with non-empty literal affixes, `name == literal` of a true literal."""
    cls = node.__class__
    if cls is ast.Call:
        func = node.func
        if func.__class__ is not ast.Attribute or func.attr not in ("startswith", "endswith") or func.value.__class__ is not ast.Name:
            return False
        if len(node.args) != 1 or node.keywords:
            return False
        affix = node.args[0]
        affixes = affix.elts if affix.__class__ is ast.Tuple else [affix]
        return bool(affixes) and all(a.__class__ is ast.Constant and isinstance(a.value, (str, bytes)) and a.value for a in affixes)
    if cls is ast.Compare and len(node.ops) == 1 and node.ops[0].__class__ is ast.Eq and node.left.__class__ is ast.Name:
        right = node.comparators[0]
        return right.__class__ is ast.Constant and bool(right.value)
    return False


def value_facts(value: ast.expr, facts: dict[str, int], atoms: Atoms) -> int:
    """What is known of the value an assignment stores: constants, strings built from text, copies of names."""
    cls = value.__class__
    if cls is ast.Call:
        return 0
    if cls is ast.Constant:
        if value.value is None:
            return IS_NONE
        return IS_TRUE if value.value else FALSY | NOT_NONE
    if cls is ast.Name:
        return facts.get(name_key(value.id), 0)
    if cls is ast.Tuple:  # immutable: a non-empty tuple stays true
        return IS_TRUE if value.elts and not any(e.__class__ is ast.Starred for e in value.elts) else NOT_NONE
    if cls in (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp):
        return NOT_NONE  # mutable or lazy: its truth can change without a rebinding
    if cls is ast.Lambda:
        return IS_TRUE
    if cls is ast.BoolOp and value.op.__class__ is ast.Or:
        # `error.__cause__ or error`: the last alternative is what remains when the others are false
        return IS_TRUE if value_facts(value.values[-1], facts, atoms) & TRUTHY else 0
    if cls is ast.BinOp and value.op.__class__ is not ast.Mod:
        return NOT_NONE  # arithmetic and concatenation give a value, never None
    if cls is ast.JoinedStr:
        text = any(v.__class__ is ast.Constant and v.value for v in value.values)
        return IS_TRUE if text else NOT_NONE
    if cls is ast.BinOp and value.op.__class__ is ast.Mod and value.left.__class__ is ast.Constant:
        template = value.left.value
        if isinstance(template, str):
            return IS_TRUE if _PERCENT_SPEC.sub("", template) else NOT_NONE
    return 0
