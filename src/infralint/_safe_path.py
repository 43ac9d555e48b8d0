"""Keep the linted tree off `sys.path` when infralint runs as `python -m infralint`.

`-m` puts the current folder first on `sys.path`, so a linted file named `json.py` or
`tokenize.py` would be imported (and run) by infralint's own `import json`. This module imports
nothing but `sys` and `os` (both loaded before any user code can be), and must run before the
package imports anything else — as `python -P` would do.
"""

import os
import sys


def drop_working_directory() -> None:
    """Remove the entry `-m` put first on `sys.path` (the current folder, or '' for it)."""
    if getattr(sys.flags, "safe_path", False) or not sys.path:
        return  # `python -P` / PYTHONSAFEPATH: nothing was added
    first = sys.path[0]
    try:
        is_cwd = first == "" or os.path.samefile(first, os.getcwd())
    except OSError:
        is_cwd = False
    if is_cwd:
        del sys.path[0]


def running_as_main_module() -> bool:
    """True while `python -m` is locating its module: the interpreter sets argv[0] to '-m' then."""
    return sys.argv[:1] == ["-m"]
