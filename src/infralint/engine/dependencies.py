"""Which other files a lint read: the keys its cache entry is checked against."""

from __future__ import annotations

import os

from ..results import FileResult


class recording_dependencies:
    """Record the other files a lint read (project modules, project facts) into `result.deps`."""

    def __init__(self, result: FileResult, project) -> None:
        self.result, self.project = result, project

    def __enter__(self):
        from ..analysis import project_modules

        self._modules = project_modules.recording()
        self._used_modules = self._modules.__enter__()
        self._facts = self.project.recording() if self.project is not None else None
        self._used_files = self._facts.__enter__() if self._facts is not None else set()
        return self

    def __exit__(self, *exc) -> None:
        if self._facts is not None:
            self._facts.__exit__(*exc)
        self._modules.__exit__(*exc)
        deps = dict(self._used_modules)
        for path in self._used_files:
            file = self.project.files.get(path)
            if file is not None and file.digest:
                deps[str(self.project.absolute(path))] = file.digest
        own = self.project.absolute(self.result.path) if self.project is not None else os.path.abspath(self.result.path)
        deps.pop(str(own), None)
        self.result.deps = deps
