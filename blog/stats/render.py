"""The report as one Italian HTML page and its stylesheet, in a folder of their own.

Nothing on the page asks anything of another site, and it holds no script, no inline
style and no ``style`` attribute: it opens from the disk, and it works as it is under the
site's Content-Security-Policy if the author ever serves it. Dates and numbers are
Italian through Babel (no system locale needed).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from blog.stats.charts import NARROW, WIDE, Column, bar_svg, columns_svg
from blog.stats.classify import KIND_LABELS, KIND_TOTALS
from blog.stats.count import Numbers
from blog.stats.site import SiteFacts

TEMPLATES = Path(__file__).parent / "templates"
PAGE, STYLESHEET, ICON, DATA = "index.html", "statistiche.css", "icona.svg", "numeri.json"
LOCALE = "it_IT"
TOP = 12


def number_it(value: int) -> str:
    """``12345`` → ``"12.345"``."""
    return format_decimal(value, locale=LOCALE)


def day_it(day: date, year: bool = True) -> str:
    """``2026-12-01`` → ``"1º dicembre 2026"`` (the ordinal on the first, as in Italian)."""
    text = format_date(day, "d MMMM y" if year else "d MMMM", locale=LOCALE)
    return text.replace("1 ", "1º ", 1) if day.day == 1 else text


def on_day_it(day: date) -> str:
    """«il 7 dicembre 2026», «l’8 dicembre 2026» (elided before a vowel sound)."""
    return f"{'l’' if day.day in (8, 11) else 'il '}{day_it(day)}"


def week_it(monday: date) -> str:
    """«12–18 ottobre», «30 novembre – 6 dicembre»."""
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{day_it(sunday, year=False)}"
    return f"{day_it(monday, year=False)} – {day_it(sunday, year=False)}"


@dataclass(frozen=True)
class Row:
    """One line of a ranking."""

    name: str
    count: str
    share: str
    bar: Markup
    href: str = ""
    tag: str = ""
    muted: bool = False


def _rows(items: Iterable[tuple[str, int, str, str]], total: int,
          rest: tuple[str, int] | None = None) -> list[Row]:
    items = list(items)
    largest = max([count for _name, count, _href, _tag in items] +
                  ([rest[1]] if rest else []), default=0)
    rows = [Row(name, number_it(count), _share(count, total), Markup(bar_svg(count, largest)),
                href, tag) for name, count, href, tag in items]
    if rest and rest[1]:
        rows.append(Row(rest[0], number_it(rest[1]), _share(rest[1], total),
                        Markup(bar_svg(rest[1], largest, "tenue")), muted=True))
    return rows


def _share(count: int, total: int) -> str:
    return format_percent(count / total, locale=LOCALE) if total else ""


def context(numbers: Numbers, facts: SiteFacts, siteurl: str,
            files: tuple[str, list[str], int], now: datetime) -> dict:
    """What the template shows, already in Italian words and numbers."""
    editions = [edition for edition in facts.editions
                if numbers.downloads_by_edition.get(edition.name)]
    names = [edition.name for edition in editions] + sorted(
        set(numbers.downloads_by_edition) - {edition.name for edition in editions})
    weeks = []
    for monday in numbers.weeks():
        counts = numbers.downloads_by_week.get(monday, {})
        covered = (min(monday + timedelta(days=6), numbers.last_day)
                   - max(monday, numbers.first_day)).days + 1
        # Series 0, the strongest colour, is the newest edition.
        newest_first = tuple(counts.get(name, 0) for name in reversed(names))
        weeks.append({"range": week_it(monday),
                      "values": [number_it(counts.get(name, 0)) for name in names],
                      "total": number_it(sum(counts.values())), "partial": covered < 7,
                      "column": Column(format_date(monday, "d MMM", locale=LOCALE),
                                       newest_first, covered < 7)})
    label = "Download del kit per settimana: i numeri sono nella tabella qui sotto"
    columns = [week["column"] for week in weeks]
    since = {edition.name: day_it(edition.since) for edition in facts.editions}
    base = siteurl.rstrip("/")
    origins = sorted(((facts.title(path), count, f"{base}{path}", "")
                      for path, count in numbers.download_origins.items() if path),
                     key=lambda item: (-item[1], item[0]))
    reads = sorted(((facts.title(path), count, f"{base}{path}", "")
                    for path, count in numbers.article_reads.items()),
                   key=lambda item: (-item[1], item[0]))[:TOP]
    sources = sorted(((source.name, count, "", KIND_LABELS[source.kind])
                      for source, count in numbers.sources.items()),
                     key=lambda item: (-item[1], item[0]))[:TOP]
    return {
        "numbers": numbers,
        "period": (day_it(numbers.first_day), day_it(numbers.last_day))
        if numbers.first_day else None,
        "downloads": number_it(numbers.downloads),
        "readers": number_it(numbers.readers),
        "reads": number_it(sum(numbers.article_reads.values())),
        "page_views": number_it(numbers.page_views),
        "editions": [{"name": name, "count": number_it(numbers.downloads_by_edition[name]),
                      "since": since.get(name, ""), "series": len(names) - 1 - index}
                     for index, name in enumerate(names)],
        "weeks": weeks,
        "any_partial": any(week["partial"] for week in weeks),
        "chart_wide": Markup(columns_svg(columns, WIDE, label, "largo")),
        "chart_narrow": Markup(columns_svg(columns, NARROW, label, "stretto")),
        "origins": _rows(origins, numbers.downloads,
                         ("Nessun articolo prima del download",
                          numbers.download_origins.get(None, 0))),
        "reads_rows": _rows(reads, sum(numbers.article_reads.values())),
        "sources": _rows(sources, numbers.readers,
                         ("Nessuna provenienza: link diretto, app o segnalibro", numbers.direct)),
        "kinds": [{"label": KIND_TOTALS[kind], "count": number_it(value),
                   "share": _share(value, numbers.readers)}
                  for kind, value in sorted(numbers.source_kinds.items(),
                                            key=lambda item: (-item[1], item[0]))],
        "direct": number_it(numbers.direct),
        "direct_share": _share(numbers.direct, numbers.readers),
        "bots": number_it(numbers.bot_requests),
        "bot_share": _share(numbers.bot_requests, numbers.lines - numbers.unreadable),
        "top_bots": ", ".join([name for name, _count in numbers.bots.most_common(7)
                               if name][:6]),
        "lines": number_it(numbers.lines),
        "unreadable": number_it(numbers.unreadable),
        "files_where": files[0],
        "files": files[1],
        "files_more": files[2],
        "made": f"{on_day_it(now.date())} alle {format_time(now, 'HH:mm', locale=LOCALE)}",
    }


def numbers_data(numbers: Numbers) -> dict:
    """The counts as plain data (``numeri.json``): to compare runs, or to check them."""
    return {
        "periodo": {"dal": str(numbers.first_day or ""), "al": str(numbers.last_day or "")},
        "righe": numbers.lines,
        "illeggibili": numbers.unreadable,
        "richieste_bot": numbers.bot_requests,
        "bot": dict(numbers.bots.most_common()),
        "lettori": numbers.readers,
        "pagine_viste": numbers.page_views,
        "download": {
            "totale": numbers.downloads,
            "per_edizione": dict(numbers.downloads_by_edition),
            "per_settimana": {str(monday): dict(counts) for monday, counts
                              in sorted(numbers.downloads_by_week.items())},
        },
        "letto_prima_del_download": {path or "": count for path, count
                                     in numbers.download_origins.most_common()},
        "articoli_letti": dict(numbers.article_reads.most_common()),
        "provenienze": {source.name: count for source, count
                        in numbers.sources.most_common()},
        "provenienze_per_tipo": dict(numbers.source_kinds.most_common()),
        "nessuna_provenienza": numbers.direct,
    }


def write_report(numbers: Numbers, facts: SiteFacts, folder: Path, *, siteurl: str,
                 files: tuple[str, list[str], int], now: datetime) -> Path:
    """Write ``index.html`` (with its stylesheet and icon) and ``numeri.json`` into
    ``folder``; return the page."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                     autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                     undefined=jinja2.StrictUndefined)
    html = environment.get_template("report.html.j2").render(
        context(numbers, facts, siteurl, files, now))
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / PAGE
    page.write_text(html, encoding="utf-8")
    for name in (STYLESHEET, ICON):
        shutil.copyfile(TEMPLATES / name, folder / name)
    (folder / DATA).write_text(json.dumps(numbers_data(numbers), ensure_ascii=False, indent=1)
                               + "\n", encoding="utf-8")
    return page
