"""The rule interface: a small class per rule, fed nodes by the engine's single traversal."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..catalog import RuleEntry, load_catalog
from ..finding import Edit, Finding, Fix, FixSafety
from ..fix_data import FixData

if TYPE_CHECKING:
    from ..config import Config
    from ..context import FileContext


class Rule:
    """Base class of every rule.

    A rule names its `code` (its catalog entry supplies name, severity and options) and the ast
    node types it wants; the engine walks each tree once and calls `visit` for those nodes, then
    `finish` once per file. Rules that need a whole-file analysis ask the context for it
    (`ctx.analysis(...)`), which is computed once and shared between rules.

    `applies_to` is a cheap pre-filter (a substring test on the text, a path fact) that lets the
    engine skip a rule for a file before any work is done.
    """

    code: ClassVar[str]
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()
    #: with `ast.Call` in `node_types`: the only callee names whose calls the rule visits (the
    #: attribute of `a.b.fail(…)`; the name of `fail(…)`, as spelled or as imported); None visits
    #: every call. The engine filters before calling `visit`: most files make thousands of calls
    #: no rule cares about
    call_names: ClassVar[frozenset[str] | None] = None
    #: rules whose findings the engine itself produces (syntax errors, unused noqa)
    engine_rule: ClassVar[bool] = False
    #: names of non-Python files this rule also reads (`pytest.ini`, `tox.ini`…); discovery passes
    #: them on when `wants_config_file` says so, and the engine calls `check_config_file` for them
    config_file_names: ClassVar[frozenset[str]] = frozenset()
    #: the rule reads `ctx.project` (other files' facts): the engine runs it after the project join
    #: and keys its findings' cache entries on the files whose facts it read. Which files wait for
    #: the join: every file `applies_to` accepts, unless the rule overrides `needs_project`
    uses_project: ClassVar[bool] = False
    #: (with `uses_project`) the rule places findings in non-Python files that state facts
    #: (YAML, Terraform, nginx…): the engine calls `check_fact_file` for each after the join
    reads_fact_files: ClassVar[bool] = False

    def __init__(self, config: "Config") -> None:
        self.config = config
        self.entry: RuleEntry = load_catalog()[self.code]
        self._option_groups = {option.name: option.group for option in self.entry.options}

    @property
    def name(self) -> str:
        return self.entry.name

    def option(self, name: str) -> Any:
        """The effective value of one of this rule's catalog options."""
        return self.config.option(self._option_groups[name], name)

    # -- hooks the engine calls -------------------------------------------------------------

    def applies_to(self, ctx: "FileContext") -> bool:
        return True

    def visit(self, node: ast.AST, ctx: "FileContext") -> Iterable[Finding]:
        return ()

    def needs_project(self, project, facts) -> bool:
        """For a `uses_project` rule that overrides it: whether, given the joined project, this
        file (its `FileFacts`) must be linted again with `ctx.project`. Files are then linted in the
        pool first, and only those it selects again after the join — cheaper than making every
        file `applies_to` accepts wait for the join."""
        return True

    def finish(self, ctx: "FileContext") -> Iterable[Finding]:
        return ()

    @classmethod
    def wants_config_file(cls, path) -> bool:
        """Whether discovery should pass on this file named in `config_file_names` (cheap check)."""
        return True

    def check_config_file(self, path: str, text: str) -> Iterable[Finding]:
        """Findings for a non-Python file named in `config_file_names`, at its own path and lines."""
        return ()

    def check_fact_file(self, facts, project) -> Iterable[Finding]:
        """Findings in one non-Python file (its `FileFacts`), given the joined project."""
        return ()

    def resolve_fix(self, finding: Finding, ctx: "FileContext") -> list[Edit] | None:
        """Compute the edits of a lazily built fix (LibCST lives here); None drops the fix."""
        return finding.fix.edits if finding.fix else None

    def fix_together(self, findings: list[Finding], ctx: "FileContext") -> str | None:
        """The file's text with the fixes of all these findings applied at once, or None when the
        rule cannot (the engine then builds each fix's edits). A rule whose fixes all touch one
        place (an import block) implements this so that `--fix` needs one pass, not one per finding."""
        return None

    # -- helpers for rules ------------------------------------------------------------------

    def report(
        self,
        ctx: "FileContext",
        node: ast.AST | tuple[int, int, int, int],
        message: str,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding at a node, or at an explicit (line, col, end_line, end_col) range in characters."""
        if isinstance(node, tuple):
            line, col, end_line, end_col = node  # character columns already
        else:
            line, col = node.lineno, node.col_offset
            end_line = getattr(node, "end_lineno", None) or line
            end_col = getattr(node, "end_col_offset", None)
            end_col = col if end_col is None else end_col
            # ast counts UTF-8 bytes; findings count characters, as editors and every report show them
            col, end_col = _char_column(ctx, line, col), _char_column(ctx, end_line, end_col)
        return Finding(
            code=self.code,
            name=self.entry.name,
            message=message,
            path=ctx.display_path,
            line=line,
            col=col,
            end_line=end_line,
            end_col=end_col,
            severity=self.entry.severity,
            fix=fix,
        )

    def make_fix(self, title: str, data: FixData | None = None, *, unsafe: bool = False, edits: list[Edit] | None = None) -> Fix:
        """A fix whose edits are given now (`edits`) or built later by `resolve_fix` from `data`, a
        `fix_data` record of what to change."""
        safety = FixSafety.UNSAFE if unsafe else FixSafety.SAFE
        return Fix(safety=safety, title=title, edits=list(edits or []), data=data, resolved=edits is not None)


def _char_column(ctx: "FileContext", line: int, byte_col: int) -> int:
    """The character column of an `ast` (UTF-8 byte) column on `line`."""
    text = ctx.source.line_text(line)
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
