"""The one traversal of a parsed file, and the rules fed its nodes by type."""

from __future__ import annotations

import ast
from collections import defaultdict

from ..analysis.names import ImportMap
from ..context import FileContext
from ..finding import Finding
from ..rules import Rule
from ..source import walk_types
from .failures import crash_message

# listed by every traversal whatever the rules visit: shared analyses read them (imports, calls,
# definitions, bindings) through `SourceFile.nodes_of` instead of walking the tree again
SHARED_NODE_TYPES = frozenset(
    {ast.Import, ast.ImportFrom, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith, ast.Return}
)


def walk(ctx: FileContext, rules: list[Rule], collected: dict | None) -> list[ast.AST]:
    """The file's one traversal: the nodes every rule and shared analysis visits, and those the
    fact extractors want (into `collected`, by type). Kept by the source, so the analyses
    rules ask for reuse the list."""
    wanted = {node_type for rule in rules for node_type in rule.node_types} | SHARED_NODE_TYPES
    if collected is not None:
        from ..project.registry import FACT_NODE_TYPES

        wanted |= FACT_NODE_TYPES
    nodes = list(walk_types(ctx.tree, wanted))
    ctx.source.remember_walk(wanted, nodes)
    if collected is not None:
        for node_type in FACT_NODE_TYPES:
            collected[node_type] = []
        for node in nodes:
            if type(node) in collected:
                collected[type(node)].append(node)
    return nodes


def dispatch(ctx: FileContext, rules: list[Rule], nodes: list[ast.AST], errors: list[str]) -> list[Finding]:
    """Hand each node of the traversal to the rules that visit its type, then finish them."""
    findings: list[Finding] = []
    broken: set[Rule] = set()
    by_type: dict[type, list[Rule]] = defaultdict(list)
    for rule in rules:
        for node_type in rule.node_types:
            by_type[node_type].append(rule)
    call_names = {rule: rule.call_names for rule in by_type.get(ast.Call, ()) if rule.call_names is not None}
    imports = ctx.analysis(ImportMap) if call_names else None
    for node in nodes:
        kind = type(node)
        if kind not in by_type:
            continue
        callee = _callee_names(node, imports) if kind is ast.Call and imports is not None else None
        for rule in by_type[kind]:
            if rule in broken or (callee is not None and rule in call_names and callee[0] not in call_names[rule] and callee[1] not in call_names[rule]):
                continue
            try:
                findings.extend(rule.visit(node, ctx))
            except Exception as exc:  # a rule bug must not stop the run
                broken.add(rule)
                errors.append(crash_message(rule, ctx, exc, getattr(node, "lineno", None)))
    for rule in rules:
        if rule in broken:
            continue
        try:
            findings.extend(rule.finish(ctx))
        except Exception as exc:
            errors.append(crash_message(rule, ctx, exc, None))
    return findings


def _callee_names(call: ast.Call, imports: ImportMap) -> tuple[str | None, str | None]:
    """The name a call's callee ends with as spelled (`f` of `f()`) and as imported (`fail` after
    `from pytest import fail as f`)."""
    func = call.func
    spelled = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
    return spelled, imports.last_part(func)
