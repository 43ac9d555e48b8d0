"""Recall of INF101–INF103 on real bug fixes, from git histories.

For every commit whose message names a scope error (UnboundLocalError, NameError, "referenced
before assignment", "not defined"…), each changed non-test `.py` file is linted at the parent and
at the commit, in both `possibly-unbound` modes. A finding of the parent that the commit removes,
on or near a changed line or about a name the diff touches, is a hit. The commits still have to
be read: many messages mention these words without fixing such a bug, and a file linted alone
cannot resolve its project's star imports.

    python -m bench.scope_recall /path/to/repo.git [...] > rows.json
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from infralint.api import lint_source
from infralint.config import Config

WORDS = ["UnboundLocalError", "NameError", "referenced before assignment", "not defined", "possibly unbound", "used before assignment"]
CODES = ["INF101", "INF102", "INF103"]
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? ", re.M)
_NEAR = 3  # lines either side of a change that still count as the fixed place


def git(repository: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repository, *args], capture_output=True, text=True, errors="replace").stdout


def findings(text: str, path: str, mode: str) -> list:
    config = Config(select=CODES)
    config.options[("scope", "possibly-unbound")] = mode
    try:
        return lint_source(text, path, config)
    except Exception:  # a parent that does not parse on this Python scores nothing
        return []


def removed_findings(before: list, after: list, diff: str) -> list:
    changed: set[int] = set()
    for hunk in _HUNK.finditer(diff):
        start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
        changed.update(range(max(1, start - _NEAR), start + max(count, 1) + _NEAR))
    touched = "\n".join(line for line in diff.splitlines() if line[:1] in "+-")
    remaining = {(f.code, f.message.split(":")[0]) for f in after}
    gone = []
    for finding in before:
        if (finding.code, finding.message.split(":")[0]) in remaining:
            continue
        name = finding.message.split("`")[1] if "`" in finding.message else ""
        if finding.line in changed or (name and re.search(rf"\b{re.escape(name)}\b", touched)):
            gone.append((finding.code, finding.line, finding.message))
    return gone


def commits(repository: str) -> list[tuple[str, str]]:
    args = ["log", "--all", "--no-merges", "-i", "--format=%H%x09%s"]
    for word in WORDS:
        args += ["--grep", word]
    return [tuple(line.split("\t", 1)) for line in git(repository, *args).splitlines() if "\t" in line]


def main(repositories: list[str]) -> None:
    rows = []
    for repository in repositories:
        for sha, subject in commits(repository):
            changed = [f for f in git(repository, "diff", "--name-only", f"{sha}^", sha).splitlines() if f.endswith(".py") and "test" not in f.lower()]
            for path in changed:
                old, new = git(repository, "show", f"{sha}^:{path}"), git(repository, "show", f"{sha}:{path}")
                if not old or not new:
                    continue
                diff = git(repository, "diff", "-U0", f"{sha}^", sha, "--", path)
                row = {"repository": repository, "commit": sha[:10], "subject": subject, "file": path}
                for mode in ("likely", "all"):
                    row[mode] = removed_findings(findings(old, path, mode), findings(new, path, mode), diff)
                rows.append(row)
    json.dump(rows, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
