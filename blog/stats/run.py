"""``invoke stats`` from end to end: the logs (given, or fetched from the server), the
facts of the site, the counts, the report, and the one-line Italian summary."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from blog.build.settings import settings_file_values
from blog.paths import CACHE, PUBLISH_SETTINGS, ROOT, relative
from blog.report import plural, seconds_it
from blog.stats.count import Numbers, count
from blog.stats.fetch import REMOTE_LOGS, expand, target_logs
from blog.stats.parse import LineCount, read_hits
from blog.stats.render import number_it, write_report
from blog.stats.site import site_facts

DEFAULT_OUTPUT = CACHE / "statistiche"
SHOWN_FILES = 8


@dataclass(frozen=True)
class StatsResult:
    """The report written and what it counted."""

    page: Path
    numbers: Numbers
    files: int
    seconds: float

    def summary(self) -> str:
        numbers = self.numbers
        return (f"Statistiche: {number_it(numbers.downloads)} download del kit, "
                f"{number_it(numbers.readers)} lettori, {number_it(numbers.bot_requests)} "
                f"richieste di bot escluse ({number_it(numbers.lines)} righe da "
                f"{plural(self.files, 'file', 'file')}, {seconds_it(self.seconds)}) → "
                f"{relative(self.page)}")


def _shown(files: Sequence[Path], fetched: bool) -> tuple[str, list[str], int]:
    """Where the files were (the server, or their folders), the first names, how many
    more."""
    folders = sorted({relative(path.parent) for path in files})
    where = "dal server" if fetched else f"in {', '.join(folders)}"
    names = [path.name for path in files]
    return where, names[:SHOWN_FILES], max(0, len(names) - SHOWN_FILES)


def make_report(files: Sequence[Path], output: Path, settings: dict, *, root: Path = ROOT,
                fetched: bool = False, now: datetime | None = None) -> StatsResult:
    """Count ``files`` and write the report into ``output``."""
    started = time.perf_counter()
    facts = site_facts(root, settings)
    lines = LineCount()
    numbers = count(read_hits(files, lines), facts, lines)
    now = now or datetime.now(ZoneInfo(facts.timezone))
    page = write_report(numbers, facts, output, siteurl=str(settings.get("SITEURL") or ""),
                        files=_shown(files, fetched), now=now)
    return StatsResult(page, numbers, len(files), time.perf_counter() - started)


def stats(logs: Sequence[str] = (), output: Path | None = None,
          remote_logs: str = REMOTE_LOGS, settings_file: Path = PUBLISH_SETTINGS,
          root: Path = ROOT) -> StatsResult:
    """The report of ``logs``, or of the deploy target's server logs when none is given."""
    settings = settings_file_values(settings_file)
    output = output or DEFAULT_OUTPUT
    if logs:
        return make_report(expand(logs), output, settings, root=root)
    with tempfile.TemporaryDirectory(prefix="statistiche-log-") as folder:
        files = target_logs(settings, remote_logs, Path(folder))
        return make_report(files, output, settings, root=root,
                           fetched=str(files[0]).startswith(folder))
