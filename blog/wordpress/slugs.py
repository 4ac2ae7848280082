"""Short ASCII slugs from WordPress names and titles, whatever their script.

WordPress keeps non-Latin slugs percent-encoded (``%ce%ba%ce%b1…``) and allows 200
characters; a file name of that length breaks on encrypted home folders (143 bytes)
and makes unreadable addresses. We decode, transliterate (Unidecode: Greek, Cyrillic,
accents), keep ``[a-z0-9-]`` and cut at a word boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from unidecode import unidecode

MAX_SLUG = 60
NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_slug(text: str, max_length: int = MAX_SLUG) -> str:
    """``text`` (possibly percent-encoded, any script) as a slug of at most ``max_length``."""
    decoded = unquote(text)
    slug = NOT_ALNUM.sub("-", unidecode(decoded).lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    return (cut.rsplit("-", 1)[0] if "-" in cut else cut[:max_length]).strip("-")


def title_key(title: str) -> str:
    """A title reduced to letters and digits: «un’assistente» and «un'Assistente» match."""
    return NOT_ALNUM.sub("", unidecode(title).lower())


def unique(slug: str, taken: set[str], fallback: str) -> str:
    """``slug`` (or ``fallback`` when empty) made unique against ``taken`` with -2, -3…"""
    base = slug or fallback
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        number += 1
    taken.add(candidate)
    return candidate


def reserved_segments(settings: dict, extra: Iterable[str] = ()) -> set[str]:
    """First path segments the site already uses (categoria, tag, feeds, images, …)."""
    names = {"theme", "pagefind", "isso", "bozze", "og", "feeds", "images", "extra", "wp-content"}
    for key, value in settings.items():
        if key.endswith(("_URL", "_SAVE_AS")) and isinstance(value, str) and "/" in value:
            first = value.split("/", 1)[0]
            if first and "{" not in first:
                names.add(first)
    for value in settings.get("STATIC_PATHS", []):
        names.add(str(value).split("/", 1)[0])
    for key in ("THEME_STATIC_DIR",):
        if settings.get(key):
            names.add(str(settings[key]))
    names.update(extra)
    try:  # the build's own list (plugins/reserved_paths), when the project has it
        from blog.build.settings import plugin_module

        names.update(plugin_module("reserved_paths", settings).reserved_paths(settings))
    except Exception:  # the list above still holds
        pass
    return names
