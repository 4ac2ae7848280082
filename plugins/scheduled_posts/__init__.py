"""Scheduled posts: an article dated in the future waits for its date in production.

``SCHEDULED_POSTS = "hide"`` (``publishconf.py``): an article (or hidden article) whose
date is later than *now* is taken out of the generator before Pelican builds dates,
categories, tags and authors (``article_generator_pretaxonomy``), so no page, listing,
feed, sitemap entry, search record or social card names it. ``"show"`` (the default,
development and livereload): it stays, marked ``article.scheduled`` with the Italian
date in ``article.scheduled_label`` for the «programmato per il …» badge.

Why not Pelican's ``WITH_FUTURE_DATES = False``: it makes such a post a draft, so a
draft preview would list it as a draft, it reads the wall clock only (no test can move
it), and Pelican refuses it with the default content cache layer.

*Now* is ``SCHEDULED_NOW`` (an ISO date-time, or seconds since the epoch) when the
settings give it, else ``SOURCE_DATE_EPOCH`` from the environment, else the clock. Not
the last commit's time (``REPRODUCIBLE_DATES``): the daily timer rebuilds the same
commit and must publish the post on its day. Naive dates are in ``TIMEZONE``.

Every build writes the posts it held or marked to ``<CACHE_PATH>/scheduled-posts.json``
(``invoke publish`` names the next one, ``blog/publish/pipeline.py``), and, on the wall
clock, when the first of them comes due (``rebuild_at``: an unchanged build is not
skipped after that moment).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican import signals

HELD_FILE = "scheduled-posts.json"
BADGE_PATTERN = "d MMMM y"


def _fixed_clock(settings: dict[str, Any], environ: dict[str, str] | None = None) -> Any:
    """``SCHEDULED_NOW``, else ``SOURCE_DATE_EPOCH``, as given; None: the wall clock."""
    environ = os.environ if environ is None else environ
    raw = settings.get("SCHEDULED_NOW")
    if raw in (None, ""):
        raw = environ.get("SOURCE_DATE_EPOCH", "").strip() or None
    return raw


def now_for(settings: dict[str, Any], environ: dict[str, str] | None = None) -> dt.datetime:
    """The moment a build publishes up to (aware, UTC)."""
    raw = _fixed_clock(settings, environ)
    if raw is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(raw, dt.datetime):
        moment = raw
    elif isinstance(raw, int | float) or str(raw).strip().lstrip("-").isdigit():
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    else:
        moment = dt.datetime.fromisoformat(str(raw).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(settings))
    return moment.astimezone(dt.UTC)


def _zone(settings: dict[str, Any]) -> dt.tzinfo:
    return ZoneInfo(str(settings.get("TIMEZONE") or "UTC"))


def is_scheduled(article: Any, now: dt.datetime, zone: dt.tzinfo) -> bool:
    """True when ``article`` is dated after ``now``."""
    date = getattr(article, "date", None)
    if not isinstance(date, dt.datetime):
        return False
    if date.tzinfo is None:
        date = date.replace(tzinfo=zone)
    return date > now


def _label(article: Any) -> str:
    from babel.dates import format_datetime

    return format_datetime(article.date, BADGE_PATTERN, locale="it_IT")


def held_file(settings: dict[str, Any]) -> Path:
    """Where a build lists its scheduled posts."""
    return Path(settings["CACHE_PATH"]) / HELD_FILE


def schedule(generator: Any) -> None:
    """Hold (production) or mark (development) every article dated in the future."""
    settings = generator.settings
    hide = str(settings.get("SCHEDULED_POSTS", "show")).lower() == "hide"
    now, zone = now_for(settings), _zone(settings)
    found: list[Any] = []
    for name in ("articles", "translations", "hidden_articles", "hidden_translations"):
        items = getattr(generator, name, None)
        if not isinstance(items, list):
            continue
        future = {id(a) for a in items if is_scheduled(a, now, zone)}
        for article in items:
            article.scheduled = id(article) in future
            if article.scheduled:
                article.scheduled_label = _label(article)
                found.append(article)
        if hide and future:
            items[:] = [a for a in items if id(a) not in future]
    _write_list(settings, found, hidden=hide)


def _write_list(settings: dict[str, Any], found: list[Any], *, hidden: bool) -> None:
    zone = _zone(settings)
    posts = sorted(
        ({"title": str(a.title), "date": a.date.isoformat(), "label": a.scheduled_label,
          "source": str(getattr(a, "relative_source_path", "") or ""),
          "utc": (a.date if a.date.tzinfo else a.date.replace(tzinfo=zone))
          .astimezone(dt.UTC).isoformat()} for a in found),
        key=lambda post: post["utc"])
    # On the wall clock the site changes when the first of them comes due, though no file
    # does: the build's skip-when-unchanged reads this (blog/build/fingerprint.py). A
    # fixed clock (SCHEDULED_NOW, SOURCE_DATE_EPOCH) is in the build's inputs already.
    rebuild_at = posts[0]["utc"] if posts and _fixed_clock(settings) is None else None
    target = held_file(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"hidden": hidden, "posts": posts, "rebuild_at": rebuild_at},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(target)


def register() -> None:
    signals.article_generator_pretaxonomy.connect(schedule)
