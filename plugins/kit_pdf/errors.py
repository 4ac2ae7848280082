"""The one exception a kit build raises: it names the file (and line) at fault."""

from __future__ import annotations

from pathlib import Path


class KitBuildError(Exception):
    """A kit source is broken: bad YAML, a template error, a missing or foreign font.

    The message always starts with the file at fault, then the line when known,
    as in ``kit/templates/toc.html.j2:12: unexpected '}'``.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(f"{where}{message}")
