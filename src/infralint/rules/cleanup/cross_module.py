"""Teardown routes across modules, through the project model.

An import in `close_all` (in `db.py`) is on a cleanup path when `close_all` is called by `shutdown`
(in `lifecycle.py`), which `main.py` registers with `atexit.register`. The local analysis sees
none of that; here the route is found by walking the project's callers up from the function, at
most `MAX_HOPS` calls, to a cleanup entry (a registration or a `finally` call in another module)
or to a function that is cleanup code by itself (`__exit__`, `__aexit__`, `__del__`, a cleanup name).
Only routes that cross files are reported here: a route inside one file is the local analysis's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...project import Function, Project
from .cleanup_names import TEARDOWN, CleanupNames
from .cleanup_paths import FINALIZERS, SPECIAL_METHODS
from .project_facts import CleanupEntry

MAX_HOPS = 4


@dataclass(frozen=True)
class ProjectRoute:
    """`start` reached from a root: `root` says why it is cleanup code, `via` the calls down."""

    root: str  # e.g. "`shutdown`, registered with `atexit.register` (app/main.py:14)"
    via: tuple[Function, ...]  # callers from the root down to the function with the import
    at_finalization: bool = False  # the root is a `__del__`: it also runs while the interpreter finalizes
    at_exit: bool = False  # the root is an `atexit`/`weakref.finalize` callback: it runs before teardown

    def describe(self, function_name: str) -> str:
        steps = " → ".join(f"`{_short(f.name)}` ({_shown(f.file)}:{f.line})" for f in self.via)
        return f"`{function_name}`, reached from {self.root}" + (f" via {steps}" if steps else "")


def teardown_route(
    project: Project, qualname: str, home: str, cleanup_names: CleanupNames, entries: dict[str, CleanupEntry] | None = None
) -> ProjectRoute | None:
    """The shortest route from a cleanup root to `qualname` that involves another file than `home`
    (`entries`: `entries_by_target`, when the caller asks for several functions)."""
    home_key = _key(project, home)
    start = project.function(qualname)
    if start is None:
        return None
    if entries is None:
        entries = entries_by_target(project)
    frontier: list[tuple[Function, tuple[Function, ...]]] = [(start, ())]
    seen = {start.name}
    for _ in range(MAX_HOPS + 1):
        following: list[tuple[Function, tuple[Function, ...]]] = []
        for function, chain in frontier:
            crossed = any(_key(project, f.file) != home_key for f in chain)
            entry = entries.get(function.name)
            if entry is not None and (crossed or _key(project, entry.file) != home_key):
                project.note(entry)
                at_exit = any(f"`{name}`" in entry.how for name in ("atexit.register", "weakref.finalize"))
                return ProjectRoute(f"{_how(entry, function)} ({_shown(entry.file)}:{entry.line})", chain[1:] if chain else (), at_exit=at_exit)
            bare = _short(function.name).rsplit(".", 1)[-1]
            if chain and crossed and (bare in SPECIAL_METHODS or _is_teardown_name(function.name, cleanup_names)):
                kind = "cleanup method" if bare in SPECIAL_METHODS else "cleanup function"
                where = f"{kind} `{_short(function.name)}` ({_shown(function.file)}:{function.line})"
                return ProjectRoute(where, chain[1:], at_finalization=bare in FINALIZERS)
            for caller in project.callers(function.name):
                if caller.name not in seen:
                    seen.add(caller.name)
                    following.append((caller, (caller, *chain)))
        frontier = following
        if not frontier:
            break
    return None


def entries_by_target(project: Project) -> dict[str, CleanupEntry]:
    """The cleanup entries by the function they call (resolved: built once per join, not per file
    or function asked about)."""
    found = project.memo.get("inf201-entries-by-target")
    if found is None:  # `facts()` records nothing: the routes `note` the entries they use
        found = project.memo["inf201-entries-by-target"] = {}
        for entry in project.facts(CleanupEntry):
            found.setdefault(project.resolve(entry.target), entry)
    return found


def _how(entry: CleanupEntry, function: Function) -> str:
    if entry.how.startswith("registered"):
        return f"`{_short(function.name)}`, {entry.how}"
    return entry.how  # "the `finally` block of `serve`"


def _short(qualname: str) -> str:
    """`app.lifecycle.shutdown` → `lifecycle.shutdown`: the module's last part and the name."""
    parts = qualname.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else qualname


def _key(project: Project, path: str) -> str:
    keys = project.memo.setdefault("inf201-file-keys", {})  # asked for every function of every route
    found = keys.get(path)
    if found is None:
        found = keys[path] = str(project.absolute(path))
    return found


def _shown(path: str) -> str:
    """Fact paths are the run's display paths: shown as they are."""
    return path


# -- what INF201 asks ---------------------------------------------------------------------------------


def imports_on_teardown_routes(project: Project, facts, cleanup_names: CleanupNames) -> bool:
    """Whether a function of this file that imports is on a teardown route crossing files."""
    asked = [f for f in facts.facts if isinstance(f, Function) and f.imports]
    if not asked:
        return False
    entries = entries_by_target(project)
    return any(teardown_route(project, f.name, facts.path, cleanup_names, entries) is not None for f in asked)


def project_hazards(ctx, hazards, cleanup_names: CleanupNames) -> list:
    """ImportHazards for imports this file's own analysis left unrouted but the project reaches."""
    from .cleanup_paths import CleanupRoot, Route
    from .hazard import ImportHazard, shown_import

    project = ctx.project
    file = project.files.get(ctx.display_path)
    if file is None:
        return []
    by_line = {f.line: f for f in file.facts if isinstance(f, Function)}
    found = []
    routes: dict[int, ProjectRoute | None] = {}
    entries: dict[str, CleanupEntry] | None = None
    for function, site, swallowed in hazards.unrouted:
        fact = by_line.get(function.line)
        if fact is None:
            continue
        if fact.line not in routes:
            entries = entries_by_target(project) if entries is None else entries
            routes[fact.line] = teardown_route(project, fact.name, ctx.display_path, cleanup_names, entries)
        route = routes[fact.line]
        if route is None:
            continue
        root = CleanupRoot("across-modules", route.describe(function.display_name), at_finalization=route.at_finalization, at_exit=route.at_exit)
        found.append(
            ImportHazard(site, function, Route(root), None, hazards.plan(site, function), shown_import(site.node), swallowed, hazards.loaded.reason(site.node))
        )
    return found


def _is_teardown_name(qualname: str, names: CleanupNames) -> bool:
    """A function whose own name says teardown (ambiguous words need a real teardown entry, as in one file)."""
    parts = _short(qualname).split(".")
    owner = parts[-2] if len(parts) > 1 and parts[-2][:1].isupper() else None
    return names.kind(parts[-1], owner) == TEARDOWN
