"""Italian dates with Babel, independent of the system locale.

Pelican's own ``locale_date`` goes through ``strftime`` and silently falls back to
English when ``it_IT.UTF-8`` is missing; this plugin formats every date with Babel's
CLDR data instead and exposes the same formatting to templates as filters.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime
from pelican import signals

LOCALE = "it_IT"
DEFAULT_PATTERN = "d MMMM y"


def data_it(value: dt.date | dt.datetime | None, pattern: str = DEFAULT_PATTERN) -> str:
    """Format a date in Italian: ``27 novembre 2026`` by default."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, pattern, locale=LOCALE)
    return format_date(value, pattern, locale=LOCALE)


def iso_date(value: dt.date | dt.datetime | None) -> str:
    """ISO 8601 for ``<time datetime>`` and JSON-LD."""
    return value.isoformat() if value is not None else ""


def _add_filters(pelican) -> None:
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.setdefault("data_it", data_it)
    filters.setdefault("iso_date", iso_date)


def _localise(content) -> None:
    pattern = content.settings.get("DEFAULT_DATE_FORMAT", DEFAULT_PATTERN)
    if "%" in pattern:  # a strftime pattern from an old config: use ours
        pattern = DEFAULT_PATTERN
    if getattr(content, "date", None) is not None:
        content.locale_date = data_it(content.date, pattern)
    if getattr(content, "modified", None) is not None:
        content.locale_modified = data_it(content.modified, pattern)


def register() -> None:
    signals.initialized.connect(_add_filters)
    signals.content_object_init.connect(_localise)
