"""Server launch command lines: which ASGI/WSGI server runs, with which keep-alive and worker class.

Command lines come from Dockerfile `CMD`/`ENTRYPOINT`, compose `command:`, Kubernetes
`command:`/`args:` and Procfile lines; each is split like a shell would (no expansion) and the
first gunicorn, uvicorn or hypercorn invocation in it is read.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

SERVERS = ("gunicorn", "uvicorn", "hypercorn", "daphne")
_SHELL_SEPARATORS = {"&&", "||", ";", "|", "&"}


@dataclass
class ServerLaunch:
    """One server started by a command line. `keepalive` is None when the command leaves the default."""

    server: str
    keepalive: float | None
    worker_class: str | None
    config_file: str | None
    path: str
    line: int
    ws_ping_interval: float | None = None  # uvicorn `--ws-ping-interval`; None: the default
    ws_ping_disabled: bool = False
    #: the keep-alive flag is there but its value is not a literal (`--keep-alive $KEEPALIVE`)
    keepalive_unresolved: bool = False
    #: `--keep-alive ${GUNICORN_KEEP_ALIVE:-2}`: the variable the deployment may set (`keepalive` is its default)
    keepalive_var: str | None = None
    #: gunicorn `--threads N` (with the sync worker, more than one thread runs the gthread worker)
    threads: float | None = None


def parse_launch(argv: list[str], path: str, line: int) -> ServerLaunch | None:
    """The first server invocation in an argument vector (`sh -c "…"` and `&&` chains included)."""
    words = _expand_shell(argv)
    for index, word in enumerate(words):
        server = _server_name(word, words[index + 1 : index + 3])
        if server:
            rest = words[index + 1 :]
            if word in ("python", "python3") or word.endswith(("/python", "/python3")):
                rest = rest[2:]  # python -m uvicorn …
            return _read_options(server, _until_separator(rest), path, line)
    return None


def _server_name(word: str, following: list[str]) -> str | None:
    base = word.rsplit("/", 1)[-1]
    if base in SERVERS:
        return base
    if base in ("python", "python3") or re.fullmatch(r"python3(\.\d+)?", base):
        if len(following) == 2 and following[0] == "-m" and following[1] in SERVERS:
            return following[1]
    return None


def _expand_shell(argv: list[str]) -> list[str]:
    """`sh -c "gunicorn …"` → the words of the inner command; exec-form vectors stay as they are."""
    words: list[str] = []
    for index, word in enumerate(argv):
        if index > 0 and argv[index - 1] == "-c" and index >= 2 and argv[index - 2].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash"):
            words.extend(split_shell(word))
        else:
            words.append(word)
    return words


def split_shell(text: str) -> list[str]:
    """Shell words of a command line (quotes honoured, nothing expanded); [] if it cannot be split."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        return list(lexer)
    except ValueError:
        return []


def _until_separator(words: list[str]) -> list[str]:
    for index, word in enumerate(words):
        if word in _SHELL_SEPARATORS:
            return words[:index]
    return words


_KEEPALIVE_FLAGS = {"gunicorn": ("--keep-alive",), "uvicorn": ("--timeout-keep-alive",), "hypercorn": ("--keep-alive",), "daphne": ()}
_WORKER_FLAGS = {"gunicorn": ("-k", "--worker-class"), "hypercorn": ("-k", "--worker-class"), "uvicorn": (), "daphne": ()}
#: how each server is told to ping WebSockets (uvicorn and daphne ping every 20 s by default)
_PING_FLAGS = {"uvicorn": "--ws-ping-interval", "daphne": "--ping-interval", "hypercorn": "--websocket-ping-interval"}
_CONFIG_FLAGS = ("-c", "--config")


_SHELL_VAR_RE = re.compile(r"^\$\{(\w+)(?::?[-=](.*))?\}$|^\$(\w+)$")


def shell_default(word: str) -> tuple[str | None, str | None]:
    """`${NAME:-2}` → ("NAME", "2"); `$NAME`/`${NAME}` → ("NAME", None); a literal → (None, word)."""
    match = _SHELL_VAR_RE.match(word)
    if not match:
        return None, word
    if match.group(3):
        return match.group(3), None
    return match.group(1), match.group(2)


