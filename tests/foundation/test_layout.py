"""The package layout the README promises: no import cycles, `analysis/` holds only what is shared,
and the rule families stay independent of each other (README, "How the parts import each other")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import infralint

PACKAGE = Path(infralint.__file__).resolve().parent


def _modules(package: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in package.rglob("*.py"):
        parts = ("infralint", *path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path], type_checking: bool = False) -> set[str]:
    """Every infralint module `name` imports, at module level or lazily inside functions; with
    `type_checking`, also those imported for type checkers only (`if TYPE_CHECKING:`)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = set() if type_checking else {
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


# -- which part may import which -------------------------------------------------------------------

#: the registry: `rule_classes()` imports every family package by name, the one way into the families
REGISTRY = "infralint.rules"
#: what the rest of infralint may import from `rules/` besides the registry: the `Rule` base, and the
#: meta rules (INF001-INF003), whose findings the engine makes itself for files it cannot parse
OPEN_RULE_MODULES = frozenset({"infralint.rules.base", "infralint.rules.meta"})


def _family(module: str) -> str | None:
    """The rule family a module belongs to (`timeouts` for `infralint.rules.timeouts.budget`,
    `meta` for the module family `infralint.rules.meta`), None outside the families."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "rules" and parts[2] != "base":
        return parts[2]
    return None


def _forbidden(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, or None when it may."""
    if not imported.startswith(REGISTRY + ".") and imported != REGISTRY:
        return None
    family = _family(importer)
    if family is not None:
        if imported == REGISTRY:
            return "a family never loads the registry (that would load every other family)"
        other = _family(imported)
        return f"family `{family}` imports family `{other}`: move what both use to analysis/" if other not in (None, family) else None
    if importer == REGISTRY or importer in OPEN_RULE_MODULES:
        return None
    part = importer.split(".")[1]
    if part == "analysis":
        return "a shared analysis sits below the families and imports none of `rules/`"
    if part == "project":
        return None if imported == REGISTRY else "the project model loads the families through the registry only"
    if imported == REGISTRY or imported in OPEN_RULE_MODULES:
        return None
    return "only the registry, `rules.base` and `rules.meta` are imported from outside `rules/`: ask the project (`project.queries.ask`) instead"


def _layout_violations(package: Path = PACKAGE) -> list[str]:
    """Every import, anywhere in a module (inside functions and `if TYPE_CHECKING:` too), that
    crosses the boundaries `_forbidden` draws."""
    modules = _modules(package)
    found = []
    for name, path in sorted(modules.items()):
        for imported in sorted(_imports(name, path, modules, type_checking=True)):
            reason = _forbidden(name, imported)
            if reason:
                found.append(f"{name} imports {imported}: {reason}")
    return found


def test_families_import_no_other_family_and_the_rest_goes_through_the_registry():
    assert _layout_violations() == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "infralint"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


_SKELETON = {
    "__init__.py": "",
    "rules/__init__.py": "from .base import Rule\n",
    "rules/base.py": "class Rule: ...\n",
    "rules/meta.py": "from .base import Rule\n",
    "rules/timeouts/__init__.py": "",
    "rules/timeouts/budget.py": "",
    "rules/timeouts/rules.py": "from ..base import Rule\nfrom .budget import *\n",
    "rules/infra_config/__init__.py": "",
    "analysis/__init__.py": "",
    "analysis/names.py": "",
    "project/__init__.py": "",
    "project/loading.py": "def load():\n    from ..rules import rule_classes\n",
    "commands/__init__.py": "",
    "commands/check.py": "from ..rules.meta import Rule\nfrom .. import rules\n",
}


def test_the_layout_check_allows_imports_within_a_family_and_through_the_registry(tmp_path):
    assert _layout_violations(_tree(tmp_path, _SKELETON)) == []


@pytest.mark.parametrize(
    ("module", "text", "reason"),
    [
        # lazily, inside a function: still an import
        ("rules/infra_config/handlers.py", "def worst():\n    from ..timeouts.budget import WorstCase\n", "family `infra_config` imports family `timeouts`"),
        ("rules/infra_config/handlers.py", "from .. import timeouts\n", "family `infra_config` imports family `timeouts`"),
        ("rules/infra_config/handlers.py", "import infralint.rules.timeouts.budget\n", "family `infra_config` imports family `timeouts`"),
        ("rules/infra_config/handlers.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..timeouts.budget import Cost\n", "family `infra_config` imports family `timeouts`"),
        ("rules/infra_config/handlers.py", "from ..meta import Rule\n", "family `infra_config` imports family `meta`"),
        ("rules/infra_config/handlers.py", "from .. import rule_classes\n", "never loads the registry"),
        ("analysis/names.py", "def f():\n    from ..rules.base import Rule\n", "imports none of `rules/`"),
        ("project/loading.py", "def f():\n    from ..rules.timeouts import budget\n", "through the registry only"),
        ("commands/trace.py", "def f():\n    from ..rules.timeouts.budget import WorstCase\n", "ask the project"),
    ],
)
def test_the_layout_check_finds_an_import_across_the_boundaries(tmp_path, module, text, reason):
    violations = _layout_violations(_tree(tmp_path, {**_SKELETON, module: text}))
    assert len(violations) == 1 and reason in violations[0], violations
