"""Numeric values of expressions, as far as the source says them, without running anything.

Used by the timeout family and, through `project_modules`, for values defined in other modules.

Resolves literals, unary minus, arithmetic, module and class constants, function locals assigned
once, conditional expressions (the deployed branch when the condition tests the deployment — see
`deployment` — else the larger branch, naming the condition), environment and settings
reads with a default (`int(os.getenv("X", "30"))`, `settings.get("X", 30)`: the default is used),
dataclass / pydantic / attrs field defaults, instances of such classes (`settings = Settings()`,
then `settings.redis_timeout`), and names imported from other modules of the project (through
`project_modules`, which loads them lazily with astroid). A value that cannot be resolved is None:
nothing is guessed.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..source import SourceFile
from . import project_modules
from .deployment import DEFAULT_CONDITIONS, DeploymentConditions
from .names import dotted_name

_MAX_DEPTH = 12
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_NUMBER_CASTS = {"int", "float", "builtins.int", "builtins.float", "decimal.Decimal"}
_ENV_READERS = {"os.getenv", "os.environ.get", "os.environ.setdefault", "environ.get"}
_FIELD_FACTORIES = {"field", "Field", "attr.ib", "attrib", "attr.attrib", "attrs.field", "dataclasses.field", "pydantic.Field"}


@dataclass(frozen=True)
class Value:
    """A resolved number and how it was found (notes read as clauses in a message)."""

    number: float
    notes: tuple[str, ...] = ()
    #: the expression itself is a number literal (so it can be rewritten in place)
    literal: bool = False
    #: the tests of the conditionals whose larger branch was taken (`use_cluster` in `1 if use_cluster else 8`)
    conditions: frozenset[str] = frozenset()

    def with_note(self, note: str) -> Value:
        return Value(self.number, (*self.notes, note) if note not in self.notes else self.notes, False, self.conditions)

    @property
    def text(self) -> str:
        return format_seconds(self.number)

    def provenance(self) -> str:
        """Where the number came from, outermost step first (`X` from `app.settings`; the default of …)."""
        return "; ".join(reversed(self.notes))


#: `timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)` positionally
_TIMEDELTA_POSITIONS = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")


def format_seconds(number: float) -> str:
    if math.isinf(number):
        return "unbounded"
    return f"{float(number):g}" if float(number) != int(number) else f"{float(number):.1f}"


def source_of(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Bindings:
    """Where each name of one scope is assigned (value expressions), and which names are not constants."""

    values: dict[str, list[ast.expr]] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)  # loop targets, parameters, augmented assignments…

    def add(self, target: ast.AST, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            if value is None:
                self.opaque.add(target.id)
            else:
                self.values.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.add(element, None)
        elif isinstance(target, ast.Starred):
            self.add(target.value, None)


def _scope_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of one scope, descending into blocks but not into nested functions or classes."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(stmt, name, None)
            if children:
                stack.extend(reversed([c for c in children if isinstance(c, ast.stmt)] or []))
                for child in children:
                    if isinstance(child, (ast.ExceptHandler, ast.match_case)):
                        stack.extend(reversed(child.body))


def _child_statements(stmt: ast.stmt) -> list[ast.stmt]:
    children: list[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        children.extend(c for c in getattr(stmt, name, None) or () if isinstance(c, ast.stmt))
    for holder in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
        children.extend(holder.body)
    return children


def _bindings(body: list[ast.stmt], params: ast.arguments | None = None) -> _Bindings:
    found = _Bindings()
    if params is not None:
        for arg in (*params.posonlyargs, *params.args, *params.kwonlyargs, params.vararg, params.kwarg):
            if arg is not None:
                found.opaque.add(arg.arg)
    for stmt in _scope_statements(body):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                found.add(target, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            found.add(stmt.target, stmt.value)
        elif isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)):
            found.add(stmt.target, None)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    found.add(item.optional_vars, None)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.opaque.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                found.opaque.add((alias.asname or alias.name).split(".")[0])
    return found


def class_fields(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """Class-level defaults: `x = 1`, `x: float = 1`, `x: float = Field(1)`, `x = attr.ib(default=1)`."""
    fields: dict[str, ast.expr] = {}
    for stmt in cls.body:
        targets: list[ast.AST] = []
        value = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                fields[target.id] = field_default_expr(value) or value
    return fields


def field_default_expr(value: ast.expr) -> ast.expr | None:
    """The default inside `field(default=…)`, `Field(30)`, `attr.ib(default=…)`; None otherwise."""
    if not isinstance(value, ast.Call):
        return None
    name = dotted_name(value.func) or ""
    last = name.rsplit(".", 1)[-1]
    if name not in _FIELD_FACTORIES and last not in {"Field", "field", "ib", "attrib"}:
        return None
    for keyword in value.keywords:
        if keyword.arg == "default":
            return keyword.value
    if last == "Field" and value.args and not (isinstance(value.args[0], ast.Constant) and value.args[0].value is Ellipsis):
        return value.args[0]
    return None


def _reaching(function: ast.AST, values: list[ast.expr], read: ast.Name) -> list[ast.expr]:
    """The assignments of a local that can reach `read`, in straight-line code.

    `timeout = 8.0` … `timeout = 5.0` … `Redis(socket_timeout=timeout)`: the last assignment before
    the read at the function's top level hides the earlier ones; assignments in blocks between it
    and the read may still reach. Inside a loop (a later assignment comes round again) or without
    such an assignment, every assignment counts.
    """
    position = (read.lineno, read.col_offset)
    top_level = {id(s.value) for s in function.body if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None}  # type: ignore[attr-defined]
    if _inside_loop(function, read):
        return values
    before = sorted(
        (v for v in values if (v.end_lineno or v.lineno, v.end_col_offset or 0) <= position), key=lambda v: (v.lineno, v.col_offset)
    )
    last_unconditional = max((i for i, v in enumerate(before) if id(v) in top_level), default=None)
    if last_unconditional is None:
        return values
    return before[last_unconditional:]


def _inside_loop(function: ast.AST, node: ast.AST) -> bool:
    line = node.lineno  # type: ignore[attr-defined]
    for statement in _scope_statements(function.body):  # type: ignore[attr-defined]
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)) and statement.lineno <= line <= (statement.end_lineno or line):
            return True
    return False


class ValueResolver:
    """Resolves expressions of one file to numbers (see the module docstring)."""

    def __init__(self, source: SourceFile, deployment: DeploymentConditions = DEFAULT_CONDITIONS) -> None:
        self.source = source
        self.deployment = deployment
        #: conditions taken as decided (test source → truth), to evaluate related settings together
        self.assumptions: dict[str, bool] = {}
        self._module: _Bindings | None = None
        self._scopes: dict[ast.AST, _Bindings] = {}
        self._classes: dict[str, ast.ClassDef] | None = None
        self._imports: dict[str, tuple[int, str, str | None]] | None = None

    # -- scopes -------------------------------------------------------------------------------

    @property
    def module_bindings(self) -> _Bindings:
        if self._module is None:
            self._module = _bindings(self.source.tree.body)
        return self._module

    @property
    def classes(self) -> dict[str, ast.ClassDef]:
        if self._classes is None:
            self._classes = {}
            for stmt in _scope_statements(self.source.tree.body):
                if isinstance(stmt, ast.ClassDef):
                    self._classes.setdefault(stmt.name, stmt)
        return self._classes

    @property
    def imports(self) -> dict[str, tuple[int, str, str | None]]:
        """Local name → (relative level, module, imported name or None for a module) for every import."""
        if self._imports is None:
            self._imports = {}
            # module-level imports only (including those under `if`/`try`): constants live there
            for node in _scope_statements(self.source.tree.body):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.asname:
                            self._imports[alias.asname] = (0, alias.name, None)
                        else:
                            top = alias.name.split(".")[0]
                            self._imports.setdefault(top, (0, top, None))
                elif isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        if alias.name != "*":
                            self._imports[alias.asname or alias.name] = (node.level, node.module or "", alias.name)
        return self._imports

    def _function_bindings(self, function: ast.AST) -> _Bindings:
        if function not in self._scopes:
            self._scopes[function] = _bindings(function.body, function.args)  # type: ignore[attr-defined]
        return self._scopes[function]

    def _enclosing(self, node: ast.AST) -> tuple[ast.AST | None, ast.ClassDef | None]:
        """Innermost function and class around the node, found by line ranges (no parent links)."""
        line = getattr(node, "lineno", None)
        function = cls = None
        if line is None:
            return None, None
        body: list[ast.stmt] = self.source.tree.body
        while body:
            found = None
            for stmt in body:
                if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
                    found = stmt
            if found is None:
                break
            if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if line < found.body[0].lineno:  # decorators, defaults: evaluated outside
                    break
                function = found
            elif isinstance(found, ast.ClassDef):
                cls, function = found, None
            body = [child for child in _child_statements(found)]
        return function, cls

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, node: ast.AST | None, depth: int = 0) -> Value | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        try:
            return self._resolve(node, depth + 1)
        except (ArithmeticError, ValueError, TypeError, RecursionError):
            return None

    def _resolve(self, node: ast.AST, depth: int) -> Value | None:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            return Value(float(value), literal=True)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.resolve(node.operand, depth)
            if inner is None:
                return None
            number = -inner.number if isinstance(node.op, ast.USub) else inner.number
            return Value(number, inner.notes, inner.literal, inner.conditions)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.resolve(node.left, depth), self.resolve(node.right, depth)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Pow) and abs(right.number) > 64:
                return None
            number = float(_BINARY[type(node.op)](left.number, right.number))
            return Value(number, (*left.notes, *right.notes), conditions=left.conditions | right.conditions)
        if isinstance(node, ast.IfExp):
            return self._conditional(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, depth)
        return None

    def _conditional(self, node: ast.IfExp, depth: int, branch=None) -> Value | None:
        branch = branch or self.resolve
        assumed = self.assumptions.get(source_of(node.test))
        if assumed is not None:
            taken = branch(node.body if assumed else node.orelse, depth)
            note = f"`{source_of(node, 80)}` {'when' if assumed else 'unless'} `{source_of(node.test)}`"
            return None if taken is None else Value(taken.number, (*taken.notes, note), conditions=taken.conditions)
        deployed_when_true = self.deployment.deployed_when_true(node.test)
        if deployed_when_true is not None:
            # the other branch is local development, which no probe ever calls
            taken = branch(node.body if deployed_when_true else node.orelse, depth)
            if taken is None:
                return None
            when = "when" if deployed_when_true else "unless"
            note = f"the deployed branch of `{source_of(node, 80)}`, {when} `{source_of(node.test)}`"
            return Value(taken.number, (*taken.notes, note), conditions=taken.conditions)
        body, orelse = branch(node.body, depth), branch(node.orelse, depth)
        if body is None and orelse is None:
            return None
        if body is None or orelse is None:
            # one branch is unknown: the known one is a lower bound of the worst case
            known = body or orelse
            assert known is not None
            taken = "when" if body is not None else "unless"
            return known.with_note(f"`{source_of(node, 80)}`, {taken} `{source_of(node.test)}`")
        if body.number >= orelse.number:
            larger, condition = body, f"when `{source_of(node.test)}`"
        else:
            larger, condition = orelse, f"unless `{source_of(node.test)}`"
        note = f"the larger branch of `{source_of(node, 80)}`, {condition}"
        return Value(larger.number, (*larger.notes, note), conditions=larger.conditions | {source_of(node.test)})

    def _call(self, node: ast.Call, depth: int) -> Value | None:
        name = dotted_name(node.func) or ""
        if name in _NUMBER_CASTS and len(node.args) == 1 and not node.keywords:
            return self._number_cast(node.args[0], depth)
        if name in ("min", "max") and node.args and not node.keywords:
            values = [self.resolve(arg, depth) for arg in node.args]
            if any(v is None for v in values):
                return None
            chosen = (min if name == "min" else max)(values, key=lambda v: v.number)  # type: ignore[arg-type]
            return Value(chosen.number, chosen.notes, conditions=chosen.conditions)  # type: ignore[union-attr]
        default = self._read_with_default(node, name)
        if default is not None:
            return self._number_cast(default[0], depth, default[1])
        if name.rsplit(".", 1)[-1] == "timedelta" and len(node.args) <= len(_TIMEDELTA_POSITIONS):
            return self._timedelta(node, depth)
        return None

    def _number_cast(self, node: ast.AST, depth: int, note: str | None = None) -> Value | None:
        if isinstance(node, ast.Call):
            name = dotted_name(node.func) or ""
            read = self._read_with_default(node, name)
            if read is not None:
                node, note = read
        if isinstance(node, ast.IfExp):  # `"30.0" if IS_GCP else "10.0"` as an environment default
            value = self._conditional(node, depth, branch=self._number_cast)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                number = float(node.value.strip())
            except ValueError:
                return None
            value = Value(number)
        else:
            value = self.resolve(node, depth)
        if value is None:
            return None
        return value.with_note(note) if note else Value(value.number, value.notes, conditions=value.conditions)

    def _read_with_default(self, node: ast.Call, name: str) -> tuple[ast.expr, str] | None:
        """`os.getenv("X", d)`, `os.environ.get("X", d)`, `<settings>.get("X", d)` → (d, note)."""
        if not (name in _ENV_READERS or name.endswith((".get", ".getenv"))):
            return None
        args = list(node.args)
        default = args[1] if len(args) >= 2 else next((k.value for k in node.keywords if k.arg == "default"), None)
        if not args or default is None:
            return None
        key = args[0]
        key_text = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else source_of(key)
        receiver = name.rsplit(".", 1)[0].lower() if "." in name else ""
        if name in _ENV_READERS or name.endswith("getenv") or "environ" in receiver or receiver.endswith("env"):
            return default, f"the default of environment variable `{key_text}`"
        return default, f"the default of `{name}({key_text!r}, …)`"

    def _timedelta(self, node: ast.Call, depth: int) -> Value | None:
        scale = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001, "microseconds": 1e-6}
        total, notes, conditions = 0.0, [], frozenset()
        given = [(unit, arg) for unit, arg in zip(_TIMEDELTA_POSITIONS, node.args)] + [(k.arg, k.value) for k in node.keywords]
        for unit, expr in given:
            if unit not in scale or isinstance(expr, ast.Starred):
                return None
            value = self.resolve(expr, depth)
            if value is None:
                return None
            total += value.number * scale[unit]
            notes.extend(value.notes)
            conditions |= value.conditions
        return Value(total, tuple(notes), conditions=conditions)

    def _name(self, node: ast.Name, depth: int) -> Value | None:
        function, _ = self._enclosing(node)
        if function is not None and not isinstance(function, ast.Lambda):
            local = self._function_bindings(function)
            if node.id in local.opaque:
                return None
            if node.id in local.values:
                return self._assigned(_reaching(function, local.values[node.id], node), node.id, depth)
        return self.resolve_global(node.id, depth)

    def resolve_global(self, name: str, depth: int = 0) -> Value | None:
        """A module-level name of this file (or one it imports from the project)."""
        module = self.module_bindings
        if name in module.values and name not in module.opaque:
            return self._assigned(module.values[name], name, depth)
        if name in self.imports:
            return self._imported(name, [], depth)
        return None

    def _assigned(self, values: list[ast.expr], name: str, depth: int) -> Value | None:
        resolved = [self.resolve(v, depth) for v in values]
        if any(v is None for v in resolved):
            return None
        largest = max(resolved, key=lambda v: v.number)  # type: ignore[union-attr]
        assert largest is not None
        if len(resolved) > 1 and len({v.number for v in resolved}) > 1:  # type: ignore[union-attr]
            return largest.with_note(f"the largest of {len(resolved)} assignments to `{name}`")
        return Value(largest.number, largest.notes, conditions=largest.conditions)

    def _attribute(self, node: ast.Attribute, depth: int) -> Value | None:
        chain = dotted_name(node)
        if chain is None:
            return None
        base, *attrs = chain.split(".")
        if base in ("self", "cls"):
            _, cls = self._enclosing(node)
            if cls is None or len(attrs) != 1:
                return None
            return self._class_attribute(cls, attrs[0], depth)
        return self.resolve_path(base, attrs, depth)

    def resolve_path(self, base: str, attrs: list[str], depth: int) -> Value | None:
        """`Base.attr…` where Base is a module-level class, an instance of one, or an import."""
        module = self.module_bindings
        if base in self.classes and len(attrs) == 1:
            return self._class_attribute(self.classes[base], attrs[0], depth, instance=False)
        if base in module.values and len(attrs) == 1 and base not in module.opaque:
            class_name = self._instance_class(module.values[base])
            if class_name in self.classes:
                return self._class_attribute(self.classes[class_name], attrs[0], depth)
            if class_name in self.imports:  # `settings = Settings()` with the class from another module
                return self._imported(class_name, attrs, depth)
            return None
        if base in self.imports:
            return self._imported(base, attrs, depth)
        return None

    @staticmethod
    def _instance_class(values: list[ast.expr]) -> str | None:
        """The class name of `x = Settings()` (constructed without arguments, so its defaults hold)."""
        if len(values) != 1 or not isinstance(values[0], ast.Call):
            return None
        call = values[0]
        if call.args or call.keywords or not isinstance(call.func, ast.Name):
            return None
        return call.func.id

    def _class_attribute(self, cls: ast.ClassDef, attr: str, depth: int, instance: bool = True) -> Value | None:
        """A class constant (`Limits.CONNECT`) or, read through an instance, a field's default."""
        fields = class_fields(cls)
        if attr not in fields:
            return None
        value = self.resolve(fields[attr], depth)
        if value is None:
            return None
        where = f"`{cls.name}.{attr}` (line {fields[attr].lineno})"
        return Value(value.number, (*value.notes, f"the default of {where}" if instance else where), conditions=value.conditions)

    def _imported(self, local: str, attrs: list[str], depth: int) -> Value | None:
        level, module, name = self.imports[local]
        path = [name] if name else []
        return resolve_imported(self.source.location, level, module, [*path, *attrs], depth, self.deployment)

    def field_default(self, cls: ast.ClassDef, attr: str) -> Value | None:
        return self._class_attribute(cls, attr, 0)


