"""The rule catalog: one TOML file per rule in `lint_rules/`, loaded once and validated.

`lint_rules/families.toml` defines the families: the id (the package under `rules/`), the prefix
of their codes, and the options several of their rules read, each with the codes it changes. A
rule's entry lists its own options and, after them, the family options that change it.

`lint_rules/catalog.json` holds the same entries already parsed, with a digest of the TOML files
it was written from; it is used only while that digest matches, so the TOML stays the source.

The catalog is the single source of truth for rule metadata: `infralint rules`, `infralint rule
CODE`, SARIF rule descriptions, language-server hover text and the per-rule configuration options
all read it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import Any

from . import _toml

FAMILIES_NAME = "families.toml"
OPTION_TYPES = {"bool", "int", "float", "number", "str", "regex", "list[str]"}  # regex: a str checked to compile
FIX_SAFETIES = {"none", "safe", "unsafe", "sometimes"}
#: what each catalog fix safety means (a finding's own fix is always exactly safe or unsafe)
FIX_SAFETY_MEANINGS = {
    "none": "no automatic fix",
    "safe": "every fix keeps behaviour; `--fix` applies it",
    "unsafe": "every fix changes behaviour; it needs `--unsafe-fixes`",
    "sometimes": "safe for some findings, unsafe for others; each finding says which (`[*]` safe, `[*unsafe]`)",
}
SEVERITIES = {"error", "warning", "info"}
#: each rule's page, generated from this catalog into docs/rules/ (scripts/generate_rule_docs.py)
DOCS_URL = "https://github.com/infralint/infralint/blob/main/docs/rules/{code}.md"
_CODE_RE = re.compile(r"^INF\d{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class CatalogError(Exception):
    """A catalog entry is malformed (a packaging defect, reported with the file name)."""


@dataclass(frozen=True)
class RuleOption:
    group: str
    name: str
    type: str
    default: Any
    description: str
    choices: tuple[str, ...] = ()  # the accepted values of a `str` option, when it is one of a few
    #: a family option: the codes of the rules it changes (empty for a rule's own option)
    codes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.name)


@dataclass(frozen=True)
class Family:
    """A family of rules: the package `rules/<id>`, the prefix of its codes, its shared options."""

    id: str
    prefix: str
    title: str
    summary: str
    options: tuple[RuleOption, ...] = ()
    renamed_from: tuple[str, ...] = ()  # ids the family had before


@dataclass(frozen=True)
class RuleEntry:
    code: str
    name: str
    family: str
    summary: str
    what: str
    why: str
    bad_example: str
    good_example: str
    example_path: str
    example_select: tuple[str, ...]
    fix_safety: str
    fix_description: str
    default_enabled: bool
    severity: str
    options: tuple[RuleOption, ...] = field(default_factory=tuple)
    references: tuple[str, ...] = field(default_factory=tuple)
    #: other files of a multi-file example (path, text): a probe's YAML beside the handler it calls
    example_files: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def example_language(self) -> str:
        """The syntax of the bad and good examples (for highlighting)."""
        return language_of(self.example_path)

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(code=self.code)


_LANGUAGES = (
    ((".yaml", ".yml"), "yaml"),
    ((".tf", ".hcl"), "hcl"),
    ((".conf",), "nginx"),
    ((".toml",), "toml"),
    ((".ini", ".cfg"), "ini"),
    ((".json",), "json"),
    ((".js", ".jsx", ".mjs"), "javascript"),
    ((".ts", ".tsx"), "typescript"),
    ((".sh",), "sh"),
)


def language_of(path: str) -> str:
    """The syntax of an example file by its name (for highlighting): python unless it says otherwise."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith("Dockerfile") or name.endswith(".dockerfile"):
        return "dockerfile"
    if name == "Procfile":
        return "text"
    for suffixes, language in _LANGUAGES:
        if name.endswith(suffixes):
            return language
    return "python"


