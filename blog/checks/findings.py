"""What a check finds, as data: :class:`Finding`; and how the author reads it.

Every checker returns ``Finding`` objects (page, line, rule, message); nothing is
encoded in a string to be parsed again. :class:`CheckReport` turns them into the
Italian report of ``invoke check``: one block per check, the same message on many
pages (a template problem) merged into one line that names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from blog.report import plural, seconds_it


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a built site.

    ``page``: the file it is in, relative to the site (``a/index.html``), or a folder
    (``bozze/``); ``line``: 1-based, ``None`` when there is none; ``rule``: a stable
    machine name (``link``, ``anchor``, ``csp-inline-script``, an axe rule id, …);
    ``message``: Italian, without the place; ``variant``: what else qualifies the
    place (the colour scheme of an accessibility check).
    """

    page: str
    line: int | None
    rule: str
    message: str
    variant: str = ""

    @property
    def where(self) -> str:
        """``page``, ``page:12`` or ``page [dark]``."""
        place = self.page if self.line is None else f"{self.page}:{self.line}"
        return f"{place} [{self.variant}]" if self.variant else place

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def group_findings(problems: Sequence[Finding], show: int = 3) -> list[str]:
    """Merge problems that differ only by place: ``message — in 39 punti: a, b, c, …``."""
    places: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        places.setdefault((problem.rule, problem.message), []).append(problem.where)
    lines = []
    for (_rule, message), where in places.items():
        if len(where) == 1:
            lines.append(f"{where[0]}: {message}")
        else:
            shown = ", ".join(where[:show]) + (", …" if len(where) > show else "")
            lines.append(f"{message} — in {len(where)} punti: {shown}")
    return lines


@dataclass
class CheckResult:
    """One check: its Italian name, its problems, how long it took, whether it ran."""

    name: str
    problems: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""
    skipped_on_request: bool = False
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and (not self.skipped or self.skipped_on_request)


@dataclass
class CheckReport:
    """All the checks run on one site."""

    site: Path
    results: list[CheckResult] = field(default_factory=list)
    pages: int = 0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def problems(self) -> list[Finding]:
        return [p for r in self.results for p in r.problems]

    @property
    def problem_count(self) -> int:
        return sum(len(r.problems) for r in self.results)

    def result(self, name_start: str) -> CheckResult:
        """The result whose name starts with ``name_start`` (``"Accessibilità"``)."""
        return next(r for r in self.results if r.name.startswith(name_start))

    def text(self, limit: int = 30) -> str:
        """The readable report: one block per check, problems listed (first ``limit``)."""
        lines = []
        for result in self.results:
            if result.skipped:
                lines.append(f"– {result.name}: saltato ({result.skipped})")
                continue
            mark = "✓" if result.ok else "✗"
            count = "nessun problema" if result.ok else plural(
                len(result.problems), "problema", "problemi")
            note = f"; {result.note}" if result.note else ""
            lines.append(f"{mark} {result.name}: {count} ({seconds_it(result.seconds)}{note})")
            grouped = group_findings(result.problems)
            lines += [f"    {line}" for line in grouped[:limit]]
            if len(grouped) > limit:
                lines.append(f"    … e altri {len(grouped) - limit}")
        return "\n".join(lines)

    def summary(self, seconds: float) -> str:
        """One line: ``Controlli superati: 39 pagine, 6 controlli, 12,3 s``."""
        ran = [r for r in self.results if not r.skipped]
        if self.ok:
            return (f"Controlli superati: {plural(self.pages, 'pagina', 'pagine')}, "
                    f"{plural(len(ran), 'controllo', 'controlli')}, {seconds_it(seconds)}")
        failed = [r.name for r in self.results if r.problems]
        skipped = [r.name for r in self.results if r.skipped]
        text = (f"Controlli NON superati: {plural(self.problem_count, 'problema', 'problemi')} "
                f"in {', '.join(failed) or '—'}")
        if skipped:
            text += f" (saltati: {', '.join(skipped)})"
        return f"{text}, {seconds_it(seconds)}"
