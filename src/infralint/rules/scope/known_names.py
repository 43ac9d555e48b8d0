"""Names that exist without any binding in the module: builtins, module dunders, stdlib modules.

The builtins are the union over every supported Python version (3.10–3.14), so code written for a
newer interpreter is not reported when the linter itself runs on an older one.
"""

from __future__ import annotations

import builtins
import sys

# builtins that appeared after the oldest supported version (3.10)
_NEWER_BUILTINS = frozenset(
    {
        "BaseExceptionGroup",  # 3.11
        "ExceptionGroup",  # 3.11
        "PythonFinalizationError",  # 3.13
        "_IncompleteInputError",  # 3.13
    }
)
# added by `site` (absent under `python -S`), and the Windows-only exception alias
_SITE_AND_PLATFORM = frozenset({"copyright", "credits", "license", "exit", "quit", "help", "WindowsError"})

BUILTINS: frozenset[str] = frozenset(dir(builtins)) | _NEWER_BUILTINS | _SITE_AND_PLATFORM

# set by the import system on every module (several are also in dir(builtins))
MODULE_DUNDERS = frozenset(
    {
        "__name__",
        "__doc__",
        "__file__",
        "__package__",
        "__spec__",
        "__loader__",
        "__builtins__",
        "__cached__",
        "__annotations__",
        "__dict__",
    }
)
PACKAGE_DUNDERS = frozenset({"__path__"})  # only in a package's `__init__`
CLASS_BODY_NAMES = frozenset({"__module__", "__qualname__"})

STDLIB_MODULES: frozenset[str] = frozenset(getattr(sys, "stdlib_module_names", ()))


def is_builtin(name: str) -> bool:
    return name in BUILTINS or name in MODULE_DUNDERS

# calls that never return: a branch ending in one of them does not reach the code after it
NORETURN_CALLS = frozenset(
    {
        "sys.exit",
        "exit",
        "quit",
        "os._exit",
        "os.abort",
        "os.execl",
        "os.execle",
        "os.execlp",
        "os.execlpe",
        "os.execv",
        "os.execve",
        "os.execvp",
        "os.execvpe",
        "pytest.fail",
        "pytest.skip",
        "pytest.exit",
        "pytest.xfail",
        "flask.abort",  # raises an HTTPException (annotated `NoReturn`)
        "werkzeug.exceptions.abort",
        "typing.assert_never",
        "typing_extensions.assert_never",
    }
)
NORETURN_METHODS_OF_SELF = frozenset({"fail", "skipTest"})  # unittest.TestCase
NORETURN_ANNOTATIONS = frozenset({"NoReturn", "Never"})
EXCEPTION_SWALLOWING_CONTEXTS = frozenset({"contextlib.suppress"})

# values fixed for the life of a process by the platform and interpreter it runs on: an `if`/`elif`
# chain that only compares one of them against constants dispatches on the environment
ENVIRONMENT_VALUES = frozenset(
    {
        "sys.platform",
        "sys.version_info",
        "sys.hexversion",
        "sys.byteorder",
        "sys.maxsize",
        "sys.implementation",
        "sys.api_version",
        "os.name",
        "os.sep",
        "platform.system",
        "platform.machine",
        "platform.architecture",
        "platform.python_implementation",
        "platform.python_version_tuple",
        "platform.release",
        "sysconfig.get_platform",
        "ctypes.sizeof",
        "_ctypes.sizeof",
        "struct.calcsize",
    }
)


def attribute_tails(names: frozenset[str]) -> frozenset[str]:
    """The last part of each dotted name. The qualified name of `x.attr` ends in `.attr` whatever `x`
    resolves to, so a call `x.attr(…)` whose `attr` is none of these is none of `names`: no need
    to resolve it."""
    return frozenset(name.rsplit(".", 1)[1] for name in names if "." in name)
