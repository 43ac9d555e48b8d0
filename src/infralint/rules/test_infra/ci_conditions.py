"""How a skip condition reads in CI, where the CI service sets its own variables.

`skipif(not os.environ.get("GITHUB_ACTIONS"), reason="requires ldap service")` skips on a
laptop and runs in CI, where the workflow starts the service: a skip that is off in CI turns
nothing green. Conditions are evaluated with the variables CI services set (`CI`,
`GITHUB_ACTIONS`, `GITLAB_CI`, …) present and true; any other variable or expression leaves the
answer unknown, unless `and`/`or` decide without it.
"""

from __future__ import annotations

import ast

from ...analysis.names import dotted_name

#: variables the common CI services set on every job (documented by each service)
CI_VARIABLES = frozenset(
    {
        "CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL",
        "JENKINS_HOME", "BUILDKITE", "TF_BUILD", "BITBUCKET_BUILD_NUMBER", "TEAMCITY_VERSION", "APPVEYOR",
        "DRONE", "CODEBUILD_BUILD_ID", "SEMAPHORE", "BUILD_ID", "WOODPECKER",
    }
)
_ENV_GETTERS = {"os.environ.get", "os.getenv", "environ.get", "getenv"}
_ENVIRON = {"os.environ", "environ"}
_TRUE_WORDS = {"true", "1", "yes", "on"}
_UNKNOWN = None


def true_in_ci(condition: ast.expr) -> bool | None:
    """The truth of `condition` in CI, or None when it depends on something else."""
    value = _value(condition)
    if value is _UNKNOWN:
        return None
    return bool(value)


def _variable_read(node: ast.expr) -> str | None:
    """`os.environ.get("CI")`, `os.getenv("CI", "")`, `os.environ["CI"]`: the variable read."""
    if isinstance(node, ast.Call) and dotted_name(node.func) in _ENV_GETTERS and node.args:
        name = node.args[0]
    elif isinstance(node, ast.Subscript) and dotted_name(node.value) in _ENVIRON:
        name = node.slice
    else:
        return None
    return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None


def _value(node: ast.expr):
    """A Python value for the parts CI decides (a CI variable reads as "true"), else _UNKNOWN."""
    variable = _variable_read(node)
    if variable is not None:
        return "true" if variable.upper() in CI_VARIABLES else _UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(isinstance(e, ast.Constant) for e in node.elts):
        return tuple(e.value for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _value(node.operand)
        return _UNKNOWN if inner is _UNKNOWN else not inner
    if isinstance(node, ast.BoolOp):
        return _bool_op(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "bool" and len(node.args) == 1:
        inner = _value(node.args[0])
        return _UNKNOWN if inner is _UNKNOWN else bool(inner)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("lower", "strip") and not node.args:
        inner = _value(node.func.value)
        return inner.lower() if isinstance(inner, str) else _UNKNOWN
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare(node)
    return _UNKNOWN


def _bool_op(node: ast.BoolOp):
    unknown = False
    for operand in node.values:
        value = _value(operand)
        if value is _UNKNOWN:
            unknown = True
        elif isinstance(node.op, ast.And) and not value:
            return value  # one false operand decides `and`
        elif isinstance(node.op, ast.Or) and value:
            return value  # one true operand decides `or`
    return _UNKNOWN if unknown else isinstance(node.op, ast.And)


def _compare(node: ast.Compare):
    op, right = node.ops[0], node.comparators[0]
    if isinstance(op, (ast.In, ast.NotIn)) and dotted_name(right) in _ENVIRON:
        name = node.left.value if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str) else None
        if name is None or name.upper() not in CI_VARIABLES:
            return _UNKNOWN
        return isinstance(op, ast.In)
    left, right_value = _value(node.left), _value(right)
    if left is _UNKNOWN or right_value is _UNKNOWN:
        return _UNKNOWN
    if isinstance(op, ast.Eq):
        return left == right_value or _both_true_words(left, right_value)
    if isinstance(op, ast.NotEq):
        return not (left == right_value or _both_true_words(left, right_value))
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right_value, (tuple, list, set, str)):
        return (left in right_value) == isinstance(op, ast.In)
    return _UNKNOWN


def _both_true_words(a, b) -> bool:
    """A CI variable reads as "true" here; CI services set "true" or "1" (`== "1"` also holds)."""
    return isinstance(a, str) and isinstance(b, str) and a.lower() in _TRUE_WORDS and b.lower() in _TRUE_WORDS
