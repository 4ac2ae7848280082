"""Refuse a post, page or static file whose address is one the build itself uses.

A post with ``Slug: pagefind`` was written to ``pagefind/index.html`` and then deleted
when the search index replaced that folder: the build exited 0 and the listings linked
a page that did not exist. The same goes for ``feeds/``, ``theme/``, ``kit/``, ``og/``,
``bozze/``, ``isso/``, ``tag/``, ``pagina/``…

The reserved names come from the settings (every literal first folder of a ``*_SAVE_AS``,
the feeds, ``THEME_STATIC_DIR``, ``KIT_OUTPUT``, the social cards' folder, pagination,
``TEMPLATE_PAGES``) plus the folders tools write after Pelican (``TOOL_PATHS``, which
``RESERVED_PATHS = {"nome": "motivo"}`` in the settings extends). Once every generator
has read its content, and before anything is written, the build stops with one Italian
line per clash naming the source file and the line of its ``Slug:``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from pelican import signals

logger = logging.getLogger(__name__)

# Written by build steps outside Pelican, or served by other programs on the same origin.
TOOL_PATHS = {
    "pagefind": "l’indice della ricerca, Pagefind",
    "isso": "i commenti, Isso",
    "bozze": "l’anteprima delle bozze",
    "sitemap.xml": "la mappa del sito",
    "_headers": "le intestazioni di sicurezza",
    "_redirects": "i reindirizzamenti",
}
SAVE_AS_REASONS = {
    "CATEGORY": "le pagine delle categorie",
    "CATEGORIES": "l’elenco delle categorie",
    "TAG": "le pagine dei tag",
    "TAGS": "l’elenco dei tag",
    "AUTHOR": "le pagine degli autori",
    "AUTHORS": "l’elenco degli autori",
    "ARCHIVES": "l’archivio",
    "DRAFT": "l’anteprima delle bozze",
    "DRAFT_PAGE": "l’anteprima delle bozze",
    "FOUROHFOUR": "la pagina «non trovata»",
}
FEED_SETTING = re.compile(r"^(\w+_)?FEED_(ATOM|RSS)$|^FEED_ALL_(ATOM|RSS)$")


class ReservedPathError(Exception):
    """A source's address clashes with one the build uses; the message is Italian."""


def _first(path: str) -> str | None:
    """First segment of an output path, or None when it is a placeholder."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first and "{" not in first else None


def reserved_paths(settings: Mapping) -> dict[str, str]:
    """``{first path segment or file: what the build puts there}`` for these settings."""
    reserved: dict[str, str] = {}

    def add(path: object, reason: str) -> None:
        if isinstance(path, str) and (first := _first(path)):
            reserved.setdefault(first, reason)

    for name, value in settings.items():
        if name.endswith("_SAVE_AS") and name not in ("ARTICLE_SAVE_AS", "PAGE_SAVE_AS"):
            add(value, SAVE_AS_REASONS.get(name[: -len("_SAVE_AS")],
                                           "una pagina che la build genera da sé"))
        elif FEED_SETTING.match(name):
            add(value, "i feed")
    for _, url, _save_as in settings.get("PAGINATION_PATTERNS") or ():
        if url.startswith("{base_name}/"):
            add(url[len("{base_name}/"):], "le pagine successive della home")
    for output in (settings.get("TEMPLATE_PAGES") or {}).values():
        add(output, "una pagina che la build genera da sé")
    add(settings.get("THEME_STATIC_DIR", "theme"), "i file del tema")
    add(settings.get("KIT_OUTPUT", "kit"), "il kit in PDF")
    add(os.path.dirname(settings.get("OG_IMAGE_DEFAULT") or "og/sito.png"),
        "le immagini per i social")
    for name, reason in {**TOOL_PATHS, **(settings.get("RESERVED_PATHS") or {})}.items():
        add(name, reason)
    return reserved


TEXT_SOURCES = (".md", ".markdown", ".mkd", ".rst", ".html", ".htm")


def _line_of(source: Path, key: str) -> int | None:
    """Line of the ``Key:`` line in the front matter (up to the first blank line)."""
    if source.suffix.lower() not in TEXT_SOURCES:
        return None
    pattern = re.compile(rf"^\s*{key}\s*:", re.IGNORECASE)
    try:
        with source.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    return None
                if pattern.match(line):
                    return number
    except OSError:
        return None
    return None


def clashes(items: Iterable[tuple[object, str]],
            reserved: Mapping[str, str]) -> list[tuple[str, int | None, str]]:
    """``(source file, line, Italian reason)`` for every ``(content, output path)`` whose
    first segment is reserved; the line is the one of ``Save_as:``, ``Slug:`` or ``Title:``."""
    problems = []
    for content, path in items:
        first = _first(path) if path else None
        if first not in reserved:
            continue
        source = getattr(content, "source_path", None) or "?"
        line = next((found for key in ("save_as", "slug", "title")
                     if (found := _line_of(Path(source), key))), None)
        fix = ("cambia lo Slug" if Path(source).suffix.lower() in TEXT_SOURCES
               else "sposta o rinomina il file")
        reason = (f"l’indirizzo «{path.removesuffix('index.html')}» è riservato alla "
                  f"build ({reserved[first]}): {fix}")
        problems.append((source, line, reason))
    return problems


def _outputs(generators) -> Iterable[tuple[object, str]]:
    """``(content, output path)`` of everything the generators will write or link."""
    for generator in generators:
        for name in ("articles", "translations", "hidden_articles", "hidden_translations",
                     "pages", "hidden_pages", "staticfiles"):
            for content in getattr(generator, name, None) or []:
                yield content, content.save_as
        # Drafts: the address they will have once published (their own may be bozze/…).
        for name, setting in (("drafts", "ARTICLE_SAVE_AS"), ("draft_pages", "PAGE_SAVE_AS")):
            for draft in getattr(generator, name, None) or []:
                pattern = draft.metadata.get("save_as") or generator.settings[setting]
                try:
                    yield draft, pattern.format(**draft.url_format)
                except (KeyError, IndexError, ValueError):
                    continue


def check(generators) -> None:
    generators = list(generators)
    if not generators:
        return
    problems = clashes(_outputs(generators), reserved_paths(generators[0].settings))
    for source, line, reason in problems:
        where = f"{os.path.relpath(source)}:{line}" if line else os.path.relpath(source)
        logger.error("%s: %s", where, reason,
                     extra={"problem": {"file": source, "line": line, "reason": reason}})
    if problems:
        source, line, reason = problems[0]
        where = f"{os.path.relpath(source)}:{line}" if line else os.path.relpath(source)
        raise ReservedPathError(f"{where}: {reason}")


def register() -> None:
    signals.all_generators_finalized.connect(check)