def _number(word: str | None) -> float | None:
    try:
        return float(word) if word is not None else None
    except ValueError:
        return None


def _read_options(server: str, words: list[str], path: str, line: int) -> ServerLaunch:
    keepalive: float | None = None
    worker_class = None
    config_file = None
    ping: float | None = None
    unresolved = False
    keepalive_var = None
    threads = None
    for index, word in enumerate(words):
        flag, _, inline = word.partition("=")
        value = inline if _ else (words[index + 1] if index + 1 < len(words) else None)
        if flag in _KEEPALIVE_FLAGS[server] and value is not None:
            name, default = shell_default(value)
            keepalive = _number(default)
            unresolved = keepalive is None
            keepalive_var = name
        elif flag in _WORKER_FLAGS[server] and value is not None:
            worker_class = shell_default(value)[1] or value
        elif flag in _CONFIG_FLAGS and server in ("gunicorn", "hypercorn") and value is not None:
            config_file = value
        elif flag == _PING_FLAGS.get(server) and value is not None:
            try:
                ping = float(value)
            except ValueError:
                ping = None
        elif server == "gunicorn" and flag == "--threads" and value is not None:
            threads = _number(shell_default(value)[1])
    return ServerLaunch(server, keepalive, worker_class, config_file, path, line, ping, ping is not None and ping <= 0, unresolved, keepalive_var, threads)


def cmd_args_launch(server: str, value: str, path: str, line: int) -> ServerLaunch | None:
    """`GUNICORN_CMD_ARGS="--keep-alive 75 -k gthread"`: the options it passes, as a launch of `server`."""
    words = split_shell(value)
    return _read_options(server, words, path, line) if words else None


# -- shell scripts ------------------------------------------------------------------------------

_SERVER_WORD_RE = re.compile(r"\b(gunicorn|uvicorn|hypercorn|daphne)\b")


def logical_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, text) of each shell or Dockerfile line, `\\` continuations joined."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start = index
        logical = lines[index]
        while logical.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            logical = logical.rstrip()[:-1] + " " + lines[index]
        index += 1
        yield start + 1, index, logical


def shell_launches(text: str, path: str) -> list[ServerLaunch]:
    """Every server a shell script starts (`gunicorn … app:app` in start.sh, entrypoint.sh), at
    the line the command starts on; continuation lines are joined, comments skipped."""
    found = []
    for first, _, logical in logical_lines(text):
        stripped = logical.strip()
        if not stripped or stripped.startswith("#") or not _SERVER_WORD_RE.search(stripped):
            continue
        words = split_shell(stripped.split(" #", 1)[0])
        if words and words[0] in ("echo", "printf", "pip", "pip3", "apt-get", "poetry", "uv") and "run" not in words[:2]:
            continue  # `echo "starting gunicorn"`, `pip install gunicorn`
        launch = parse_launch(words, path, first)
        if launch:
            found.append(launch)
    return found


# -- the files that hold command lines ----------------------------------------------------------

_INSTRUCTION_RE = re.compile(r"^\s*(FROM|CMD|ENTRYPOINT)\b\s*(.*)$", re.IGNORECASE)


def dockerfile_launches(text: str, path: str) -> list[ServerLaunch]:
    """The server each stage starts: its last `ENTRYPOINT` + last `CMD` (exec or shell form), as Docker runs them."""
    found = []
    stage: dict[str, tuple[list[str], int]] = {}
    for line, instruction, rest in _instructions(text):
        if instruction == "FROM":
            found.extend(_stage_launch(stage, path))
            stage = {}
        else:
            stage[instruction] = (_instruction_argv(rest), line)
    found.extend(_stage_launch(stage, path))
    return found


def _instructions(text: str):
    for first, _, logical in logical_lines(text):
        match = _INSTRUCTION_RE.match(logical)
        if match:
            yield first, match.group(1).upper(), match.group(2)


