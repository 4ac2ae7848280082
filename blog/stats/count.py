"""Adding up: kit downloads per week and edition, what readers read before downloading,
the most read articles and the sources of readers, each counted once per reader-day.

A reader-day is one reader (see :mod:`.readers`) on one day of the site's time zone.
Bots never count. A page view is a ``GET`` of a page answered 200 or 304; a download is a
``GET`` of the kit's PDF answered 200 or 206, so the dozen range requests a phone's PDF
viewer makes for one file are one download, as is a second download the same day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from blog.stats.classify import (
    DOWNLOAD_STATUSES,
    PAGE_STATUSES,
    BotFilter,
    Referrers,
    Source,
    is_kit,
    is_page,
    normalise_path,
)
from blog.stats.editions import EditionOfDay
from blog.stats.parse import Hit, LineCount
from blog.stats.readers import ReaderKeys
from blog.stats.site import SiteFacts

EPOCH = date(1970, 1, 1)
_VIEW, _DOWNLOAD = 0, 1
_BUCKET = 900  # time zones change offset on a quarter hour at the finest


@dataclass
class Numbers:
    """Everything the report shows (counts only: no address, no key)."""

    lines: int = 0
    unreadable: int = 0
    first_day: date | None = None
    last_day: date | None = None
    bot_requests: int = 0
    bots: Counter[str] = field(default_factory=Counter)
    page_views: int = 0
    readers: int = 0
    downloads_by_week: dict[date, Counter[str]] = field(default_factory=dict)
    downloads_by_edition: Counter[str] = field(default_factory=Counter)
    download_origins: Counter[str | None] = field(default_factory=Counter)
    article_reads: Counter[str] = field(default_factory=Counter)
    sources: Counter[Source] = field(default_factory=Counter)
    source_kinds: Counter[str] = field(default_factory=Counter)
    direct: int = 0

    @property
    def downloads(self) -> int:
        return sum(self.downloads_by_edition.values())

    def weeks(self) -> list[date]:
        """Every Monday from the log's first week to its last, empty weeks included."""
        if self.first_day is None or self.last_day is None:
            return []
        monday = monday_of(self.first_day)
        weeks = []
        while monday <= self.last_day:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class _LocalDays:
    """Epoch seconds → day number in the site's time zone (offsets memoised)."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._offsets: dict[int, int] = {}

    def day(self, epoch: int) -> int:
        bucket = epoch // _BUCKET
        offset = self._offsets.get(bucket)
        if offset is None:
            moment = datetime.fromtimestamp(bucket * _BUCKET, UTC).astimezone(self.zone)
            offset = self._offsets[bucket] = int(moment.utcoffset().total_seconds())
        return (epoch + offset) // 86400


def _events(hits: Iterable[Hit], facts: SiteFacts, numbers: Numbers) -> list[tuple]:
    """People's page views and downloads, in time order: (epoch, order, reader-day,
    kind, path, referrer)."""
    bots, keys, days = BotFilter(), ReaderKeys(), _LocalDays(facts.timezone)
    events: list[tuple] = []
    first = last = None
    for order, hit in enumerate(hits):
        day = days.day(hit.epoch)
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
        bot = bots.bot_name(hit.agent)
        if bot is not None:
            numbers.bot_requests += 1
            numbers.bots[bot] += 1  # "": no user agent
            continue
        if hit.method != "GET":
            continue
        path = normalise_path(hit.target)
        if is_kit(path, facts.kit_folder):
            if hit.status not in DOWNLOAD_STATUSES:
                continue
            kind = _DOWNLOAD
        elif is_page(path) and hit.status in PAGE_STATUSES:
            kind = _VIEW
        else:
            continue
        reader_day = (day, keys.key(day, hit.address, hit.agent))
        events.append((hit.epoch, order, reader_day, kind, path, hit.referrer))
    if first is not None:
        numbers.first_day = EPOCH + timedelta(days=first)
        numbers.last_day = EPOCH + timedelta(days=last)
    events.sort(key=lambda event: (event[0], event[1]))
    return events


def count(hits: Iterable[Hit], facts: SiteFacts, lines: LineCount) -> Numbers:
    """The numbers of ``hits`` (``lines`` is filled as the hits are read)."""
    numbers = Numbers()
    events = _events(hits, facts, numbers)
    numbers.lines, numbers.unreadable = lines.lines, lines.unreadable
    referrers, editions = Referrers(facts.hosts), EditionOfDay(facts.editions)
    readers: set[tuple] = set()
    sent: set[tuple] = set()
    last_article: dict[tuple, str] = {}
    downloaded: set[tuple] = set()
    reads: set[tuple] = set()
    for _epoch, _order, reader_day, kind, path, referrer in events:
        readers.add(reader_day)
        where, what = referrers.read(referrer)
        if where == Referrers.EXTERNAL and (reader_day, what) not in sent:
            sent.add((reader_day, what))
            numbers.sources[what] += 1
            if (reader_day, what.kind) not in sent:
                sent.add((reader_day, what.kind))
                numbers.source_kinds[what.kind] += 1
        if kind == _VIEW:
            numbers.page_views += 1
            if path in facts.articles:
                last_article[reader_day] = path
                if (reader_day, path) not in reads:
                    reads.add((reader_day, path))
                    numbers.article_reads[path] += 1
            continue
        if reader_day in downloaded:
            continue
        downloaded.add(reader_day)
        day = EPOCH + timedelta(days=reader_day[0])
        edition = editions.name(day)
        numbers.downloads_by_edition[edition] += 1
        numbers.downloads_by_week.setdefault(monday_of(day), Counter())[edition] += 1
        came_from = what if where == Referrers.INTERNAL and what in facts.articles else None
        numbers.download_origins[came_from or last_article.get(reader_day)] += 1
    numbers.readers = len(readers)
    numbers.direct = len(readers - {reader_day for reader_day, _source in sent})
    return numbers
