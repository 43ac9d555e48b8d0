"""Compile-time errors of declarations, async generators and comprehensions: each case is first
checked with Python's own `compile()` of the fixture text (here, in the test: infralint itself
never compiles a whole file it does not suspect, and never runs any), then INF001 must report
the same message on the same line; each has a legal look-alike INF001 leaves alone."""

from __future__ import annotations

import warnings

import pytest

from infralint.api import lint_source

from ..conftest import config_for

# (source, line, the compiler's message)
ERRORS = [
    ("def configure():\n    global LEVEL\n    LEVEL: int = 10\n", 3, "annotated name 'LEVEL' can't be global"),
    ("def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n: int = 1\n", 5, "annotated name 'n' can't be nonlocal"),
    ("async def rows(cursor):\n    async for row in cursor:\n        yield row\n    return 0\n", 4, "'return' with value in async generator"),
    ("class Feed:\n    async def items(self):\n        yield 1\n        return []\n", 4, "'return' with value in async generator"),
    ("def configure(debug):\n    \"\"\"Doc.\"\"\"\n    global LEVEL\n    if debug:\n        LEVEL: int = 10\n", 5, "annotated name 'LEVEL' can't be global"),
    ("def reset():\n    cache = {}\n    global cache\n", 3, "name 'cache' is assigned to before global declaration"),
    ("def show():\n    print(cache)\n    global cache\n", 3, "name 'cache' is used prior to global declaration"),
    ("cache = {}\nglobal cache\n", 2, "name 'cache' is assigned to before global declaration"),
    ("def connect(client):\n    global client\n", 2, "name 'client' is parameter and global"),
    ("class Settings:\n    def load(self, path):\n        global path\n", 3, "name 'path' is parameter and global"),
    ("def plugins():\n    from os.path import *\n", 2, "import * only allowed at module level"),
    ("class Settings:\n    from os.path import *\n", 2, "import * only allowed at module level"),
    ("def last(rows):\n    return [row := 0 for row in rows]\n", 2, "assignment expression cannot rebind comprehension iteration variable 'row'"),
    ("values = [y for y in (x := [1, 2])]\n", 1, "assignment expression cannot be used in a comprehension iterable expression"),
    ("class Report:\n    totals = [(t := n) for n in range(3)]\n", 2, "assignment expression within a comprehension cannot be used in a class body"),
    ("def collect(rows):\n    return [(yield row) for row in rows]\n", 2, "'yield' inside list comprehension"),
    ("def collect(rows):\n    return {\n        row: (yield row)\n        for row in rows\n    }\n", 3, "'yield' inside dict comprehension"),
]

LOOK_ALIKES = [
    "def configure():\n    global LEVEL\n    LEVEL = 10\n",
    "LEVEL: int = 10\ndef configure():\n    global LEVEL\n    LEVEL = 20\n",
    "global LEVEL\nLEVEL = 1\n",
    "def configure(debug):\n    \"\"\"Doc.\"\"\"\n    global LEVEL, MODE\n    if debug:\n        LEVEL = 10\n    def inner():\n        LEVEL: int = 1\n",
    "def configure(debug):\n    if debug:\n        global LEVEL\n        LEVEL = 10\n",  # a module-level `global` before any binding is legal
    "async def rows(cursor):\n    async for row in cursor:\n        yield row\n    return\n",
    "async def fetch(cursor):\n    yield_count = 1\n    return await cursor.fetch(yield_count)\n",
    "async def pages(cursor):\n    def count():\n        yield 1\n    return len(list(count()))\n",
    "def connect(host):\n    global client\n    client = host\n",
    "from os.path import *\nif True:\n    from json import *\n",
    "def last(rows):\n    return [last := row for row in rows]\n",
    "def first(rows):\n    if (n := len(rows)) > 0:\n        return [r for r in rows[:n]]\n",
    "def gen(rows):\n    yield [row for row in rows]\n",
    "def gen(rows):\n    yield {row: 1 for row in rows}\n",
    "class Report:\n    def total(self, rows):\n        return [(t := n) for n in rows]\n",
    "LABEL = f'{x:=^10}'\n",
]


def compiler_says(source: str) -> tuple[int, str] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, "fixture.py", "exec", dont_inherit=True)  # bytecode only, never run
        except SyntaxError as exc:
            return exc.lineno, exc.msg
    return None


@pytest.mark.parametrize("source, line, message", ERRORS, ids=[m for _, _, m in ERRORS])
def test_inf001_reports_what_the_compiler_reports(source, line, message):
    assert compiler_says(source) == (line, message)
    findings = lint_source(source, "job.py", config_for(["INF001"]))
    assert [(f.code, f.line, f.message) for f in findings] == [
        ("INF001", line, f"file does not parse: {message}; importing it raises SyntaxError")
    ]


@pytest.mark.parametrize("source", LOOK_ALIKES)
def test_legal_look_alikes_are_not_reported(source):
    assert compiler_says(source) is None
    assert lint_source(source, "job.py", config_for(["INF001"])) == []
