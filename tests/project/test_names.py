"""Qualified names of one module: what a call names, wherever its import statement stands."""

from __future__ import annotations

import ast

from infralint.project.names import QualifiedNames


def names_of(text: str) -> QualifiedNames:
    return QualifiedNames(ast.parse(text), "pkg.mod")


def call(text: str, names: QualifiedNames) -> str | None:
    return names.qualified(ast.parse(text, mode="eval").body.func)


def test_an_import_inside_a_function_qualifies_like_the_same_import_at_module_level():
    # hoisting the import (INF201's fix) must not change the project's facts, or a second --fix
    # run would find routes the first one could not see
    local = names_of("def filterwarnings():\n    import re\n    return re.compile('x')\n")
    hoisted = names_of("import re\n\ndef filterwarnings():\n    return re.compile('x')\n")
    assert call("re.compile('x')", local) == call("re.compile('x')", hoisted) == "re.compile"


def test_module_level_bindings_win_over_function_local_imports():
    names = names_of("from .text import compile\n\ndef helper():\n    from re import compile\n    return compile('x')\n")
    assert call("compile('x')", names) == "pkg.text.compile"
    own = names_of("def compile(p):\n    return p\n\ndef helper():\n    from re import compile\n")
    assert call("compile('x')", own) == "pkg.mod.compile"


def test_unbound_names_stay_unresolved():
    assert call("frob('x')", names_of("def f():\n    import re\n")) is None
