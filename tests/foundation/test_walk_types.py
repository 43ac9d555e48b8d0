"""The engine's traversal visits exactly the nodes `ast.walk` visits, in the same order."""

import ast
import sys
import textwrap

import pytest

from infralint.source import walk_types

# every statement and expression kind, with the fields the traversal skips as plain values
# (identifiers, levels, flags, constants) next to fields that hold nodes
EVERY_SHAPE = textwrap.dedent(
    '''
    from __future__ import annotations
    import os.path as osp, sys
    from . import sibling
    from ..pkg import (name as alias, other)
    GLOBAL: int = 1
    counter = 0

    @decorator(arg=1)
    class Service(Base, metaclass=Meta, **extra):
        attr: "List[int]" = []

        async def run(self, a, /, b=1, *args, c: int = 2, d, **kwargs) -> None:
            global GLOBAL
            async with lock as held, other():
                async for item in stream():
                    await item
            result = [x async for x in gen() if x]
            return {k: v for k, v in pairs} | {**extra, "key": None}

    def outer():
        value = 0
        def inner():
            nonlocal value
            value += 1
            del value
        try:
            raise ValueError("x") from None
        except (KeyError, ValueError) as error:
            pass
        except Exception:
            raise
        else:
            assert value, "message"
        finally:
            yield from (i for i in range(3))
        while value < 3:
            value = value if value else -value
            break
        else:
            continue_ = lambda x=1, *y, **z: (yield)
        with open(osp.join("a", "b")) as (first, second):
            print(f"{value!r:>{width}} {first=}", *args, sep="")
        match command:
            case {"action": action, **rest}:
                pass
            case Point(x=0, y=_) | [1, 2, *others]:
                pass
            case None | True | -1 | 1 + 2j:
                pass
            case str() as text if text:
                pass
        return value[1:2:3], not value, value @ value, (a := 1), b"bytes", ..., {1, 2}, (1,)
    '''
)


def _shapes() -> list[str]:
    sources = [EVERY_SHAPE]
    if sys.version_info >= (3, 11):
        sources.append("try:\n    pass\nexcept* (OSError, ValueError) as group:\n    pass\n")
    if sys.version_info >= (3, 12):
        sources.append("type Pair[T: int, *Ts, **P] = tuple[T, T]\ndef first[T](items: list[T]) -> T: ...\nclass Box[T]: ...\n")
    return sources


# the shared instances: contexts, and the operators of every operation
SINGLETONS = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)


@pytest.mark.parametrize("source", _shapes())
@pytest.mark.parametrize("left_out", [(), (ast.expr_context,), SINGLETONS], ids=["everything", "no-contexts", "no-singletons"])
def test_every_node_in_ast_walk_order(source, left_out):
    tree = ast.parse(source)
    every_type = {t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.AST) and not issubclass(t, left_out or ())}
    expected = [node for node in ast.walk(tree) if type(node) in every_type]
    assert list(walk_types(tree, every_type)) == expected


def test_only_wanted_types():
    tree = ast.parse(EVERY_SHAPE)
    calls = list(walk_types(tree, {ast.Call}))
    assert calls == [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert len(calls) > 5
