"""Where a family's fixtures are, found without listing them: adding a rule or a fixture touches no test.

`tests/rules/<family>/fixtures/` (the family's package name under `rules/`) holds
- `*.py`: single-file fixtures, flagged lines marked inline (`# expect: INF302 "part of the message"`);
- `clean/*.py`: look-alikes on which nothing may be reported;
- `projects/<case>/`: multi-file fixtures (Python and configuration), linted as `infralint check .`
  lints a tree, every file's markers compared.

Every fixture is linted with all the family's rules selected, so a fixture also shows what the
other rules of the family leave alone. A rule's fixtures are the ones whose markers name its code
(`grep -rl INF302 tests/rules/timeouts/fixtures`). A single-file fixture may start with header
comments that say how it is linted:

    # fixture-path: tests/mission_critical/test_skips.py   (the path it is linted as; by default
                                                          `app/<its name>`, application code)
    # fixture-options: {"cleanup.report-loaded-modules": true}   (JSON: option values by "group.name")

Other folders under `fixtures/` are inputs of the family's own tests, not run here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from infralint.catalog import load_catalog

RULE_TESTS = Path(__file__).parent
_HEADER = re.compile(r"^#\s*fixture-(?P<key>path|options):\s*(?P<value>.+?)\s*$")


@dataclass(frozen=True)
class FileFixture:
    path: Path
    display_path: str
    options: dict | None


def family_codes(family: str) -> list[str]:
    """The codes of every rule of a family, from the catalog."""
    return sorted(code for code, entry in load_catalog().items() if entry.family == family)


def fixtures_folder(family: str) -> Path:
    return RULE_TESTS / family / "fixtures"


def file_fixtures(family: str) -> list[FileFixture]:
    folder = fixtures_folder(family)
    paths = sorted(folder.glob("*.py")) + sorted((folder / "clean").glob("*.py"))
    return [_with_header(path) for path in paths]


def project_fixtures(family: str) -> list[Path]:
    folder = fixtures_folder(family) / "projects"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _with_header(path: Path) -> FileFixture:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            found[match.group("key")] = match.group("value")
    options = json.loads(found["options"]) if "options" in found else None
    return FileFixture(path, found.get("path", f"app/{path.name}"), options)


def marked_codes(family: str) -> set[str]:
    """Every code an `# expect:` marker names in the family's run fixtures."""
    from ..conftest import expectations

    files = [f.path for f in file_fixtures(family)]
    files += [p for project in project_fixtures(family) for p in project.rglob("*") if p.is_file()]
    codes = set()
    for path in files:
        codes |= {code for _, code, _ in expectations(path.read_text(encoding="utf-8", errors="replace"), every_path=True)}
    return codes
