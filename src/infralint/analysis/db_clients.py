"""Database engines and pools, and whether their queries are bounded in time.

SQLAlchemy engines (`create_async_engine`, `create_engine`), asyncpg/psycopg/aiomysql connections
and pools wait on the server forever by default. A statement is bounded when the engine or pool is
built with `command_timeout`, `statement_timeout`, `pool_timeout`, `timeout`, `connect_timeout`, or a
`connect_args` dict (or a libpq `options="-c statement_timeout=5000"`) that sets one; otherwise a
health check that runs `SELECT 1` on it hangs with the database.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .constants import Value, ValueResolver
from .names import dotted_name
from .units import in_seconds

# qualified factory → library
DATABASE_FACTORIES = {
    "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy",
    "sqlalchemy.ext.asyncio.engine.create_async_engine": "sqlalchemy",
    "sqlalchemy.create_engine": "sqlalchemy",
    "sqlalchemy.engine.create_engine": "sqlalchemy",
    "asyncpg.create_pool": "asyncpg",
    "asyncpg.pool.create_pool": "asyncpg",
    "asyncpg.connect": "asyncpg",
    "psycopg.connect": "psycopg",
    "psycopg.AsyncConnection.connect": "psycopg",
    "psycopg.Connection.connect": "psycopg",
    "psycopg2.connect": "psycopg2",
    "psycopg_pool.AsyncConnectionPool": "psycopg",
    "psycopg_pool.ConnectionPool": "psycopg",
    "aiomysql.create_pool": "aiomysql",
    "aiomysql.connect": "aiomysql",
}
TIMEOUT_KEYWORDS = ("command_timeout", "statement_timeout", "pool_timeout", "timeout", "connect_timeout", "query_timeout")
#: methods that send a statement on an engine, pool, connection or session
STATEMENT_METHODS = {"execute", "executemany", "fetch", "fetchrow", "fetchval", "scalar", "scalars", "exec_driver_sql"}
#: methods that wait for a connection (bounded by `pool_timeout`/`timeout`, not by statement timeouts)
CONNECTION_METHODS = {"connect", "begin", "acquire", "cursor"}
QUERY_METHODS = STATEMENT_METHODS | CONNECTION_METHODS
_OPTIONS_TIMEOUT = re.compile(r"statement_timeout\s*=\s*(\d+)\s*(ms|s|min|h|us)?\b")
#: PostgreSQL time units (a number without one is in milliseconds)
_PG_UNITS = {None: 0.001, "ms": 0.001, "us": 1e-6, "s": 1.0, "min": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class DatabaseBound:
    """How a database client bounds its statements: the setting and its seconds (None: unknown)."""

    keyword: str
    value: Value | None


def database_library(qualified: str | None) -> str | None:
    return DATABASE_FACTORIES.get(qualified or "")


def statement_bound(call: ast.Call, resolver: ValueResolver) -> DatabaseBound | None:
    """The setting that bounds statements on the client `call` builds, or None when nothing does.

    `**kwargs` or a non-literal `connect_args` count as a bound of unknown size (never reported).
    """
    for keyword in call.keywords:
        if keyword.arg is None:
            return DatabaseBound("**kwargs", None)
        if keyword.arg in TIMEOUT_KEYWORDS:
            return DatabaseBound(keyword.arg, resolver.resolve(keyword.value))
        if keyword.arg == "options":
            found = _options_timeout(keyword.value)
            if found is not None:
                return found
    connect_args = next((k.value for k in call.keywords if k.arg == "connect_args"), None)
    if connect_args is None:
        return None
    if not isinstance(connect_args, ast.Dict):
        return DatabaseBound("connect_args", None)
    for key, value in zip(connect_args.keys, connect_args.values):
        name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
        if name is None:
            return DatabaseBound("connect_args", None)
        if "timeout" in name:
            return DatabaseBound(f"connect_args[{name!r}]", in_seconds(name, resolver.resolve(value)))
        if name in ("options", "server_settings"):
            found = _options_timeout(value)
            if found is not None:
                return found
            if isinstance(value, ast.Dict):  # asyncpg server_settings={"statement_timeout": "5000"}
                for inner_key, inner in zip(value.keys, value.values):
                    if isinstance(inner_key, ast.Constant) and inner_key.value == "statement_timeout":
                        return DatabaseBound("statement_timeout", _milliseconds(inner))
    return None


def _options_timeout(node: ast.AST) -> DatabaseBound | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        match = _OPTIONS_TIMEOUT.search(node.value)
        if match:
            return DatabaseBound("statement_timeout", Value(int(match.group(1)) * _PG_UNITS[match.group(2)]))
    return None


def _milliseconds(node: ast.AST) -> Value | None:
    """A PostgreSQL `statement_timeout` value: `5000`, `"5000"`, `"5s"`, `"1min"` (no unit: milliseconds)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
        match = re.fullmatch(r"\s*(\d+)\s*(ms|s|min|h|us)?\s*", str(node.value))
        if match:
            return Value(int(match.group(1)) * _PG_UNITS[match.group(2)])
    return None


def is_query(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in QUERY_METHODS


def bounded_by(call: ast.Call, keyword: str) -> bool:
    """Whether the setting `keyword` bounds this call: statement timeouts bound statements, pool and
    connect timeouts bound waiting for a connection."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    waits_for_connection = keyword in ("pool_timeout", "timeout", "connect_timeout") or keyword.endswith("'connect_timeout']")
    return method in (CONNECTION_METHODS if waits_for_connection else STATEMENT_METHODS)


def receiver_name(call: ast.Call) -> str | None:
    return dotted_name(call.func.value) if isinstance(call.func, ast.Attribute) else None
