"""`python -m bench [PATHS] [--runs N] [--sample N] [--pylint-files N] [--output FILE]`.

Times infralint (cold with one process, cold with all cores, warm cache) and its peers (pyflakes,
flake8, pylint with its comparable checks, ruff) on the same files, and prints a Markdown table of
medians, files per second, time per file relative to infralint, and peak memory.
"""

from __future__ import annotations

import argparse
import atexit
import compileall
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import files as file_sets
from .measure import run_all
from .peers import _executable, infralint_peers, peer_linters
from .report import render


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the running interpreter's standard library)")
    parser.add_argument("--corpus", choices=("stdlib", "service", "shape"), default="stdlib", help="default files when no paths are given: the standard library, service applications (Django/Celery, downloaded once), or a generated service whose modules import each other's handlers, settings and managers (300 files)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per command; the median is reported (default 3)")
    parser.add_argument("--sample", type=int, default=None, metavar="N", help="time every tool on N files spread across the set")
    parser.add_argument("--pylint-files", type=int, default=150, metavar="N", help="cap for pylint, which is slow (default 150; 0 = all)")
    parser.add_argument("--only", default=None, help="comma-separated peer keys (cold1,sarif1,coldN,warm,half,other-half,pyflakes,flake8,pylint,ruff-cold,ruff-warm)")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def _all_codes() -> list[str]:
    from infralint.catalog import load_catalog

    return sorted(load_catalog())


def _compile_infralint() -> None:
    """Every peer runs from an installation with its bytecode compiled (pip compiles it); an
    editable infralint has none, and with PYTHONDONTWRITEBYTECODE set each run would compile
    every module again. Compile it once, as an install would, so startup is measured fairly."""
    try:
        import infralint
    except ImportError:
        return
    compileall.compile_dir(Path(infralint.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.paths:
        paths = args.paths
    elif args.corpus == "service":
        from .service_corpus import service_paths

        paths = service_paths()
    elif args.corpus == "shape":
        from .service_shape import generate

        folder = Path(tempfile.mkdtemp(prefix="infralint-bench-shape-"))
        atexit.register(shutil.rmtree, folder, True)
        generate(folder, 300, parts=20)
        paths = [folder]
    else:
        paths = file_sets.default_paths()
    everything = file_sets.python_files(paths)
    chosen = file_sets.spread_sample(everything, args.sample)
    if not chosen:
        print("bench: no Python files under " + ", ".join(map(str, paths)), file=sys.stderr)
        return 2
    root = file_sets.common_root(chosen)
    relative = [os.path.relpath(f, root) for f in chosen]
    try:
        jobs = len(os.sched_getaffinity(0))
    except AttributeError:
        jobs = os.cpu_count() or 1
    try:
        codes = _all_codes()
    except ImportError:
        codes = []
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    log(f"bench: {len(chosen)} files under {root}, {args.runs} runs each")
    _compile_infralint()
    with tempfile.TemporaryDirectory(prefix="infralint-bench-") as work:
        workdir = Path(work)
        peers = infralint_peers(workdir, codes or ["INF"], jobs)
        peers += peer_linters(workdir, args.pylint_files or None)
        if args.only:
            wanted = {k.strip() for k in args.only.split(",")}
            peers = [p for p in peers if p.key in wanted]
        sets = {p.key: p.choose(relative) if p.choose else file_sets.spread_sample(relative, p.file_limit) for p in peers}
        outcomes = run_all(peers, sets, root, args.runs, log=log)
    report = render(
        outcomes,
        paths=[str(p) for p in paths],
        total_files=len(chosen),
        total_lines=file_sets.total_lines(chosen),
        runs=args.runs,
        ruff=_executable("ruff"),
        codes=codes,
    )
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
