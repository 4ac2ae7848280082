"""nginx's ``combined`` access-log lines, read from plain or gzip-rotated files.

The nginx sample (``deploy/nginx.conf``) sets no ``log_format``, so nginx writes its
predefined ``combined`` format::

    $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
    "$http_referer" "$http_user_agent"

nginx escapes ``"`` and ``\\`` inside the quoted fields as ``\\x22`` and ``\\x5C``, so a
quoted field never holds a bare quote. Times carry their own offset (``+0100``), which
makes the files of a server in UTC and of one in Italian time read the same.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # unrolled: 3.5 × faster than (?:a|b)*
_LINE = re.compile(
    rf"(\S+) \S+ \S+ \[([^\]]+)\] {_QUOTED} (\d{{3}}) (?:\d+|-) {_QUOTED} {_QUOTED}"
)
_TIME = re.compile(r"(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$")
_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")
GZIP_MAGIC = b"\x1f\x8b"


class Hit(NamedTuple):
    """One request as the log tells it (``epoch``: seconds since 1970, UTC)."""

    epoch: int
    address: str
    method: str
    target: str
    status: int
    referrer: str
    agent: str


@dataclass
class LineCount:
    """How many lines were read, and how many could not be understood."""

    lines: int = 0
    unreadable: int = 0


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


class _Clock:
    """``10/Oct/2026:13:55:36 +0200`` → epoch seconds, with the date part memoised."""

    def __init__(self) -> None:
        self._days: dict[str, int] = {}

    def epoch(self, text: str) -> int | None:
        match = _TIME.match(text)
        if match is None:
            return None
        day, month, year, hours, minutes, seconds, sign, off_h, off_m = match.groups()
        key = text[:11]
        days = self._days.get(key)
        if days is None:
            number = _MONTHS.get(month)
            if number is None:
                return None
            days = self._days[key] = _days_from_civil(int(year), number, int(day))
        offset = (int(off_h) * 3600 + int(off_m) * 60) * (1 if sign == "+" else -1)
        return days * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds) - offset


def unescape(text: str) -> str:
    """Undo nginx's ``\\xHH`` escapes (``\\x22`` → ``"``)."""
    if "\\x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def parse_lines(lines: Iterable[str], count: LineCount) -> Iterator[Hit]:
    """The hits of ``lines``; a line that is not ``combined`` is counted, not raised."""
    match_line = _LINE.match
    clock = _Clock()
    for line in lines:
        count.lines += 1
        match = match_line(line)
        epoch = clock.epoch(match.group(2)) if match else None
        if match is None or epoch is None:
            count.unreadable += 1
            continue
        address, _time, request, status, referrer, agent = match.groups()
        parts = request.split(" ")
        method, target = (parts[0], parts[1]) if len(parts) == 3 else ("", "")
        yield Hit(epoch, address, method, target, int(status), unescape(referrer),
                  unescape(agent))


def read_lines(path: Path) -> Iterator[str]:
    """The lines of one log file, gunzipped when it is gzip (``access.log.2.gz``)."""
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if compressed else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        for line in handle:
            yield line.rstrip("\r\n")


def read_hits(paths: Iterable[Path], count: LineCount) -> Iterator[Hit]:
    """Every hit of every file in ``paths``, file after file."""
    for path in paths:
        yield from parse_lines(read_lines(path), count)
