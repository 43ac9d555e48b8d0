"""`asyncio.gather(*tasks)`: the calls a list of tasks is built from, in the same function.

`tasks = [check_redis(), check_db()]`, `tasks = [check(s) for s in services]`, `tasks.append(
check_redis())` and `tasks += [...]` before the gather; the gather waits for the slowest of them.
"""

from __future__ import annotations

import ast

_MAX_CALLS = 64


def gathered_calls(source, starred: ast.expr, gather: ast.Call) -> list[ast.Call]:
    """The calls whose results the list named by `starred` holds when `gather` runs."""
    if not isinstance(starred, ast.Name):
        return _elements(starred)
    function = next((a for a in source.ancestors(gather) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if function is None:
        return []
    name = starred.id
    found: list[ast.Call] = []
    for node in ast.walk(function):
        if getattr(node, "lineno", gather.lineno + 1) > gather.lineno:
            continue
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found = _elements(node.value)  # a rebinding replaces what was gathered so far
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            found.extend(_elements(node.value))
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "extend")
            and isinstance(node.func.value, ast.Name) and node.func.value.id == name and node.args
        ):
            found.extend(_elements(node.args[0]) if node.func.attr == "extend" else _elements(ast.List([node.args[0]])))
    return found[:_MAX_CALLS]


def _elements(node: ast.expr) -> list[ast.Call]:
    """Calls in a list/tuple display, or the element call of a comprehension (costed once)."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        calls = []
        for element in node.elts:
            if isinstance(element, ast.Call) and _is_task_wrapper(element) and element.args:
                element = element.args[0]
            if isinstance(element, ast.Call):
                calls.append(element)
        return calls
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and isinstance(node.elt, ast.Call):
        element = node.elt
        if _is_task_wrapper(element) and element.args and isinstance(element.args[0], ast.Call):
            element = element.args[0]
        return [element]
    return []


def _is_task_wrapper(call: ast.Call) -> bool:
    """`asyncio.create_task(coro)`/`ensure_future(coro)` inside the list: the coroutine is what runs."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("create_task", "ensure_future")
