"""A folder named on the command line is linted even when git ignores it (an interpreter or a
virtualenv inside a checkout): otherwise `infralint check <that folder>` silently checks nothing."""

from __future__ import annotations

import subprocess

from infralint.config import Config
from infralint.discovery import discover


def test_git_ignored_folder_named_explicitly_is_walked(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/versions\n")
    lib = tmp_path / "versions" / "3.11" / "lib"
    lib.mkdir(parents=True)
    (lib / "os.py").write_text("x = 1\n")
    (tmp_path / "app.py").write_text("x = 1\n")
    config = Config(root=tmp_path)
    assert discover([lib], config) == [lib / "os.py"]
    # walking the checkout itself still honours the ignore file
    assert discover([tmp_path], config) == [tmp_path / "app.py"]
