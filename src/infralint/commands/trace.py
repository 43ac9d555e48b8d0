"""`infralint trace ROUTE`: what the project model knows about one route, from the code alone.

The handler, where its prefixes come from, the calls it makes across files with each one's worst
case, the clients they wait on with their timeouts, the checks they run, and (when configuration
readers contribute them) the probes or load-balancer rules that call it. A rich tree on a terminal,
JSON with `--format json`.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from ..discovery import discover
from ..engine import default_jobs, join_project, lint_files
from ..exits import EXIT_CLEAN, EXIT_FINDINGS
from .common import resolver_from_args, use_color
from .trace_tree import RouteTracer

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "WS"}


def run_trace(args) -> int:
    # one project, one configuration: the one nearest the first path (or `--config`)
    config = resolver_from_args(args).config_for((args.paths or [Path(".")])[0])
    files = discover(args.paths or [Path(".")], config)
    jobs = args.jobs or default_jobs()
    from ..cache import ResultCache, cache_root

    root = None if args.no_cache else cache_root(config.root, config.source is not None, files)
    cache = ResultCache(root, config.fingerprint(), False) if root is not None else None
    results = list(lint_files(files, config, jobs=jobs, cache=cache, want_facts=True))
    if cache:
        cache.save()
    project = join_project(results)
    method, wanted = _parse_query(args.route)
    if wanted.startswith("/"):
        endpoints = project.routes_for(wanted, method)
    else:  # a handler's qualified name (`app.health.ready`)
        endpoints = project.routes_to(wanted)
    budget = float(config.option("timeouts", "health-budget"))
    tracer = RouteTracer(project, budget)
    trees = [tracer.trace(e) for e in endpoints]
    if args.format == "json":
        payload = {"query": args.route, "budget": budget, "routes": [t.to_dict() for t in trees]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    elif not trees:
        known = sorted({f"{e.method} {e.path}" for e in project.endpoints()})
        print(f"infralint: no route of the {len(files)} linted files serves {args.route}", file=sys.stderr)
        if known:
            print("known routes: " + ", ".join(known[:20]) + (" …" if len(known) > 20 else ""), file=sys.stderr)
    else:
        _print_trees(trees, budget, use_color(args.color, sys.stdout))
    return EXIT_CLEAN if trees else EXIT_FINDINGS


def _parse_query(text: str) -> tuple[str | None, str]:
    parts = text.split(None, 1)
    if len(parts) == 2 and parts[0].upper() in _METHODS:
        return parts[0].upper(), parts[1].strip()
    return None, text.strip()


def _print_trees(trees, budget: float, color: bool) -> None:
    from rich.console import Console
    from rich.tree import Tree

    terminal = sys.stdout.isatty()
    # piped or redirected: no terminal width to respect, so never crop a line
    console = Console(file=sys.stdout, no_color=not color, highlight=False, force_terminal=color or None, width=None if terminal else 400)
    for root in trees:
        tree = Tree(_line(root, budget, root=True))
        _add_children(tree, root, budget)
        console.print(tree)


def _add_children(branch, node, budget: float) -> None:
    for child in node.children:
        _add_children(branch.add(_line(child, budget)), child, budget)


def _line(node, budget: float, root: bool = False) -> str:
    from rich.markup import escape

    where = f" [dim]{escape(node.file)}:{node.line}[/dim]" if node.file else ""
    label = f"[bold]{escape(node.label)}[/bold]" if root else escape(node.label)
    cost = ""
    if node.seconds is not None:
        if math.isinf(node.seconds):
            cost = " — [red]worst case unbounded[/red]"
        elif node.seconds > 0:
            style = "red" if node.seconds > budget else "green"
            cost = f" — [{style}]worst case {node.seconds:g} s[/{style}]"
    if root and node.seconds is not None and node.seconds > 0:
        cost += f" [dim](health budget {budget:g} s)[/dim]"
    detail = f"\n[dim]{escape(node.detail)}[/dim]" if node.detail and node.kind != "route" else ""
    return f"{label}{where}{cost}{detail}"
