"""What the scope analysis reports, in its own terms: how a read fails (`ReadFailure`) and why a
path leaves a name unbound (`PathKind`, the first item of a `Why` tuple).

The analysis never names rule codes: the scope rule modules map each `ReadFailure` to their code
and word each `PathKind` for the message.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...analysis.flow import Why
    from .scopes import Binding, Scope


class ReadFailure(Enum):
    """How a read of a name fails when the code runs."""

    UNDEFINED = "undefined"  # nothing in the module or the builtins binds it
    BEFORE_DEFINITION = "before-definition"  # module code reads it above its only definitions
    DELETED = "deleted"  # a module-level `del` removed it before the read
    EXCEPT_VAR = "except-var"  # read after the `except … as name` handler that bound it ended
    EXCEPT_CLOSURE = "except-closure"  # a nested function reads a handler's `as` name of its parent
    GLOBAL_UNASSIGNED = "global-unassigned"  # `global x` read before the only assignment to `x`
    TYPING_ONLY = "typing-only"  # bound only under `if TYPE_CHECKING:`
    LAZY_ANNOTATION = "lazy-annotation"  # a postponed annotation names nothing that exists
    MAYBE_UNBOUND = "maybe"  # unbound on some path to the read (`why` says which)
    UNBOUND_LOCAL = "unbound-local"  # a function local read before any binding on every path
    DELETED_LOCAL = "deleted-local"  # a function local read after its `del`


class PathKind(Enum):
    """Why a name is unbound on a path; a `Why` is `(kind, node, *extra)` with the extras noted."""

    RAISE = "raise"  # a `try` body raised before binding it
    TRY = "try"  # (raising part, the `try`/`with` owner): the body raised at that part
    IF_BRANCH = "if-branch"  # the branch of this `if` was taken and did not bind it
    IF_ELSE = "if-else"  # (head, last link): no test of the `if`/`elif` chain held
    LOOP_FIRST = "loop-first"  # (line, depth of conditions): the first turn, before the body binds it
    LOOP_ZERO = "loop-zero"  # (line): the loop ran zero times
    LOOP_PARTIAL = "loop-partial"  # (line): a turn that skipped the binding
    LOOP_BODY = "loop-body"  # some turn through the body
    LOOP_EXIT = "loop-exit"  # the loop ended normally
    LOOP_DEL = "loop-del"  # a `del` inside the loop body
    DEL = "del"  # a `del` statement
    EXCEPT_END = "except-end"  # the `except … as name` handler ended (Python deletes the name)
    HANDLER = "handler"  # an `except` handler ran
    FINALLY = "finally"  # an exception passed through `finally`
    CASE = "case"  # this `case` matched
    CASE_NONE = "case-none"  # no `case` of the `match` matched
    BREAK = "break"  # the loop was left by this `break`
    CONTINUE = "continue"  # this `continue` skipped the binding
    SUPPRESS = "suppress"  # this `with suppress(…)` swallowed an exception
    WITH_OK = "with-ok"  # the `with suppress(…)` body completed
    TRY_OK = "try-ok"  # the `try` body completed without an exception


@dataclass
class Problem:
    """A read that can fail (`kind`), with the facts a message needs."""

    kind: ReadFailure
    name: str
    node: ast.AST
    scope: Scope  # the scope the read is in (innermost, comprehensions included)
    why: Why | None = None
    binding: Binding | None = None
    in_annotation: bool = False
