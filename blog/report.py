"""How the tasks talk to the author: numbered steps, live counters, one-line summaries.

Everything printed here is Italian, with Italian number formatting («3,1 s», «86 kB»).
Counters redraw in place on a terminal and stay quiet when the output is a pipe or a
log, so that test logs and CI logs hold only the step lines and the final summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


def decimal_it(value: float, digits: int = 1) -> str:
    """``3.14`` → ``"3,1"``."""
    return f"{value:.{digits}f}".replace(".", ",")


def seconds_it(seconds: float) -> str:
    """``3.14`` → ``"3,1 s"``; long runs as ``"2 min 05 s"``."""
    if seconds >= 120:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s"
    return f"{decimal_it(seconds)} s"


def size_it(size: int) -> str:
    """Decimal units the Italian way: «950 B», «86 kB», «1,2 MB»."""
    if size < 1000:
        return f"{size} B"
    if size < 999_500:
        return f"{round(size / 1000)} kB"
    return f"{decimal_it(size / 1_000_000)} MB"


def plural(count: int, one: str, many: str) -> str:
    """``plural(1, "pagina", "pagine")`` → ``"1 pagina"``."""
    return f"{count} {one if count == 1 else many}"


@dataclass
class Counter:
    """A live ``done/total`` counter for one step (redrawn only on a terminal)."""

    label: str
    total: int
    stream: TextIO
    done: int = 0
    _last_draw: float = field(default=0.0, repr=False)

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        if not self.stream.isatty():
            return
        now = time.perf_counter()
        if now - self._last_draw < 0.1 and self.done < self.total:
            return
        self._last_draw = now
        self.stream.write(f"\r      {self.done}/{self.total} {self.label}")
        self.stream.flush()

    def close(self) -> None:
        if self.stream.isatty() and self._last_draw:
            self.stream.write("\r" + " " * (len(self.label) + 24) + "\r")
            self.stream.flush()


class Steps:
    """Numbered steps: ``[2/5] Indicizzazione per la ricerca…`` then ``fatto in 0,4 s``."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.number = 0
        self.stream = stream or sys.stdout
        self.started = time.perf_counter()

    @contextmanager
    def step(self, title: str) -> Iterator[Steps]:
        self.number += 1
        self.say(f"[{self.number}/{self.total}] {title}…")
        began = time.perf_counter()
        yield self
        self.say(f"      fatto in {seconds_it(time.perf_counter() - began)}")

    def counter(self, label: str, total: int) -> Counter:
        return Counter(label=label, total=total, stream=self.stream)

    def say(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@dataclass(frozen=True)
class KitFacts:
    """The kit as found in a built site: pages and size of the PDF."""

    path: Path
    pages: int
    size: int

    def label(self) -> str:
        return f"kit {plural(self.pages, 'pagina', 'pagine')} {size_it(self.size)}"


def kit_facts(site: Path) -> KitFacts | None:
    """Read the kit PDF of a built site (``kit/*.pdf``), or None when there is none."""
    pdfs = sorted((site / "kit").glob("*.pdf")) if (site / "kit").is_dir() else []
    if not pdfs:
        return None
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdfs[0]))
    try:
        pages = len(document)
    finally:
        document.close()
    return KitFacts(path=pdfs[0], pages=pages, size=pdfs[0].stat().st_size)


def count_html_pages(site: Path) -> int:
    """How many HTML files ``site`` has (names only: no file is opened or stat'ed)."""
    return sum(name.endswith(".html") for _, _, files in os.walk(site) for name in files)


def site_summary(prefix: str, site: Path, seconds: float, extra: str = "", *,
                 pages: int | None = None, kit: KitFacts | bool | None = True) -> str:
    """``Sito pronto: 42 pagine HTML, kit 14 pagine 86 kB, 3,1 s`` for a built site
    (``pages`` and ``kit``: already known, not read again from ``site``)."""
    pages = count_html_pages(site) if pages is None else pages
    parts = [plural(pages, "pagina HTML", "pagine HTML")]
    kit = kit_facts(site) if kit is True else kit
    if kit is not None:
        parts.append(kit.label())
    if extra:
        parts.append(extra)
    parts.append(seconds_it(seconds))
    return f"{prefix}: {', '.join(parts)}"
