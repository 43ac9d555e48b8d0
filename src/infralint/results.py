"""What linting one file produced, and the content digest that keys it in the cache."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .finding import Finding


@dataclass
class FileResult:
    """Everything one lint of one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    #: problems of the run itself (a rule that crashed, a fix that was dropped): shown on stderr
    errors: list[str] = field(default_factory=list)
    digest: str = ""
    fixed: int = 0  # findings fixed in this file by --fix


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
