"""Reading time in Italian minutes, counted on the words a reader actually reads.

pelican-readtime (the maintained plugin) counts words of the raw HTML, so tags and
attributes add "words", and floors the minutes, so a short post reads "0 minuti".
Here the tags are removed first and the minutes are rounded up, never below one.
"""

from __future__ import annotations

import functools
import math
import re

from pelican import signals
from pelican.contents import Article

DEFAULT_WPM = 200  # silent reading of Italian prose by adults is about 190–230 words a minute
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"\w[\w’'-]*", re.UNICODE)


# A pure function's memo, not a build's state: the same text always has the same count.
# livereload rebuilds 1,000 unchanged posts at every save; counting them again was a
# tenth of its rebuild. Bounded, so a long session does not grow it without end.
@functools.lru_cache(maxsize=8192)
def count_words(html: str) -> int:
    """Words of the visible text of an HTML fragment."""
    return len(WORD.findall(TAG.sub(" ", html)))


def minutes_for(words: int, wpm: int = DEFAULT_WPM) -> int:
    """Whole minutes to read ``words`` words, rounded up, at least one."""
    return max(1, math.ceil(words / wpm))


def label(minutes: int) -> str:
    """``1 minuto di lettura`` / ``7 minuti di lettura``."""
    return f"{minutes} {'minuto' if minutes == 1 else 'minuti'} di lettura"


def add_reading_time(content) -> None:
    if not isinstance(content, Article):
        return
    wpm = int(content.settings.get("READING_TIME_WPM", DEFAULT_WPM))
    words = count_words(getattr(content, "_content", "") or "")
    content.word_count = words
    content.reading_minutes = minutes_for(words, wpm)
    content.reading_time = label(content.reading_minutes)


def register() -> None:
    signals.content_object_init.connect(add_reading_time)
