"""INF401: a requirement on real services that was commented out (decorator, call, import)."""

from __future__ import annotations

import ast
import builtins
import re
import tokenize
from typing import Iterable

from ...analysis.names import ImportMap, dotted_name
from ...finding import Edit, Finding
from ...fix_data import UncommentLines
from ..base import Rule
from .test_code import TestCode
from .commented_code import CommentedCode, CommentedCodeMap
from .disabling_notes import drop_disabling_notes, note_lines_above
from .service_words import name_matches
from .test_functions import FunctionNode, TestLayout, decorator_target

_BUILTINS = frozenset(dir(builtins))


def _module_bindings(tree: ast.Module, imports: ImportMap) -> set[str]:
    """Names bound at module level: imports anywhere, top-level defs, classes and assignments."""
    bound = set(imports.aliases)
    for stmt in ast.walk(tree):
        if isinstance(stmt, (*FunctionNode, ast.ClassDef)):
            bound.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                bound.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return bound


def _bound_by_import(candidate: CommentedCode) -> set[str]:
    """The names a commented-out import would bind if it were restored."""
    if candidate.kind == "import-item" and candidate.item:
        name, asname, _ = candidate.item
        return {asname or name}
    node = candidate.node
    if isinstance(node, ast.ImportFrom):
        return {a.asname or a.name for a in node.names if a.name != "*"}
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in node.names}
    return set()


def _root(dotted: str) -> str:
    return dotted.split(".", 1)[0]


_DIRECTIVE = re.compile(r"^(?:noqa\b|type:|pragma\b|pylint:|fmt:|isort:|nosec\b)", re.IGNORECASE)


def _quote(reasons: tuple[str, ...], prose: str | None) -> str:
    """The reason written next to the disabled code (after it, or on the prose line above it)."""
    said = [r for r in reasons if not _DIRECTIVE.match(r)]
    reason = "; ".join(filter(None, [prose, *said]))
    if not reason:
        return ""
    if len(reason) > 120:
        reason = reason[:117] + "..."
    return f' (reason given: "{reason}")'


def _after_comments(by_line: dict, line: int) -> int:
    """The first line from `line` on that is not a full-line comment: a commented requirement
    followed by more commented lines (`# @pytest.mark.slow`, a TODO) still sat above that definition."""
    while line in by_line and not by_line[line].inline:
        line += 1
    return line


