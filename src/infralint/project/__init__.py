"""The project model: what every file says about the service, joined into one picture.

The engine runs in two phases. Per file (in the worker pool, cached by content digest), registered
*extractors* turn the file into *facts*: small serialisable records (`facts.py`) such as routes,
WebSocket endpoints with their accept sites, functions and the calls they make, routers and their
includes, bindings and module constants (and, from the timeouts family, clients with their timeouts
and service-check registrations). Once per run, in the main process, the facts are joined into a
`Project` (`model.py`): indexes by qualified name, by module and by route path (with path-parameter
matching and prefixes composed through `include_router`, blueprints, `Mount`, Django `include()`
and aiohttp sub-apps).

Using the project from a rule: set `uses_project = True` on the rule class and read `ctx.project`
(None when the run has no project, e.g. a single file on stdin). The engine runs such rules after
the join and records every file whose facts `ctx.project` returned; the finding's cache entry is
keyed on those files too, so editing `settings.py` refreshes the finding in `health.py`.

Extending it (a family package, in any of its modules, imported when the family is):

    from infralint.project import Fact, fact_kind, file_extractor, python_extractor

    @fact_kind("probe")                  # a new kind: a dataclass whose fields are JSON values
    @dataclass
    class Probe(Fact):
        target_path: str = ""
        timeout: float | None = None

    @file_extractor("*.yaml", "*.yml")   # non-Python files, matched on the file name
    def probes(path: str, text: str) -> Iterable[Fact]:
        ...  # yield Probe(path, line, target_path="/health/ready", timeout=5.0)

    @python_extractor                    # every parsed Python file
    def sockets(file: PythonFile) -> Iterable[Fact]:
        ...  # file.source (SourceFile), file.module, file.names.qualify(node)

Then `ctx.project.facts(Probe)` lists every probe of the run and `ctx.project.routes_for(path)` the
endpoints it reaches. See docs/project-model.md.
"""

from .facts import (
    Binding,
    CallSite,
    CheckRegistration,
    Client,
    Constant,
    Fact,
    FileFacts,
    Function,
    Include,
    Route,
    Router,
    WebSocketEndpoint,
    fact_kind,
)
from .model import ConstantValue, Endpoint, Project, join_paths
from .registry import PythonFile, extract_file, extract_python, file_extractor, load_extractors, module_name, python_extractor, wants_file

__all__ = [
    "Binding", "CallSite", "CheckRegistration", "Client", "Constant", "ConstantValue", "Endpoint", "Fact", "FileFacts",
    "Function", "Include", "Project", "PythonFile", "Route", "Router", "WebSocketEndpoint", "extract_file", "extract_python",
    "fact_kind", "file_extractor", "join_paths", "load_extractors", "module_name", "python_extractor", "wants_file",
]
