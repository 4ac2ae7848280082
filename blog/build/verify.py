"""Before the switch: the new version holds every file the settings and the build promise.

Pelican and its plugins say what they wrote by not failing; some do not fail when they
should (a plugin that kept the state of a dead run and writes no sitemap, a tool that
exits 0 on a full disk). So the engine proves the site complete from what it *should*
hold, read from the settings and from what Pelican read (:func:`promises`): every
article, page, draft (when drafts are written), category, tag and author page, every
direct template and template page (``robots.txt``), every feed the settings name, the
sitemap when a sitemap plugin is listed and every file ``robots.txt`` names, each social
card and every file of the kit. :func:`check` then looks at each one: there, a regular
file, not empty, and for XML well formed, for PNG and JPEG whole (their first and last
bytes), for
PDF whole (``%PDF-`` … ``%%EOF``). The search index is read back by
:mod:`.search_check`.

Cost at 1,000 posts (2,052 pages, 1,001 cards): about 20 ms, one ``stat`` per page and
two small reads per image.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from blog.build.errors import Problem

SITEMAP_PLUGINS = ("fresh_sitemap", "pelican.plugins.sitemap", "sitemap")
FEEDS = ("FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM", "FEED_ALL_RSS")
TERM_FEEDS = (("categories", "CATEGORY_FEED_ATOM"), ("categories", "CATEGORY_FEED_RSS"),
              ("tags", "TAG_FEED_ATOM"), ("tags", "TAG_FEED_RSS"),
              ("authors", "AUTHOR_FEED_ATOM"), ("authors", "AUTHOR_FEED_RSS"))
CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations", "pages", "hidden_pages",
                 "hidden_translations", "draft_pages", "draft_translations")
TERMS = (("categories", "la pagina della categoria"), ("tags", "la pagina del tag"),
         ("authors", "la pagina dell’autore"))
# (start, end, what) of the images checked whole: PNG's signature and IEND chunk, JPEG's
# SOI and EOI markers.
IMAGES = {".png": (b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x00IEND\xaeB`\x82", "PNG"),
          ".jpg": (b"\xff\xd8\xff", b"\xff\xd9", "JPEG"),
          ".jpeg": (b"\xff\xd8\xff", b"\xff\xd9", "JPEG")}
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


@dataclass(frozen=True)
class Promise:
    """A file the new version must hold: its path in the site and what it is (Italian)."""

    path: str
    what: str


def promises(settings: dict[str, Any], generators: Iterable[Any]) -> list[Promise]:
    """Every file a build of ``settings`` promises, given the generators of its run."""
    generators = list(generators)
    context: dict[str, Any] = generators[0].context if generators else {}
    found: dict[str, Promise] = {}

    def add(path: Any, what: str) -> None:
        path = str(path or "").lstrip("/")
        if path and not path.endswith("/") and path not in found:
            found[path] = Promise(path, what)

    seen: set[int] = set()
    for generator in generators:
        for name in CONTENT_LISTS:
            for item in getattr(generator, name, None) or ():
                if id(item) in seen:
                    continue
                seen.add(id(item))
                add(getattr(item, "save_as", ""), f"la pagina di «{_title(item)}»")
    for name, what in TERMS:
        for term, _ in _pairs(context.get(name)):
            add(getattr(term, "save_as", ""), f"{what} «{term}»")
    for template in settings.get("DIRECT_TEMPLATES") or ():
        add(settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html"),
            f"la pagina «{template}» (DIRECT_TEMPLATES)")
    for source, dest in (settings.get("TEMPLATE_PAGES") or {}).items():
        add(dest, f"la pagina da {source} (TEMPLATE_PAGES)")
    for archives in (context.get("period_archives") or {}).values():
        for archive in archives or ():
            add(archive.get("save_as") if isinstance(archive, dict) else "", "un archivio")
    for key in FEEDS:
        add(settings.get(key), f"il feed {key}")
    for name, key in TERM_FEEDS:
        pattern = settings.get(key)
        if pattern:
            for term, _ in _pairs(context.get(name)):
                add(str(pattern).format(slug=term.slug), f"il feed {key} di «{term}»")
    if any(plugin in SITEMAP_PLUGINS for plugin in map(str, settings.get("PLUGINS") or ())):
        sitemap = settings.get("SITEMAP") or {}
        fmt = sitemap.get("format", "xml") if isinstance(sitemap, dict) else "xml"
        add(f"sitemap.{fmt}", "la mappa del sito (SITEMAP)")
    add(context.get("OG_IMAGE_DEFAULT"), "l’immagine social del sito")
    for article in context.get("articles") or ():
        add(getattr(article, "og_image", ""), f"l’immagine social di «{_title(article)}»")
    kit = context.get("KIT") or {}
    if isinstance(kit, dict):
        add(kit.get("url"), "il PDF del kit")
        add(kit.get("preview_url"), "l’anteprima del kit")
        for thumb in kit.get("thumbnails") or ():
            add(thumb.get("url"), "una miniatura del kit")
        add((kit.get("card") or {}).get("url"), "l’immagine social del kit")
    return list(found.values())


def _pairs(value: Any) -> Iterator[tuple[Any, Any]]:
    items = value.items() if isinstance(value, dict) else value or ()
    for item in items:
        if isinstance(item, tuple) and len(item) == 2:
            yield item


def _title(item: Any) -> str:
    title = str(getattr(item, "title", "") or getattr(item, "slug", "") or "?")
    return title if len(title) <= 60 else title[:57] + "…"


Locate = Callable[[str], Path | None]


def in_folder(folder: Path) -> Locate:
    """Files of a complete version: every path is looked up in ``folder``."""
    return lambda rel: folder / rel


def in_place(staging: Path, live: Path, kept: set[str]) -> Locate:
    """An in-place update: a file is the staged one, else the live one the build kept."""
    def locate(rel: str) -> Path | None:
        staged = staging / rel
        if os.path.lexists(staged):
            return staged
        return live / rel if rel in kept else None
    return locate


def check(found: Iterable[Promise], locate: Locate, output_name: str = "output",
          ) -> list[Problem]:
    """What is missing or broken among ``found``, as problems naming the file in the
    site (``output/sitemap.xml``)."""
    problems: list[Problem] = []
    found = list(found)
    named = {promise.path for promise in found}
    for promise in found:
        path = locate(promise.path)
        reason = _broken(path) if path is not None else "manca"
        if reason is None and promise.path == "robots.txt" and path is not None:
            for rel in _robots_targets(path, named):
                target = locate(rel)
                if target is None or _broken(target) is not None:
                    problems.append(Problem(f"{output_name}/{rel}", None,
                                            "manca, ma robots.txt lo indica ai motori di "
                                            "ricerca: la build non l’ha scritto"))
        if reason is not None:
            problems.append(Problem(f"{output_name}/{promise.path}", None,
                                    f"{reason}: è {promise.what}, che la build doveva "
                                    "scrivere (il sito non è stato pubblicato in "
                                    f"{output_name}/)"))
    return problems


def _robots_targets(robots: Path, named: set[str]) -> list[str]:
    """Files of this site that ``robots.txt`` names (its ``Sitemap:`` lines)."""
    try:
        text = robots.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    targets = []
    for url in _ROBOTS_SITEMAP.findall(text):
        rel = re.sub(r"^[a-z]+://[^/]+/", "", url).lstrip("/")
        if rel and rel not in named:
            targets.append(rel)
    return targets


def _broken(path: Path) -> str | None:
    """Why the file at ``path`` is not whole, or None."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "manca"
    except OSError as exc:
        return f"non si legge ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "non è un file"
    if info.st_size == 0:
        return "è vuoto"
    suffix = path.suffix.lower()
    try:
        if suffix in IMAGES:
            return _image(path, info.st_size, *IMAGES[suffix])
        if suffix == ".pdf":
            return _pdf(path, info.st_size)
        if suffix == ".xml":
            return _xml(path)
    except OSError as exc:
        return f"non si legge ({exc.strerror})"
    return None


def _ends(path: Path, size: int, head: int, tail: int) -> tuple[bytes, bytes]:
    """The first ``head`` and last ``tail`` bytes of a file of ``size`` bytes."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.pread(fd, head, 0), os.pread(fd, tail, max(0, size - tail))
    finally:
        os.close(fd)


def _image(path: Path, size: int, start: bytes, end: bytes, kind: str) -> str | None:
    first, last = _ends(path, size, len(start), len(end))
    if first != start or last != end or size <= len(start) + len(end):
        return f"non è un’immagine {kind} completa"
    return None


def _pdf(path: Path, size: int) -> str | None:
    head, tail = _ends(path, size, 5, 1024)
    if head != b"%PDF-" or b"%%EOF" not in tail:
        return "non è un PDF completo"
    return None


def _xml(path: Path) -> str | None:
    parser = expat.ParserCreate()
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as exc:
        return f"non è XML valido (riga {exc.lineno}: {expat.ErrorString(exc.code)})"
    return None