class DisabledServiceRequirement(Rule):
    """INF401: `# @require_docker_services()` above a test: the test no longer needs the services."""

    code = "INF401"

    def applies_to(self, ctx) -> bool:
        """Only files with a comment line that starts like code and names a requirement (a regex
        over the text: far cheaper than tokenizing every test file for its comments)."""
        if not ctx.analysis(TestCode).is_test_code or "#" not in ctx.source.text:
            return False
        return bool(self._comment_filter().search(ctx.source.text))

    _filter: re.Pattern[str] | None = None

    def _comment_filter(self) -> re.Pattern[str]:
        if self._filter is None:
            chunks = set()
            for pattern in self.option("requirement-names"):
                pieces = [p for p in re.split(r"[*?\[\]]+", pattern.lower().rsplit(".", 1)[-1]) if p]
                if pieces:
                    chunks.add(max(pieces, key=len))
            words = "|".join(re.escape(c) for c in sorted(chunks)) or "(?!)"
            self._filter = re.compile(rf"^[ \t]*#[^\n]*?(?:{words})", re.IGNORECASE | re.MULTILINE)
        return self._filter

    def finish(self, ctx) -> Iterable[Finding]:
        commented = ctx.analysis(CommentedCodeMap)
        if not commented.candidates:
            return

        patterns = tuple(self.option("requirement-names"))
        layout = ctx.analysis(TestLayout)
        imports = ctx.analysis(ImportMap)
        bindings: set[str] | None = None
        taken: set[int] | None = None  # the lines of commented code, computed when a fix is offered
        disabled_imports = [c for c in commented.candidates if c.kind in ("import", "import-item")]
        used_imports: set[int] = set()
        findings = []
        for candidate in commented.candidates:
            if candidate.kind in ("import", "import-item"):
                continue
            described = self._describe(candidate, layout, imports, patterns)
            if described is None:
                continue
            spelled, where = described
            if bindings is None:
                bindings = _module_bindings(ctx.tree, imports)
            ranges = [(candidate.first_line, candidate.last_line)]
            root = _root(spelled)
            if root not in bindings and root not in _BUILTINS:
                provider = next((c for c in disabled_imports if root in _bound_by_import(c)), None)
                if provider is not None:
                    used_imports.add(id(provider))
                    ranges.append((provider.first_line, provider.last_line))
                else:
                    ranges = []  # restoring it would raise NameError: report without a fix
            code_lines = candidate.code.splitlines()
            shown = code_lines[0].split("  #")[0].strip() + (" …" if len(code_lines) > 1 else "")
            prose = commented.prose_above(candidate)
            who = "the test runs" if where.startswith(("above test", "in `")) else "its tests run"
            message = (
                f"`{shown}` is commented out {where}{_quote(candidate.reasons, prose)}: "
                f"{who} without the real services or resources it declared, passing against mocks "
                f"(or skipping) while those services are broken"
            )
            fix = None
            if ranges:
                if taken is None:
                    taken = {line for c in commented.candidates for line in range(c.first_line, c.last_line + 1)}
                notes = note_lines_above(ctx.source.comments_by_line, candidate.first_line, candidate.col, taken)
                fix = self.make_fix(f"Restore `{shown}`", UncommentLines(tuple(ranges), tuple(notes)))
            findings.append(self._at(ctx, candidate, message, fix))
        for candidate in disabled_imports:
            if id(candidate) in used_imports:
                continue
            names = sorted(n for n in _bound_by_import(candidate) if name_matches(n, patterns))
            if not names or any(n in imports.aliases for n in names):
                continue
            if layout.enclosing_definition(candidate.first_line) is not None:
                continue
            message = (
                f"the import of `{names[0]}` is commented out{_quote(candidate.reasons, commented.prose_above(candidate))}: "
                f"the requirement it provided is no longer applied to any test in this module, so they run without it"
            )
            findings.append(self._at(ctx, candidate, message, None))
        yield from findings

    def _at(self, ctx, candidate: CommentedCode, message: str, fix) -> Finding:
        end_col = len(ctx.source.line_text(candidate.last_line).encode("utf-8"))  # columns are UTF-8 bytes
        return self.report(ctx, (candidate.first_line, candidate.col, candidate.last_line, end_col), message, fix)

    def _describe(self, candidate: CommentedCode, layout: TestLayout, imports: ImportMap, patterns) -> tuple[str, str] | None:
        """(the requirement's spelled name, where it was) when the candidate disables a requirement."""
        node = candidate.node
        if candidate.kind == "decorator":
            target = decorator_target(node)
            spelled = dotted_name(target)
            if not spelled or not (name_matches(spelled, patterns) or name_matches(imports.qualified_name(target), patterns)):
                return None
            definition = layout.definition_at_head(_after_comments(layout.source.comments_by_line, candidate.last_line + 1))
            if definition is None or not (layout.is_test_function(definition) or layout.is_test_class(definition)):
                return None
            if any(dotted_name(decorator_target(d)) == spelled for d in definition.decorator_list):
                return None  # an older spelling kept for reference: the requirement is still active
            kind = "class" if isinstance(definition, ast.ClassDef) else "test"
            return spelled, f"above {kind} `{definition.name}`"
        if candidate.kind == "call":
            spelled = dotted_name(node.func)
            if not spelled or not (name_matches(spelled, patterns) or name_matches(imports.qualified_name(node.func), patterns)):
                return None
            owner = layout.enclosing_definition(candidate.first_line)
            if owner is None:
                return spelled, "at module level"
            if candidate.col <= owner.col_offset:
                return None
            if layout.is_test_function(owner) or layout.is_test_class(owner):
                return spelled, f"in `{owner.name}`"
            return None
        if candidate.kind == "assign":
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if targets != ["pytestmark"]:
                return None
            values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            marks = [dotted_name(decorator_target(v)) for v in values]
            hit = next((m for m in marks if m and name_matches(m, patterns)), None)
            if hit is None:
                return None
            owner = layout.enclosing_definition(candidate.first_line)
            if owner is None:
                return hit, "at module level"
            if layout.is_test_class(owner) and candidate.col > owner.col_offset:
                return hit, f"in class `{owner.name}`"
        return None

    def resolve_fix(self, finding: Finding, ctx) -> list[Edit] | None:
        from ...fixes.cst import FixNotApplicable, uncomment_lines
        from ...fixes.edits import edits_between

        restore: UncommentLines = finding.fix.data
        ranges = restore.ranges
        if not ranges:
            return None
        text = ctx.source.text
        try:
            new_text = text
            for first, last in ranges:
                new_text = uncomment_lines(new_text, first, last)
            ast.parse(new_text)
            new_text = drop_disabling_notes(new_text, ranges, restore.notes)
            ast.parse(new_text)
        except (FixNotApplicable, SyntaxError, ValueError, tokenize.TokenError):
            return None
        return edits_between(text, new_text)
