"""The package layout the README promises: no import cycles, and `analysis/` holds only what is shared."""

from __future__ import annotations

import ast
from pathlib import Path

import infralint

PACKAGE = Path(infralint.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("infralint", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every infralint module `name` imports, at module level or lazily inside functions."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:  # never executed: not an import at run time
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in modules else base)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return {t for t in targets if t in modules and t != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _part(module: str) -> str:
    """Which part of infralint a module belongs to: a rule family, or a top-level package/module."""
    parts = module.split(".")
    if parts[1] == "rules" and len(parts) > 2:
        return f"rules.{parts[2]}"
    return parts[1] if len(parts) > 1 else parts[0]


def test_shared_analyses_are_shared():
    """A module in `analysis/` is used by at least two parts (families or the project model)."""
    graph = _graph()
    lonely = {}
    for module in graph:
        if not module.startswith("infralint.analysis.") :
            continue
        users = {_part(user) for user, imported in graph.items() if module in imported and _part(user) != "analysis"}
        # an analysis used only through another shared analysis counts that one's users
        via = [user for user, imported in graph.items() if module in imported and _part(user) == "analysis"]
        for other in via:
            users |= {_part(u) for u, imported in graph.items() if other in imported and _part(u) != "analysis"}
        if len(users) < 2:
            lonely[module] = sorted(users)
    assert lonely == {}, f"move these into the family that uses them: {lonely}"
