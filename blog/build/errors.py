"""The one error a build raises: a list of problems, each with file, line and reason.

Reasons are Italian and written for the author; files are relative to the project
(``content/articles/x.md``), never a temporary folder of the build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing to fix: ``content/articles/x.md:3: la data «2026-02-31» non esiste``."""

    file: str | None
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.reason}"
        if self.file:
            return f"{self.file}: {self.reason}"
        return self.reason


class BuildError(Exception):
    """A build failed; the output folder is as it was. ``str()`` is the Italian report."""

    def __init__(self, problems: Sequence[Problem] | Problem) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(dict.fromkeys(problems)) or [
            Problem(None, None, "errore sconosciuto")]
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str | None:
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def reason(self) -> str:
        return self.problems[0].reason