_in_progress: set[tuple[str, tuple[str, ...]]] = set()


def resolver_of(loaded: project_modules.LoadedModule, deployment: DeploymentConditions = DEFAULT_CONDITIONS) -> ValueResolver:
    """The value resolver of a project module loaded for lookups, built once per loaded version."""
    key = ("resolver", deployment)
    resolver = loaded.memo.get(key)
    if resolver is None:
        resolver = loaded.memo[key] = ValueResolver(loaded.source, deployment)
    return resolver


def resolve_imported(
    importer: str, level: int, module: str, attrs: list[str], depth: int, deployment: DeploymentConditions = DEFAULT_CONDITIONS
) -> Value | None:
    """The value of `attrs` (`NAME` or `obj.attr`) imported from `module` by the file `importer`."""
    if depth > 10:
        return None
    found = project_modules.locate(importer, level, module, attrs)
    if found is None or not found[2]:
        return None
    path, modname, rest = found
    project_modules.stats["lookups"] += 1
    loaded = project_modules.load(path, modname)
    if loaded is None:
        return None
    values = loaded.memo.setdefault(("values", deployment), {})
    key = tuple(rest)
    if key in values:
        return values[key]
    guard = (str(path), key)
    if guard in _in_progress:  # an import cycle
        return None
    _in_progress.add(guard)
    try:
        resolver = resolver_of(loaded, deployment)
        if len(rest) == 1:
            value = resolver.resolve_global(rest[0], depth + 1)
        else:
            value = resolver.resolve_path(rest[0], rest[1:], depth + 1)
        if value is None:
            number = project_modules.infer_number(loaded, rest)
            value = None if number is None else Value(number)
    finally:
        _in_progress.discard(guard)
    if value is not None:
        value = value.with_note(f"`{'.'.join(rest)}` from `{modname}`")
    values[key] = value
    return value
