"""Feeds and sitemap as search engines and feed readers should read them.

* Feeds declare the site's language (``xml:lang`` in Atom, ``<language>`` in RSS) and
  name a category feed «Sito – Categoria» with the site's own dash.
* The sitemap lists what deserves indexing: no thin tag pages (fewer than
  ``THIN_TAG_MIN_ARTICLES`` posts, which also say ``noindex``), no «pagina/N» pages, and
  each listing's ``lastmod`` is its newest post's date instead of the build time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from pelican import signals

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PAGED = re.compile(r"/pagina/\d+/$")
THIN_TAG_MIN_ARTICLES = 2


def _feed_generated(context: dict[str, Any], feed: Any) -> None:
    feed.feed["language"] = str(context.get("DEFAULT_LANG") or "it")
    sitename = str(context.get("SITENAME", ""))
    title = str(feed.feed.get("title", ""))
    if sitename and title.startswith(sitename + " - "):
        feed.feed["title"] = sitename + " – " + title[len(sitename) + 3 :]


def _newest(articles: Any) -> Any:
    dates = [
        getattr(a, "modified", None) or a.date
        for a in articles or ()
        if getattr(a, "date", None)
    ]
    return max(dates) if dates else None


class _Listings:
    """Newest post per listing URL, collected as pages are written (one build)."""

    def __init__(self) -> None:
        self.newest: dict[str, Any] = {}
        self.thin: set[str] = set()
        # id → (list, newest date): every page of a listing passes the same list.
        self._known: dict[int, tuple[Any, Any]] = {}

    def reset(self, *_: Any) -> None:
        self.newest = {}
        self.thin = set()
        self._known = {}

    def _newest_of(self, articles: Any) -> Any:
        known = self._known.get(id(articles))
        if known is None or known[0] is not articles:
            known = (articles, _newest(articles))
            self._known[id(articles)] = known
        return known[1]

    def written(self, path: str, context: dict[str, Any]) -> None:
        if context.get("article") or context.get("page"):
            return
        name = context.get("output_file")  # the page's file, relative to the output
        if not name:
            return
        url = re.sub(r"(^|/)index\.html$", r"\1", Path(name).as_posix())
        articles = context.get("articles")
        if context.get("tag") is not None and len(articles or ()) < THIN_TAG_MIN_ARTICLES:
            self.thin.add(url)
        newest = self._newest_of(context.get("dates") or articles)
        if newest is not None:
            self.newest[url] = newest

    def fix_sitemap(self, pelican: Any) -> None:
        sitemap = Path(pelican.output_path) / "sitemap.xml"
        if not sitemap.is_file():
            return
        ElementTree.register_namespace("", SITEMAP_NS)
        tree = ElementTree.parse(sitemap)
        root = tree.getroot()
        siteurl = str(pelican.settings.get("SITEURL", "")).rstrip("/") + "/"
        for entry in list(root):
            loc = entry.findtext(f"{{{SITEMAP_NS}}}loc") or ""
            url = loc[len(siteurl):] if loc.startswith(siteurl) else loc
            if url in self.thin or PAGED.search("/" + url):
                root.remove(entry)
                continue
            newest = self.newest.get(url)
            lastmod = entry.find(f"{{{SITEMAP_NS}}}lastmod")
            if newest is not None and lastmod is not None:
                lastmod.text = newest.isoformat(timespec="seconds")
        tree.write(sitemap, encoding="utf-8", xml_declaration=True)
        self.reset()


# One collector, emptied when a build starts: Pelican calls ``register`` once per
# ``Pelican`` object, and a long-running process (livereload) makes one per build. A
# collector per call would stay connected: every page would be collected once per build
# made so far.
_LISTINGS = _Listings()


def register() -> None:
    """Connect the feed fix and the collector (again: connecting is idempotent)."""
    signals.feed_generated.connect(_feed_generated)
    signals.initialized.connect(_LISTINGS.reset)
    signals.content_written.connect(_LISTINGS.written)
    signals.finalized.connect(_LISTINGS.fix_sitemap)