def catalog_dir() -> Path:
    """`lint_rules/` inside the installed package, or at the repository root in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "lint_rules", here.parent.parent / "lint_rules"):
        if candidate.is_dir():
            return candidate
    raise CatalogError(f"rule catalog not found next to {here}")


def _require(data: dict, key: str, kind: type, where: str):
    value = data.get(key)
    if not isinstance(value, kind):
        raise CatalogError(f"{where}: `{key}` must be a {kind.__name__}")
    return value


def _parse_option(raw: Any, where: str, codes: tuple[str, ...] = ()) -> RuleOption:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: an option must be a table")
    opt_where = f"{where}: option {raw.get('name')!r}"
    if raw.get("type") not in OPTION_TYPES:
        raise CatalogError(f"{opt_where}: type must be one of {sorted(OPTION_TYPES)}")
    if "default" not in raw:
        raise CatalogError(f"{opt_where}: no default")
    choices = tuple(raw.get("choices", ()))
    if choices and (raw["type"] != "str" or raw["default"] not in choices):
        raise CatalogError(f"{opt_where}: choices need type str and must include the default")
    return RuleOption(
        group=_require(raw, "group", str, opt_where),
        name=_require(raw, "name", str, opt_where),
        type=raw["type"],
        default=raw["default"],
        description=raw.get("description", ""),
        choices=choices,
        codes=codes,
    )


def parse_families(data: dict[str, Any], where: str = FAMILIES_NAME) -> dict[str, Family]:
    """The families of `families.toml` by id; ids and prefixes unique, option codes in the family."""
    families: dict[str, Family] = {}
    for raw in data.get("family", []):
        family_id = _require(raw, "id", str, where)
        fam_where = f"{where}: family {family_id!r}"
        prefix = _require(raw, "prefix", str, fam_where)
        if not re.fullmatch(r"INF\d", prefix):
            raise CatalogError(f"{fam_where}: prefix {prefix!r} is not INF followed by one digit")
        if family_id in families or any(f.prefix == prefix for f in families.values()):
            raise CatalogError(f"{fam_where}: id or prefix {prefix} defined twice")
        options = []
        for option in raw.get("options", []):
            codes = tuple(_require(option, "codes", list, f"{fam_where}: option {option.get('name')!r}"))
            if not codes or not all(isinstance(c, str) and _CODE_RE.match(c) and c.startswith(prefix) for c in codes):
                raise CatalogError(f"{fam_where}: option {option.get('name')!r}: `codes` must name rules of the family ({prefix}nn)")
            options.append(_parse_option(option, fam_where, codes))
        families[family_id] = Family(
            id=family_id,
            prefix=prefix,
            title=_require(raw, "title", str, fam_where),
            summary=_require(raw, "summary", str, fam_where),
            options=tuple(options),
            renamed_from=tuple(raw.get("renamed-from", ())),
        )
    if not families:
        raise CatalogError(f"{where}: no [[family]] tables")
    return families


def _family_of(family: str, code: str, families: dict[str, Family], where: str) -> Family:
    found = families.get(family)
    if found is None:
        renamed = [f.id for f in families.values() if family in f.renamed_from]
        if renamed:
            raise CatalogError(f"{where}: family {family!r} is now called {renamed[0]!r} (the package under rules/)")
        raise CatalogError(f"{where}: unknown family {family!r}; {FAMILIES_NAME} defines {sorted(families)}")
    if not code.startswith(found.prefix):
        raise CatalogError(f"{where}: code {code} does not belong to family {family} ({found.prefix}nn)")
    return found


def parse_entry(data: dict[str, Any], where: str, families: dict[str, Family] | None = None) -> RuleEntry:
    code = _require(data, "code", str, where)
    if not _CODE_RE.match(code):
        raise CatalogError(f"{where}: code {code!r} is not INF followed by three digits")
    name = _require(data, "name", str, where)
    if not _NAME_RE.match(name):
        raise CatalogError(f"{where}: name {name!r} is not kebab-case")
    family = _require(data, "family", str, where)
    found = _family_of(family, code, load_families() if families is None else families, where)
    explanation = _require(data, "explanation", dict, where)
    examples = _require(data, "examples", dict, where)
    fix = data.get("fix", {"safety": "none", "description": ""})
    safety = fix.get("safety", "none")
    if safety not in FIX_SAFETIES:
        raise CatalogError(f"{where}: fix.safety must be one of {sorted(FIX_SAFETIES)}")
    severity = data.get("severity", "error")
    if severity not in SEVERITIES:
        raise CatalogError(f"{where}: severity must be one of {sorted(SEVERITIES)}")
    options = [_parse_option(raw, where) for raw in data.get("options", [])]
    shared = {option.key for option in found.options}
    for option in options:
        if option.key in shared:
            raise CatalogError(f"{where}: option {option.group}.{option.name} is a family option; {FAMILIES_NAME} declares it")
    options.extend(option for option in found.options if code in option.codes)
    return RuleEntry(
        code=code,
        name=name,
        family=family,
        summary=_require(data, "summary", str, where),
        what=_require(explanation, "what", str, where),
        why=_require(explanation, "why", str, where),
        bad_example=_require(examples, "bad", str, where),
        good_example=_require(examples, "good", str, where),
        example_path=examples.get("path", "example.py"),
        example_select=tuple(examples.get("select", [code])),
        fix_safety=safety,
        fix_description=fix.get("description", ""),
        default_enabled=bool(data.get("default_enabled", True)),
        severity=severity,
        options=tuple(options),
        references=tuple(data.get("references", [])),
        example_files=tuple((str(k), str(v)) for k, v in (examples.get("files") or {}).items()),
    )


@lru_cache(maxsize=1)
def load_families() -> dict[str, Family]:
    """The families of `lint_rules/families.toml` by id."""
    return _load()[0]


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, RuleEntry]:
    """Every catalog entry by code, validated; shared option keys must agree on their type, and
    every family option changes rules that exist."""
    return _load()[1]


def _load() -> tuple[dict[str, Family], dict[str, RuleEntry]]:
    raw = _raw_entries(_catalog_sources())
    if FAMILIES_NAME not in raw:
        raise CatalogError(f"{FAMILIES_NAME} not found in {catalog_dir()}")
    families = parse_families(raw[FAMILIES_NAME])
    entries: dict[str, RuleEntry] = {}
    option_types: dict[tuple[str, str], str] = {}
    for name, data in raw.items():
        if name == FAMILIES_NAME:
            continue
        entry = parse_entry(data, name, families)
        if entry.code != name.removesuffix(".toml"):
            raise CatalogError(f"{name}: file name and code {entry.code} differ")
        for option in entry.options:
            known = option_types.setdefault(option.key, option.type)
            if known != option.type:
                raise CatalogError(f"{name}: option {option.group}.{option.name} has type {option.type}, elsewhere {known}")
        entries[entry.code] = entry
    for family in families.values():
        for option in family.options:
            missing = [code for code in option.codes if code not in entries]
            if missing:
                raise CatalogError(f"{FAMILIES_NAME}: option {option.group}.{option.name} names rules without an entry: {missing}")
    return families, entries


# -- the snapshot: the parsed catalog as JSON, which reads far faster than TOML at every start ----

SNAPSHOT_NAME = "catalog.json"


def _catalog_sources() -> list[tuple[str, bytes]]:
    folder = catalog_dir()
    paths = sorted(folder.glob("INF*.toml"))
    if (folder / FAMILIES_NAME).is_file():
        paths.append(folder / FAMILIES_NAME)
    return [(path.name, path.read_bytes()) for path in paths]


def _sources_digest(sources: list[tuple[str, bytes]]) -> str:
    digest = blake2b(digest_size=16)
    for name, data in sources:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _parsed(name: str, data: bytes) -> dict[str, Any]:
    try:
        return _toml.loads(data.decode("utf-8"))
    except (_toml.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{name}: {exc}") from exc


def _raw_entries(sources: list[tuple[str, bytes]]) -> dict[str, dict[str, Any]]:
    """File name → its parsed TOML: from the snapshot when it was written from exactly these
    files, else parsed (a stale or damaged snapshot costs time, never a wrong entry)."""
    try:
        snapshot = json.loads((catalog_dir() / SNAPSHOT_NAME).read_bytes())
    except (OSError, ValueError):
        snapshot = None
    if isinstance(snapshot, dict) and snapshot.get("digest") == _sources_digest(sources) and isinstance(snapshot.get("entries"), dict):
        return snapshot["entries"]
    return {name: _parsed(name, data) for name, data in sources}


def snapshot_text() -> str:
    """The snapshot of the catalog files as they are (`scripts/generate_rule_docs.py` writes it)."""
    sources = _catalog_sources()
    entries = {name: _parsed(name, data) for name, data in sources}
    return json.dumps({"digest": _sources_digest(sources), "entries": entries}, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def all_options() -> dict[tuple[str, str], RuleOption]:
    """Every configurable option by (group, name): the rules' own and the families'."""
    options: dict[tuple[str, str], RuleOption] = {}
    for entry in load_catalog().values():
        for option in entry.options:
            options.setdefault(option.key, option)
    return options
