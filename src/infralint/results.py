"""What linting one file produced, and the content digest that keys it in the cache."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .finding import Finding

if TYPE_CHECKING:
    from .project.facts import FileFacts


@dataclass
class FileResult:
    """Everything one lint of one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    #: problems of the run itself (a rule that crashed, a fix that was dropped): shown on stderr
    errors: list[str] = field(default_factory=list)
    digest: str = ""
    fixed: int = 0  # findings fixed in this file by --fix
    #: what the file states for the project model (None when the run builds no project)
    facts: "FileFacts | None" = None
    #: other files these findings were computed from: absolute path → content digest (cache keys)
    deps: dict[str, str] = field(default_factory=dict)
    #: linting waits for the project: a rule that reads `ctx.project` applies to this file
    deferred: bool = False
    #: linted with the joined project (so its cache entry's deps cover what it read of other files)
    with_project: bool = False


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
