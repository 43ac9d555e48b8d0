"""The language server's project model: built in the background, kept up to date file by file.

When the first document opens, every file of its project (`project.members`: the files
`infralint check` on the configuration root lints) is read for its facts — from the result cache
when it holds them — in a worker thread, a chunk at a time, with `window/workDoneProgress` reporting how far it got. The open
documents get their first diagnostics at once (from their own file alone) and are re-published
when the project is joined, so a large repository never delays them. Afterwards one file's facts
are replaced when its buffer changes, when it is saved or when it changes on disk; the open
documents whose last findings read that file (their `deps`) are re-published.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..project import FileFacts, Project
from ..results import content_digest

if TYPE_CHECKING:
    from ..engine import Linter
    from .lsp import InfralintServer

log = logging.getLogger(__name__)

CHUNK = 64  # files read per step of the background build (one progress report each)


class LspProject:
    def __init__(self, server: "InfralintServer") -> None:
        self.server = server
        self.project: Project | None = None
        self.root: Path | None = None
        self.linter: "Linter | None" = None
        self._build = None  # the build's task (or future, when started from a worker thread)
        #: open document → the files (absolute paths) its last findings were computed from
        self.depends: dict[str, set[str]] = {}

    # -- hooks the server calls -------------------------------------------------------------------

    def start(self, linter: "Linter") -> None:
        """Build the project of `linter`'s configuration root in the background (once)."""
        if self._build is not None or not getattr(linter, "project_rules", None):
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:  # a lint on a worker thread: the build runs on the server's loop
            running = None
        loop = running or self.server.event_loop
        if loop is None or loop.is_closed():  # not serving (a direct call): nothing to build on
            return
        self.linter, self.root = linter, linter.config.root
        if running is not None:
            self._build = loop.create_task(self._build_project(linter))
        else:
            self._build = asyncio.run_coroutine_threadsafe(self._build_project(linter), loop)

    def project_for(self, linter: "Linter") -> Project | None:
        """The joined project for a document linted with this linter (None until it is built)."""
        return self.project if self.project is not None and linter.config.root == self.root else None

    def linted(self, uri: str, result) -> None:
        self.depends[uri] = set(result.deps)

    def closed(self, uri: str) -> None:
        self.depends.pop(uri, None)

    def file_changed(self, path: Path | None, text: str | None = None, uri: str | None = None) -> None:
        """One file's new content (`text`: an editor buffer; None: read it from disk)."""
        if self.project is None or self.linter is None or path is None or not _has_facts(path):
            return
        shown = self._shown(path)
        if shown is None:
            return
        if path.name == "__init__.py" and self._package_changed(path.parent):
            return
        if text is None:
            try:
                data = path.read_bytes()
            except OSError:
                self.project.remove(shown)
                self._republish_dependents(path, uri)
                return
            text = data.decode("utf-8", "replace")
        self._read_again(path, shown, text)
        self._republish_dependents(path, uri)

    def _read_again(self, path: Path, shown: str, text: str, renamed: bool = False) -> None:
        """`renamed`: the module's dotted name may have changed, though its text did not."""
        digest = content_digest(text.encode("utf-8"))
        known = self.project.files.get(shown)
        if known is not None and known.digest == digest and not renamed:
            return  # nothing new (a save of what the buffer already had, a re-lint)
        facts = self.linter.facts_of_text(text, shown, digest, location=str(path))
        if facts is None:
            self.project.remove(shown)
        else:
            self.project.update(facts)

    def _package_changed(self, folder: Path) -> bool:
        """A package's `__init__.py` appeared or went: every module below the folder has a new
        dotted name, and imports resolve anew. Their facts are read again (an open document's
        from its buffer) and every open document is linted again. False when nothing changed."""
        from ..analysis import project_modules
        from ..project.registry import forget_packages, package_changed

        folder = Path(os.path.abspath(folder))
        if not package_changed(str(folder)):
            return False
        forget_packages()
        project_modules.clear_cache()
        below = self._shown(folder)
        for shown in list(self.project.files) if below is not None else []:
            if not shown.endswith((".py", ".pyi")) or not (below == "." or shown.startswith(below + "/")):
                continue
            path = Path(self.root) / shown
            text = self._current_text(path)
            if text is None:
                self.project.remove(shown)
            else:
                self._read_again(path, shown, text, renamed=True)
        marker = folder / "__init__.py"
        text = self._current_text(marker)
        if text is not None and self._shown(marker) is not None:
            self._read_again(marker, self._shown(marker), text, renamed=True)
        self.server.republish_if_changed(list(self.depends))
        return True

    def _current_text(self, path: Path) -> str | None:
        """An open document's buffer, else the file on disk (None: it is gone)."""
        uri = path.as_uri()
        if uri in self.server.tracked:
            return self.server.workspace.get_text_document(uri).source
        try:
            return path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return None

    # -- the background build ---------------------------------------------------------------------

    async def _build_project(self, linter: "Linter") -> None:
        loop = asyncio.get_running_loop()
        token = "infralint-project"
        progress = await self._create_progress(token)
        try:
            files = await loop.run_in_executor(None, self._members, linter)
            cache = await loop.run_in_executor(None, _facts_cache, linter, files)
            if progress:
                self.server.work_done_progress.begin(
                    token, types.WorkDoneProgressBegin(title="infralint: reading the project", message=f"0/{len(files)} files", percentage=0)
                )
            facts: list[FileFacts] = []
            for start in range(0, len(files), CHUNK):
                chunk = files[start:start + CHUNK]
                facts.extend(await loop.run_in_executor(None, self._read_facts, linter, chunk, cache))
                done = min(start + CHUNK, len(files))
                if progress:
                    self.server.work_done_progress.report(
                        token, types.WorkDoneProgressReport(message=f"{done}/{len(files)} files", percentage=int(100 * done / max(len(files), 1)))
                    )
            self.project = Project(facts, base=linter.config.root)
            for uri in sorted(self.server.tracked):  # open buffers are newer than the disk
                document = self.server.workspace.get_text_document(uri)
                if document.path:
                    self.file_changed(Path(document.path), document.source)
            if progress:
                self.server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"{len(files)} files"))
            # re-lint off the loop, as every lint is
            self.server.thread_pool.submit(self.server.republish_if_changed, sorted(self.server.tracked))
        except Exception:  # a failed build leaves per-file diagnostics, never a dead server
            log.exception("infralint: building the project failed")
            if progress:
                self.server.work_done_progress.end(token, types.WorkDoneProgressEnd(message="failed"))

    async def _create_progress(self, token: str) -> bool:
        capabilities = self.server.client_capabilities
        window = capabilities.window if capabilities else None
        if not (window and window.work_done_progress):
            return False
        try:
            await self.server.work_done_progress.create_async(token)
            return True
        except Exception:
            return False

    def _members(self, linter: "Linter") -> list[Path]:
        """Runs in a worker thread: the files of the project, as every entry point finds them."""
        from ..project.members import project_members, project_root

        from ..config import ConfigError

        root = project_root(linter.config, [linter.config.root]) or linter.config.root
        try:
            return project_members(linter.config, root, self.server.configs.resolver)
        except ConfigError:  # a nested configuration that does not load: this one governs every file
            return project_members(linter.config, root)

    def _read_facts(self, linter: "Linter", paths: list[Path], cache=None) -> list[FileFacts]:
        """Runs in a worker thread: only reads and parses files, never touches server state."""
        from ..engine import facts_of_files

        return facts_of_files(linter, paths, cache, shown=lambda path: self._shown(path) or str(path))

    # -- helpers ------------------------------------------------------------------------------------

    def _shown(self, path: Path) -> str | None:
        """The path relative to the root, as documents are shown (None outside the root)."""
        try:
            return path.resolve().relative_to(Path(self.root).resolve()).as_posix() if self.root else None
        except ValueError:
            return None

    def _republish_dependents(self, path: Path, changed_uri: str | None) -> None:
        key = str(path.resolve())
        dependents = [uri for uri, deps in self.depends.items() if uri != changed_uri and any(str(Path(dep).resolve()) == key for dep in deps)]
        if dependents:
            self.server.republish_if_changed(dependents)


def _facts_cache(linter: "Linter", files: list[Path]):
    from ..project.members import facts_cache

    return facts_cache(linter.config, files) if files else None


def _has_facts(path: Path) -> bool:
    """Python modules, and the other files an extractor reads (deployment configuration, clients)."""
    if path.suffix in (".py", ".pyi"):
        return True
    from ..project import wants_file

    return wants_file(path.name)
