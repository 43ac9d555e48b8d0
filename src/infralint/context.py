"""Per-file state shared by the rules during one lint of one file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .config import Config
from .source import SourceFile

if TYPE_CHECKING:
    from .project.model import Project

T = TypeVar("T")


class FileContext:
    """What a rule sees of the file being linted: the source, the config, shared analyses."""

    def __init__(self, source: SourceFile, config: Config, display_path: str, project: "Project | None" = None) -> None:
        self.source = source
        self.config = config
        self.display_path = display_path
        #: every file's facts joined (only for rules with `uses_project`; None for a lone file)
        self.project = project
        self._analyses: dict[Any, Any] = {}

    @property
    def tree(self):
        return self.source.tree

    def analysis(self, factory: Callable[[SourceFile], T]) -> T:
        """A shared analysis of this file (scopes, constants, …), computed once for all rules."""
        if factory not in self._analyses:
            self._analyses[factory] = factory(self.source)
        return self._analyses[factory]

    def forget_analyses(self) -> None:
        """Drop the analyses computed so far (a context kept for later holds only its parse)."""
        self._analyses.clear()
