"""Cloud Run request timeouts and probes set by `gcloud run deploy`, wherever the command is written.

Cloud Run ends every request — a WebSocket included — at the service's request timeout (default
300 s, up to 3600 s: `analysis.platform_defaults.CLOUD_RUN`). Knative service YAML
(`spec.template.spec.timeoutSeconds`) and Terraform (`google_cloud_run_service`
`template.spec.timeout_seconds`, `google_cloud_run_v2_service` `template.timeout`) are read by
`kubernetes.py` and `terraform_lb.py`; this module reads the deploy command itself:

- shell scripts and any text holding shell (`deploy.sh`, a Makefile, a GitHub Actions `run:`
  block): `gcloud run deploy api --timeout 60`, `--timeout=300s`, `--timeout 5m`;
- YAML argument lists (Cloud Build `args: [run, deploy, api, --timeout, "60"]` on the gcloud
  builder, `entrypoint: gcloud`, `args: [-c, "gcloud run deploy …"]`) and the
  `google-github-actions/deploy-cloudrun` action's `flags:`;
- Python deploy scripts: argument lists (`["gcloud", "run", "deploy", name, "--timeout", "60"]`,
  a variable element stands for an unknown value) and command strings.

Each yields a `CloudRunDeploy` fact; the join turns it into the same proxy hop the Knative and
Terraform readers give (`timeout` None when `--timeout` is not a literal: never guessed), and
`--startup-probe`/`--liveness-probe` `httpGet.path=…` settings into probes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...project import Fact, PythonFile, fact_kind, file_extractor, python_extractor

#: Cloud Run probes: `timeoutSeconds` defaults to 1 s, `periodSeconds` to 10 s (as Kubernetes)
PROBE_TIMEOUT_DEFAULT = 1.0
PROBE_PERIOD_DEFAULT = 10.0
_COMMAND_RE = re.compile(r"\bgcloud\b[^\n]*\brun\b")
_DEPLOY_ACTION = "deploy-cloudrun"


@fact_kind("infra.cloud_run_deploy")
@dataclass
class CloudRunDeploy(Fact):
    """A `gcloud run deploy` command: the service, its `--timeout` as written ("" when not given),
    the line the timeout is written on, whether it is not a literal, and its probe flags."""

    service: str = ""
    timeout: str = ""
    timeout_line: int = 0
    opaque_timeout: bool = False
    probes: dict = field(default_factory=dict)
    source: str = ""


def _may_deploy(text: str) -> bool:
    return "deploy" in text and ("gcloud" in text or _DEPLOY_ACTION in text)


# -- text holding shell ---------------------------------------------------------------------------


def _logical_lines(text: str) -> Iterable[tuple[int, int, str]]:
    from ...formats.commands import logical_lines

    return logical_lines(text)


def shell_deploys(text: str, path: str, source: str) -> list[CloudRunDeploy]:
    """Every `gcloud run deploy` written as a shell command in `text` (comments skipped)."""
    from ...formats.commands import parse_gcloud_run_deploy, split_shell

    found = []
    lines = text.splitlines()
    for first, last, logical in _logical_lines(text):
        if "gcloud" not in logical or not _COMMAND_RE.search(logical) or logical.lstrip().startswith("#"):
            continue
        deploy = _command_in(logical, parse_gcloud_run_deploy, split_shell)
        if deploy is None:
            continue
        line = next((n for n in range(first, last + 1) if "--timeout" in lines[n - 1]), first)
        found.append(_fact(deploy, path, first, line, source))
    return found


def _command_in(logical: str, parse, split):
    """The `gcloud run deploy` a shell line runs: `gcloud` as a command word (after `run:` or a
    list dash in YAML), or the whole string after `-c` (`sh -c "gcloud …"`); not inside an
    `echo "…"` string."""
    words = split(logical) or logical.split()
    for index, word in enumerate(words):
        if word.rsplit("/", 1)[-1] == "gcloud":
            return parse(words[index:])
        previous = words[index - 1].strip("[,'\"") if index else ""
        if word.strip("[,'\"").startswith("gcloud ") and previous == "-c":
            return parse(split(word.strip("[,'\"")))
    return None


def _fact(deploy, path: str, line: int, timeout_line: int, source: str) -> CloudRunDeploy:
    return CloudRunDeploy(
        path, line, service=deploy.service, timeout=deploy.timeout or "", timeout_line=timeout_line if deploy.timeout or deploy.opaque_timeout else line,
        opaque_timeout=deploy.opaque_timeout, probes=deploy.probes, source=source,
    )  # fmt: skip


@file_extractor("*.sh", "*.bash", "Makefile", "*.mk", "Justfile", "justfile")
def shell_script_deploys(path: str, text: str) -> Iterable[Fact]:
    if not _may_deploy(text):
        return []
    return shell_deploys(text, path, "deploy script")


# -- YAML: Cloud Build steps, GitHub Actions workflows ------------------------------------------------


@file_extractor("*.yaml", "*.yml")
def yaml_deploys(path: str, text: str) -> Iterable[Fact]:
    if not _may_deploy(text):
        return []
    source = "GitHub Actions workflow" if "/.github/workflows/" in "/" + path.replace("\\", "/") else "Cloud Build / CI YAML"
    found = shell_deploys(text, path, source)  # `run:` blocks and `-c` strings hold shell
    from ...formats.yaml_docs import TemplatedFile, YamlSyntaxError, YMap, read_yaml

    try:
        documents = read_yaml(text, path)
    except (TemplatedFile, YamlSyntaxError):
        return found
    lines = text.splitlines()
    seen = {(f.line, f.service, f.timeout) for f in found}
    for document in documents:
        for mapping in _mappings(document, YMap):
            for fact in _mapping_deploys(mapping, path, source, lines):
                if not any(abs(fact.line - line) <= 1 and (service, timeout) == (fact.service, fact.timeout) for line, service, timeout in seen):
                    seen.add((fact.line, fact.service, fact.timeout))
                    found.append(fact)
    return found


def _mappings(node, ymap) -> Iterable:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ymap):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _mapping_deploys(mapping, path: str, source: str, lines: list[str]) -> Iterable[CloudRunDeploy]:
    from ...formats.commands import parse_gcloud_run_deploy, split_shell

    args = mapping.get("args")
    if isinstance(args, list) and args and all(isinstance(a, (str, int, float)) for a in args):
        words = [str(a) for a in args]
        builder = str(mapping.get("name", "")) + " " + str(mapping.get("entrypoint", ""))
        if "gcloud" in builder and "gcloud" not in words:
            words = ["gcloud", *words]  # the gcloud builder (or entrypoint) runs the args
        deploy = parse_gcloud_run_deploy(words)
        if deploy is not None:
            start = mapping.line_of("args")
            yield _fact(deploy, path, start, _line_after(lines, start, "--timeout"), source)
    uses = mapping.get("uses")
    if isinstance(uses, str) and _DEPLOY_ACTION in uses:
        inputs = mapping.map("with")
        flags = inputs.get("flags")
        words = ["gcloud", "run", "deploy", str(inputs.get("service", "") or "")]
        words += split_shell(flags) if isinstance(flags, str) else []
        deploy = parse_gcloud_run_deploy(words)
        if deploy is not None and not inputs.get("metadata"):  # a `metadata:` file is the Knative YAML, read on its own
            line = inputs.line_of("flags") if "flags" in inputs else mapping.line_of("uses")
            yield _fact(deploy, path, mapping.line_of("uses"), line, f"`{uses}` step")


def _line_after(lines: list[str], start: int, needle: str) -> int:
    for number in range(start, min(len(lines), start + 60) + 1):
        if needle in lines[number - 1]:
            return number
    return start


# -- Python deploy scripts ---------------------------------------------------------------------------


@python_extractor
def python_deploys(file: PythonFile) -> Iterable[Fact]:
    text = file.source.text
    if "gcloud" not in text or "deploy" not in text:
        return []
    from ...formats.commands import OPAQUE_WORD, parse_gcloud_run_deploy, split_shell

    found = []
    for node in file.nodes(ast.Call):
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            words = None
            if isinstance(argument, (ast.List, ast.Tuple)) and any(isinstance(e, ast.Constant) and e.value == "gcloud" for e in argument.elts):
                words = [str(e.value) if isinstance(e, ast.Constant) and isinstance(e.value, (str, int, float)) else OPAQUE_WORD for e in argument.elts]
            elif isinstance(argument, ast.Constant) and isinstance(argument.value, str) and "gcloud" in argument.value:
                words = split_shell(argument.value)
            elif isinstance(argument, ast.JoinedStr) and any(isinstance(v, ast.Constant) and "gcloud" in str(v.value) for v in argument.values):
                shown = "".join(str(v.value) if isinstance(v, ast.Constant) else OPAQUE_WORD for v in argument.values)
                words = split_shell(shown)
            deploy = parse_gcloud_run_deploy(words) if words else None
            if deploy is None:
                continue
            line = next((e.lineno for e in getattr(argument, "elts", ()) if isinstance(e, ast.Constant) and str(e.value).startswith("--timeout")), argument.lineno)
            found.append(_fact(deploy, file.path, node.lineno, line, "Python deploy script"))
    return found


# -- the join ------------------------------------------------------------------------------------------


def derive(facts: list[CloudRunDeploy], derived) -> None:
    """Proxy hops (the request timeout) and probes of every deploy command of the run."""
    from ...analysis.platform_defaults import CLOUD_RUN
    from ...formats.values import format_seconds, parse_duration
    from .records import Probe, ProxyHop

    default = CLOUD_RUN.request_timeout.seconds if CLOUD_RUN.request_timeout else 300.0
    for fact in facts:
        name = f"Cloud Run service {fact.service or '?'}"
        if fact.opaque_timeout:
            timeout, detail = None, "`--timeout` set from a variable"
        elif fact.timeout:
            timeout, detail = parse_duration(fact.timeout), f"`gcloud run deploy --timeout {fact.timeout}` in {fact.source}"
        else:
            timeout = default
            detail = f"`gcloud run deploy` in {fact.source} sets no --timeout: Cloud Run's default {format_seconds(default)}, unless an earlier deploy set one"
        derived.hops.append(ProxyHop(name, None, timeout, detail, False, fact.file, fact.timeout_line or fact.line))
        for kind, settings in sorted(fact.probes.items()):
            route = settings.get("httpGet.path")
            if not route:
                continue
            timeout_text = settings.get("timeoutSeconds")
            period_text = settings.get("periodSeconds")
            probe_timeout = parse_duration(timeout_text) if timeout_text else PROBE_TIMEOUT_DEFAULT
            period = parse_duration(period_text) if period_text else PROBE_PERIOD_DEFAULT
            derived.probes.append(
                Probe(
                    f"{kind}Probe", name, route, probe_timeout,
                    f"timeoutSeconds={timeout_text}" if timeout_text else f"timeoutSeconds unset; default {format_seconds(PROBE_TIMEOUT_DEFAULT)}",
                    period, f"periodSeconds={period_text}" if period_text else f"periodSeconds unset; default {format_seconds(PROBE_PERIOD_DEFAULT)}",
                    fact.file, fact.line, kind == "liveness", "kubernetes", fact.line,
                )
            )  # fmt: skip
