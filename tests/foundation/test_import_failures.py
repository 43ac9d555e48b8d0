"""INF001 covers every way importing a file fails before it runs: syntax errors, errors only the
compiler raises, and parser resource limits — found without executing anything — and a rule
that runs out of stack on a legal file costs only that rule's findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from infralint.api import lint_source

from ..conftest import config_for, run_infralint

# each case: (source, line, Python's own message)
COMPILE_TIME_ERRORS = [
    ("x = 1\nreturn x\n", 2, "'return' outside function"),
    ("class Settings:\n    return None\n", 2, "'return' outside function"),
    ("items = []\nyield items\n", 2, "'yield' outside function"),
    ("if ready:\n    await start()\n", 2, "'await' outside function"),
    ("settings = {\n    'a': 1,\n    'b': [await load()],\n}\n", 3, "'await' outside function"),
    ("x = 1\ry = [\r    0,\r    await load(),\r]\r", 4, "'await' outside function"),  # lone CR line breaks
    ("def handler(request):\n    body = await request.json()\n", 2, "'await' outside async function"),
    ("class Consumer:\n    def receive(self):\n        return await self.channel.get()\n", 3, "'await' outside async function"),
    ("async def serve():\n    def on_message(message):\n        await send(message)\n", 3, "'await' outside async function"),
    ("def drain(pool):\n    async with pool.acquire() as conn:\n        pass\n", 2, "'async with' outside async function"),
    ("def names(rows):\n    return [row async for row in rows]\n", 2, "asynchronous comprehension outside of an asynchronous function"),
    ("for job in jobs:\n    pass\nelse:\n    break\n", 4, "'break' outside loop"),
    ("while True:\n    def step():\n        continue\n", 3, "'continue' not properly in loop"),
    ("def connect(host, port, host):\n    pass\n", 1, "duplicate argument 'host' in function definition"),
    ("nonlocal state\n", 1, "nonlocal declaration not allowed at module level"),
    ("def outer():\n    def inner():\n        nonlocal missing\n", 3, "no binding for nonlocal 'missing' found"),
    # the statement around a `nonlocal` is compiled alone: the position must still be the file's
    ("import os\n\n\ndef outer():\n    value = 1\n\n    def inner(value):\n        nonlocal value\n", 8, "name 'value' is parameter and nonlocal"),
    ("class Job:\n    nonlocal state\n", 2, "no binding for nonlocal 'state' found"),
    ("".join("    " * i + f"for x{i} in y:\n" for i in range(21)) + "    " * 21 + "pass\n", 21, "too many statically nested blocks"),
    ("import os\nfrom __future__ import annotations\n", 2, "from __future__ imports must occur at the beginning of the file"),
    ("from __future__ import nested_generics\n", 1, "future feature nested_generics is not defined"),
    ("from __future__ import braces\n", 1, "not a chance"),
]

# the same shapes, legal
LOOK_ALIKES = [
    "def f(x):\n    return x\n",
    "def gen():\n    yield 1\n",
    "async def main():\n    await start()\n",
    "HELP = {\n    'wait': 'await the reply, then yield',\n    'step': lambda: 1,\n}\n",
    "def run(loop):\n    async def step():\n        await loop.tick()\n    return is_async(step) or asyncio.run(step())\n",
    # a method is compiled with its class, whose `__class__` the nested function declares
    "class Base:\n    def method(self):\n        def inner():\n            nonlocal __class__\n            __class__ = Base\n        inner()\n",
    "for job in jobs:\n    if job:\n        break\nelse:\n    pass\n",
    "while True:\n    try:\n        continue\n    finally:\n        pass\n",
    "def connect(host, port, *hosts, **options):\n    pass\n",
    "def outer():\n    state = 0\n    def inner():\n        nonlocal state\n        state += 1\n",
    "class A:\n    def m(self):\n        return lambda: (yield)\n",
    "def outer():\n    state = 0\n    class Job:\n        def run(self):\n            nonlocal state\n            state += 1\n",
    "from __future__ import annotations\ndef outer():\n    n = 0\n    def inner(x: Undefined[int]) -> None:\n        nonlocal n\n",
    "".join("    " * i + f"for x{i} in y:\n" for i in range(19)) + "    " * 19 + "pass\n",
    '"""Docstring."""\nfrom __future__ import annotations\nfrom __future__ import division\nimport os\n',
]


@pytest.mark.parametrize("source, line, message", COMPILE_TIME_ERRORS, ids=[m for _, _, m in COMPILE_TIME_ERRORS])
def test_compile_time_errors_are_inf001(source, line, message):
    findings = lint_source(source, "job.py", config_for(["INF"]))
    assert [(f.code, f.line, f.message) for f in findings] == [
        ("INF001", line, f"file does not parse: {message}; importing it raises SyntaxError")
    ]


@pytest.mark.parametrize("source", LOOK_ALIKES)
def test_legal_look_alikes_are_not(source):
    assert [f for f in lint_source(source, "job.py", config_for(["INF001"]))] == []


@pytest.mark.integration
def test_nothing_is_executed_to_find_them(tmp_path):
    marker = tmp_path / "EXECUTED"
    source = f"open({str(marker)!r}, 'w').close()\n\ndef run():\n    pass\n\nreturn run()\n"
    (tmp_path / "job.py").write_text(source)
    proc = run_infralint("check", "--no-cache", "--format", "concise", "job.py", cwd=tmp_path)
    assert proc.stdout.decode().splitlines() == [
        "job.py:6:1: INF001 file does not parse: 'return' outside function; importing it raises SyntaxError"
    ]
    assert not marker.exists()
    assert not list(tmp_path.glob("**/__pycache__")), "compiling must not write bytecode either"


def elifs(count: int) -> str:
    arms = "".join(f"    elif code == {i}:\n        return {i}\n" for i in range(1, count))
    return f"def classify(code):\n    if code == 0:\n        return 0\n{arms}"


def test_a_file_too_large_for_the_parser_says_so_in_words():
    findings = lint_source(elifs(50_000), "codes.py", config_for(["INF001"]))
    assert [(f.code, f.message) for f in findings] == [
        (
            "INF001",
            "file does not parse: too large or too deeply nested for CPython's parser, which ran out of memory; "
            "importing it raises MemoryError",
        )
    ]


@pytest.mark.integration
def test_a_rule_out_of_stack_loses_only_its_own_findings(tmp_path: Path):
    """A legal function with ~1,000 `elif` arms: whatever analysis cannot follow it is skipped
    with a warning naming the rule, the other findings in the file stand, and the run is not an
    internal failure."""
    cleanup = "\n\ndef close(conn):\n    try:\n        conn.close()\n    finally:\n        import logging\n"
    (tmp_path / "codes.py").write_text("import redis\n\nclient = redis.Redis(host='cache')\n\n\n" + elifs(1_000) + cleanup)
    proc = run_infralint("check", "--no-cache", "--format", "concise", "--select", "INF", "codes.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "codes.py:3:10: INF302" in out, out
    # the cleanup analysis walks statements iteratively: it follows the chain to the end
    assert "codes.py:2013:9: INF201" in out, out
    stderr = proc.stderr.decode()
    assert "internal error" not in stderr and "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.startswith("infralint: codes.py: INF") and line.endswith(
            "skipped: the file is too large or too deeply nested for its analysis (RecursionError)"
        ), line
