"""Which modules come with Python, and which of those are only importable on some platforms."""

from __future__ import annotations

import sys

STDLIB_MODULES = frozenset(sys.stdlib_module_names)

#: standard-library modules that exist on one family of platforms only; importing one
#: unconditionally breaks the module everywhere else
PLATFORM_SPECIFIC = frozenset(
    {
        # Windows
        "msvcrt", "winreg", "winsound", "_winapi", "_overlapped", "nt", "_msi", "msilib", "_wmi",
        # POSIX
        "posix", "fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog", "crypt",
        "spwd", "nis", "ossaudiodev", "readline", "_posixsubprocess", "_posixshmem", "curses",
        "_curses", "_curses_panel", "_scproxy",
    }
)


def top_level(module: str) -> str:
    return module.split(".", 1)[0]


def is_stdlib(module: str) -> bool:
    """`json`, `os.path`, `concurrent.futures`: modules that ship with the interpreter."""
    return top_level(module) in STDLIB_MODULES


def is_portable_stdlib(module: str) -> bool:
    """A standard-library module that every platform can import."""
    return is_stdlib(module) and top_level(module) not in PLATFORM_SPECIFIC