def _stage_launch(stage: dict[str, tuple[list[str], int]], path: str) -> list[ServerLaunch]:
    entrypoint, entry_line = stage.get("ENTRYPOINT", ([], 0))
    command, command_line = stage.get("CMD", ([], 0))
    # the line named is the instruction that names the server (a CMD that only passes arguments
    # to an ENTRYPOINT server is reported at the ENTRYPOINT)
    in_entrypoint = parse_launch(entrypoint, path, entry_line) if entrypoint else None
    launch = parse_launch(entrypoint + command, path, entry_line if in_entrypoint else command_line)
    return [launch] if launch else []


def _instruction_argv(rest: str) -> list[str]:
    rest = rest.strip()
    if rest.startswith("["):
        try:
            value = json.loads(rest)
        except ValueError:
            return split_shell(rest)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return split_shell(rest)


def procfile_launches(text: str, path: str) -> list[ServerLaunch]:
    """`web: gunicorn …` lines of a Procfile."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        name, sep, command = line.partition(":")
        if not sep or line.lstrip().startswith("#") or not re.fullmatch(r"\s*[\w-]+\s*", name):
            continue
        launch = parse_launch(split_shell(command), path, number)
        if launch:
            found.append(launch)
    return found


def argv_of(value) -> list[str]:
    """A YAML `command:`/`args:` value (a list, or a string to split) as an argument vector."""
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    if isinstance(value, str):
        return split_shell(value)
    return []


# -- gcloud run deploy ----------------------------------------------------------------------------


@dataclass
class GcloudRunDeploy:
    """One `gcloud run deploy SERVICE …` (or `gcloud beta run deploy`, `gcloud run services update`).

    `timeout` is the `--timeout` value as written (None: not given; `opaque` when it is not a
    literal such as `$TIMEOUT`); `probes` maps `startup`/`liveness` to their `key=value` settings."""

    service: str
    timeout: str | None
    opaque_timeout: bool = False
    probes: dict = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.probes is None:
            self.probes = {}


#: a word standing for a value not known here (a variable of a Python argument list)
OPAQUE_WORD = "\x00"
_GCLOUD_VERBS = (("run", "deploy"), ("run", "services", "update"), ("run", "services", "replace"))


def parse_gcloud_run_deploy(words: list[str]) -> GcloudRunDeploy | None:
    """The first `gcloud [alpha|beta] run deploy` of an argument vector, with its service name,
    `--timeout` (`--timeout 60`, `--timeout=300s`, `5m`) and `--startup-probe`/`--liveness-probe`
    settings; None when the words hold no such command."""
    for index, word in enumerate(words):
        if word.rsplit("/", 1)[-1] != "gcloud":
            continue
        rest = words[index + 1 :]
        while rest and rest[0] in ("alpha", "beta") or (rest and rest[0].startswith("--") and "=" in rest[0]):
            rest = rest[1:]
        verb = next((v for v in _GCLOUD_VERBS if tuple(rest[: len(v)]) == v), None)
        if verb is None or verb[-1] == "replace":
            continue
        return _gcloud_options(_until_separator(rest[len(verb) :]))
    return None


def _gcloud_options(words: list[str]) -> GcloudRunDeploy:
    service = ""
    timeout = None
    opaque = False
    probes: dict = {}
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        if not word.startswith("-"):
            if not service and word != OPAQUE_WORD:
                service = word
            continue
        flag, eq, inline = word.partition("=")
        takes_value = not eq and index + 1 < len(words) and not words[index + 1].startswith("--")
        value = inline if eq else (words[index + 1] if takes_value else None)
        skip = takes_value and flag in ("--timeout", "--startup-probe", "--liveness-probe", "--region", "--image", "--project", "--platform")
        if flag == "--timeout" and value is not None:
            if value == OPAQUE_WORD or "$" in value or "{" in value:
                opaque = True
            else:
                timeout = value
        elif flag in ("--startup-probe", "--liveness-probe") and value and value != OPAQUE_WORD:
            settings = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
            probes[flag[2:].split("-")[0]] = settings
    return GcloudRunDeploy(service, timeout, opaque, probes)
