"""Whether the tests of an `if`/`elif` chain leave no case uncovered, as boolean formulas.

Each test is read as a formula over conditions on names, attributes and constants (`a`, `x is None`,
`f.default is MISSING`), joined by `and`, `or` and `not`. When every assignment of true/false to
those conditions makes at least one test true, some branch always runs: `if a and b: … elif not a:
… elif not b: …` covers all four combinations. Tests that call anything (other than type
predicates) are not conditions here: a call may answer differently the second time.
"""

from __future__ import annotations

import ast
from itertools import product

from .path_facts import Atoms

_MAX_CONDITIONS = 6  # 64 combinations: chains over more conditions are not enumerations of cases


def covers_every_case(tests: list[ast.expr], atoms: Atoms) -> bool:
    keys: dict[str, int] = {}
    formulas = []
    for test in tests:
        formula = _formula(test, atoms, keys)
        if formula is None or len(keys) > _MAX_CONDITIONS:
            return False
        formulas.append(formula)
    for values in product((False, True), repeat=len(keys)):
        if not any(_holds(formula, values) for formula in formulas):
            return False
    return True


def _formula(test: ast.expr, atoms: Atoms, keys: dict[str, int]):
    """("and"|"or", [parts]) / ("not", part) / ("atom", index, negated), or None if not a formula."""
    if test.__class__ is ast.BoolOp:
        parts = [_formula(value, atoms, keys) for value in test.values]
        if any(part is None for part in parts):
            return None
        return ("and" if test.op.__class__ is ast.And else "or", parts)
    atom = atoms.atom(test)
    if atom is None:
        if test.__class__ is ast.UnaryOp and test.op.__class__ is ast.Not:
            inner = _formula(test.operand, atoms, keys)
            return None if inner is None else ("not", inner)
        return None
    key, negated = atom
    index = keys.setdefault(key, len(keys))
    return ("atom", index, negated)


def _holds(formula, values: tuple[bool, ...]) -> bool:
    kind = formula[0]
    if kind == "atom":
        return values[formula[1]] != formula[2]
    if kind == "not":
        return not _holds(formula[1], values)
    if kind == "and":
        return all(_holds(part, values) for part in formula[1])
    return any(_holds(part, values) for part in formula[1])
