"""The partial file of one shard (`check --shard K/N --partial-out FILE`), written and read back.

A partial holds, per configuration group of the run, the whole file set (so `merge` can check that
every shard saw the same one), the project's other files (`context`: their facts join the project,
the merge reads them), and, for the shard's own files, what the first phase produced: facts,
findings (fix edits built, so the merge can print any format), problems, and whether the file waits
for the project. Paths are relative to the run's configuration root; nothing names the machine.

    {"format": "infralint-partial", "format_version": 1, "infralint": "0.1.0", "python": "cpython3.12",
     "shard": [2, 4], "fixes": true, "named_folders": ["svc", "deploy"],
     "groups": [{"config_root": ".", "config": "<digest>", "files_digest": "<digest>", "files": ["svc/a.py", …],
                 "context": ["tools/x.py", …],
                 "results": [{"path": "svc/a.py", "digest": "…", "findings": […], "errors": […],
                              "facts": {…} | null, "deferred": false, "with_project": false}]}]}
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .exits import UsageError
from .finding import Finding
from .results import FileResult
from .safe_files import read_regular_file, write_report_file
from .sharding import Shard, file_set_digest, name_in_run, relative_to_root
from .version import __version__

FORMAT = "infralint-partial"
FORMAT_VERSION = 1


class PartialError(UsageError):
    """A partial that cannot be read or does not fit with the others (one line, exit 2)."""


def interpreter_tag() -> str:
    """Findings depend on the Python that parsed the files (its syntax), so shards and merge must agree."""
    return f"{sys.implementation.name}{sys.version_info.major}.{sys.version_info.minor}"


@dataclass
class PartialGroup:
    """One configuration's files in a shard: the full file set and the shard's results."""

    config_root: str  # the configuration's folder, relative to the run's root
    config: str  # its digest (`sharding.config_digest`)
    files: list[str]
    context: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)  # serialised, paths relative to the root

    @property
    def files_digest(self) -> str:
        return file_set_digest(self.files)

    @property
    def signature(self) -> tuple:
        """What every shard of one run has in common."""
        return (self.config_root, self.config, self.files_digest, file_set_digest(self.context))


@dataclass
class Partial:
    shard: Shard
    groups: list[PartialGroup]
    fixes: bool = True
    #: the folders the command line named (several, outside a checkout, are trees of their own)
    named_folders: list[str] = field(default_factory=list)
    infralint: str = __version__
    python: str = field(default_factory=interpreter_tag)
    source: str = ""  # the file it was read from (for messages)

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "infralint": self.infralint,
            "python": self.python,
            "shard": [self.shard.index, self.shard.count],
            "fixes": self.fixes,
            "named_folders": self.named_folders,
            "groups": [
                {"config_root": g.config_root, "config": g.config, "files_digest": g.files_digest, "files": g.files, "context": g.context,
                 "results": g.results}
                for g in self.groups
            ],
        }
        # ASCII escapes: a file name that is not UTF-8 (a lone surrogate here) travels as `\udcff`
        return json.dumps(document, separators=(",", ":")).encode("ascii")


    @property
    def signature(self) -> tuple:
        return (tuple(self.named_folders), *(group.signature for group in self.groups))


# -- one result, made portable and back --------------------------------------------------------


def result_to_dict(result: FileResult, root: Path) -> dict:
    """A first-phase result with its paths relative to `root` (dependency digests stay behind:
    they name files by absolute path, and only a cache on this machine uses them)."""
    path = relative_to_root(result.path, root)
    findings = []
    for finding in result.findings:
        data = finding.to_dict()
        data["path"] = relative_to_root(finding.path, root)
        findings.append(data)
    facts = None
    if result.facts is not None:
        facts = result.facts.to_dict()
        facts["path"] = path
    return {
        "path": path,
        "digest": result.digest,
        "findings": findings,
        "errors": list(result.errors),
        "facts": facts,
        "deferred": result.deferred,
        "with_project": result.with_project,
    }


def result_from_dict(data: dict, root: Path) -> FileResult:
    """The result as this run names its file (relative to the working folder when inside it)."""
    from .project import load_extractors
    from .project.facts import FileFacts

    load_extractors()  # the families register their fact kinds when imported: unknown kinds are dropped

    shown = name_in_run(data["path"], root)
    findings = []
    for item in data["findings"]:
        finding = Finding.from_dict(item)
        finding.path = shown if finding.path == data["path"] else name_in_run(finding.path, root)
        findings.append(finding)
    result = FileResult(shown, findings, [str(e) for e in data["errors"]], str(data["digest"]))
    if data.get("facts") is not None:
        result.facts = FileFacts.from_dict(data["facts"], shown)
    result.deferred = bool(data.get("deferred"))
    result.with_project = bool(data.get("with_project"))
    return result


# -- files ---------------------------------------------------------------------------------------


def write_partial(path: Path, partial: Partial) -> None:
    try:
        write_report_file(path, partial.to_json())
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the partial: {exc.strerror or exc}") from exc


def read_partial(path: Path) -> Partial:
    """A partial file, checked for shape (never trusted further than that: merge validates the rest)."""
    try:
        document = json.loads(read_regular_file(path))
    except OSError as exc:
        raise PartialError(f"{path}: cannot read the partial: {exc.strerror or exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise PartialError(f"{path}: not an infralint partial (not JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PartialError(f"{path}: not an infralint partial (written by `infralint check --shard K/N --partial-out FILE`)")
    if document.get("format_version") != FORMAT_VERSION:
        raise PartialError(f"{path}: partial format version {document.get('format_version')!r}; this infralint reads version {FORMAT_VERSION}")
    try:
        index, count = document["shard"]
        groups = [
            PartialGroup(
                str(g["config_root"]), str(g["config"]), _names(g["files"]), _names(g["context"]), list(g["results"])
            )
            for g in document["groups"]
        ]
        for group, raw in zip(groups, document["groups"]):
            if raw.get("files_digest") != group.files_digest:
                raise ValueError("its file list does not match its digest")
            if not all(isinstance(r, dict) and isinstance(r.get("path"), str) for r in group.results):
                raise ValueError("a result without a path")
        return Partial(
            Shard(int(index), int(count)), groups, bool(document["fixes"]), _names(document["named_folders"]), str(document.get("infralint")),
            str(document.get("python")), str(path),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PartialError(f"{path}: damaged infralint partial ({exc})") from exc


def _names(value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValueError("a list of paths is not a list of strings")
    return value
