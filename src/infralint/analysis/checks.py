"""Service-check registrations: calls that carry a timeout and maybe retries (`timeout_seconds=30,
retry_count=4, retry_delay=1.5`), and the worst case they allow.

A keyword the call omits falls back to the default its class declares when the class is defined in
the module (a dataclass, pydantic model or attrs class with `timeout_seconds: float = 30.0`), so a
check class with a long default is judged like a call that passes the long value.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from functools import lru_cache, partial

from ..source import SourceFile
from .constants import Value, ValueResolver, class_fields, format_seconds
from .deployment import DEFAULT_CONDITIONS, DeploymentConditions
from .names import dotted_name
from .units import in_seconds

# `retry_on_timeout` is a flag; `reset_timeout`, `idle_timeout`, `visibility_timeout`… are not waits
_NOT_A_WAIT_PREFIXES = (
    "retry_on", "on_", "raise_on", "no_", "reset", "idle", "keepalive", "keep_alive", "visibility", "session",
    "expir", "ttl", "cache", "graceful", "shutdown", "lease",
)
# cache and lock APIs whose `timeout=` is how long something lives, not how long the call waits
_TTL_METHODS = {"set", "add", "set_many", "touch", "get_or_set", "incr", "decr", "setex", "expire", "lock", "cache_page"}
ATTEMPT_KEYWORDS = ("retry_count", "retries", "max_retries", "attempts", "max_attempts", "retry_attempts", "tries", "max_tries")
DELAY_KEYWORDS = ("retry_delay", "retry_delay_seconds", "delay", "retry_interval", "retry_wait", "retry_backoff", "backoff")


def is_timeout_keyword(name: str | None) -> bool:
    """`timeout`, `timeout_seconds`, `base_timeout`, `socket_timeout`… but not `retry_on_timeout`."""
    if not name:
        return False
    lowered = name.lower()
    if "timeout" not in lowered or lowered.startswith(_NOT_A_WAIT_PREFIXES):
        return False
    return not lowered.endswith(("_error", "_exception", "_callback", "_handler"))


@dataclass(frozen=True)
class Setting:
    """One resolved setting of a check: where it came from (keyword node or class default)."""

    name: str
    value: Value
    node: ast.expr | None  # the keyword value; None when it is the class's default

    @property
    def from_default(self) -> bool:
        return self.node is None


@dataclass(frozen=True)
class CheckCall:
    call: ast.Call
    timeout: Setting
    attempts: Setting | None
    delay: Setting | None
    class_name: str | None

    @property
    def attempt_count(self) -> int:
        if self.attempts is None:
            return 1
        return max(1, int(self.attempts.value.number))

    @property
    def worst_case(self) -> float:
        count = self.attempt_count
        delay = self.delay.value.number if self.delay else 0.0
        return self.timeout.value.number * count + delay * (count - 1)

    def arithmetic(self) -> str:
        """`30.0 s × 4 attempts + 1.5 s × 3 delays = 124.5 s`, or `30.0 s` for a single attempt."""
        count = self.attempt_count
        timeout = f"{self.timeout.value.text} s"
        if count == 1:
            return f"{timeout}"
        text = f"{timeout} × {count} attempts"
        if self.delay and self.delay.value.number:
            text += f" + {self.delay.value.text} s × {count - 1} delay{'s' if count > 2 else ''}"
        return f"{text} = {format_seconds(self.worst_case)} s"

    def notes(self) -> list[str]:
        settings = (self.timeout, self.attempts, self.delay)
        return [f"{s.name}: {', '.join(reversed(s.value.notes))}" for s in settings if s is not None and s.value.notes]


class CheckCalls:
    """Finds the timeout/attempt/delay settings of calls, resolving values and class defaults."""

    def __init__(self, source: SourceFile, deployment: DeploymentConditions = DEFAULT_CONDITIONS) -> None:
        self.resolver = ValueResolver(source, deployment)
        self._cache: dict[ast.Call, CheckCall | None] = {}

    def local_class(self, call: ast.Call) -> ast.ClassDef | None:
        name = dotted_name(call.func)
        return self.resolver.classes.get(name) if name else None

    def check_call(self, call: ast.Call) -> CheckCall | None:
        """The call's largest resolvable timeout with its attempts and delay; None without a timeout."""
        if call in self._cache:
            return self._cache[call]
        found = self._check_call(call)
        shared = _shared_conditions(found)
        if shared:
            # `30 if fast else 1` with `1 if fast else 5` retries: each branch pair together, never mixed
            scenarios = []
            for truths in itertools.product((True, False), repeat=len(shared)):
                self.resolver.assumptions = dict(zip(shared, truths))
                try:
                    scenario = self._check_call(call)
                finally:
                    self.resolver.assumptions = {}
                if scenario is not None:
                    scenarios.append(scenario)
            found = max(scenarios, key=lambda c: c.worst_case, default=found)
        self._cache[call] = found
        return found

    def _check_call(self, call: ast.Call) -> CheckCall | None:
        cls = self.local_class(call)
        defaults = class_fields(cls) if cls is not None else {}
        keywords = [k.arg for k in call.keywords if is_timeout_keyword(k.arg)]
        if isinstance(call.func, ast.Attribute) and call.func.attr in _TTL_METHODS:
            keywords = [k for k in keywords if k != "timeout"]  # `cache.set(k, v, timeout=300)` is a lifetime
        timeout = self._largest(call, keywords, defaults, cls)
        if timeout is None and defaults:
            timeout = self._largest(call, [name for name in defaults if is_timeout_keyword(name)], defaults, cls)
        if timeout is None:
            return None
        return CheckCall(
            call,
            timeout,
            self._first(call, ATTEMPT_KEYWORDS, defaults, cls),
            self._first(call, DELAY_KEYWORDS, defaults, cls),
            cls.name if cls is not None else None,
        )

    def _setting(self, call: ast.Call, name: str, defaults: dict[str, ast.expr], cls: ast.ClassDef | None) -> Setting | None:
        keyword = next((k for k in call.keywords if k.arg == name), None)
        if keyword is not None:
            value = in_seconds(name, self.resolver.resolve(keyword.value))
            return Setting(name, value, keyword.value) if value is not None else None
        if cls is None or name not in defaults or any(k.arg is None for k in call.keywords) or _has_own_init(cls):
            return None
        position = list(defaults).index(name)
        if len(call.args) > position:  # a dataclass-style positional argument fills the field
            if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
                return None
            value = in_seconds(name, self.resolver.resolve(call.args[position]))
            return Setting(name, value, call.args[position]) if value is not None else None
        value = in_seconds(name, self.resolver.field_default(cls, name))
        return Setting(name, value, None) if value is not None else None

    def _largest(self, call, names, defaults, cls) -> Setting | None:
        settings = [s for s in (self._setting(call, n, defaults, cls) for n in names) if s is not None and s.value.number >= 0]
        return max(settings, key=lambda s: s.value.number) if settings else None

    def _first(self, call, names, defaults, cls) -> Setting | None:
        for name in names:
            setting = self._setting(call, name, defaults, cls)
            if setting is not None:
                return setting
        return None


_MAX_SHARED_CONDITIONS = 3  # at most 8 scenarios per call


def _shared_conditions(check: CheckCall | None) -> list[str]:
    """Conditions that decided more than one setting of a check (so their branches belong together)."""
    if check is None:
        return []
    settings = [s for s in (check.timeout, check.attempts, check.delay) if s is not None]
    seen: dict[str, int] = {}
    for setting in settings:
        for condition in setting.value.conditions:
            seen[condition] = seen.get(condition, 0) + 1
    return sorted(c for c, count in seen.items() if count > 1)[:_MAX_SHARED_CONDITIONS]


@lru_cache(maxsize=None)
def check_calls_for(deployment: DeploymentConditions):
    """The per-file analysis factory for one configuration of deployment conditions."""
    return partial(CheckCalls, deployment=deployment)


def _has_own_init(cls: ast.ClassDef) -> bool:
    """A hand-written `__init__` may ignore the class-level defaults."""
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__init__" for s in cls.body)
