"""What search engines and link previews read: absolute URLs, descriptions, JSON-LD.

* ``SITE_ABSOLUTE_URL`` (context): the site's real address. With
  ``RELATIVE_URLS = True`` Pelican rewrites ``SITEURL`` to ``..`` in every page,
  but canonical URLs, Open Graph, JSON-LD and robots.txt need absolute ones.
* ``SITE_PATH``: the site's root-relative base, for the 404 page, which the server
  sends for missing URLs at any depth (relative links would break there).
* ``|absolute`` turns a site path into an absolute URL.
* ``|meta_description`` makes a one-line, ≤160-character description from HTML.
* ``|jsonld`` serialises a dict for ``<script type="application/ld+json">``:
  ``<``, ``>`` and ``&`` become ``\\u003c`` and friends, so no value can close the
  script element, and escaped author text (``Markup``) is turned back into text.
* Feeds and sitemap (``listings``): feed language and titles, listings' ``lastmod``,
  no thin tag pages or «pagina/N» pages in the sitemap.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup
from pelican import signals

JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Markup):
        return value.striptags()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value


def jsonld(data: Mapping[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` element, safe inside HTML."""
    text = json.dumps(_plain(data), ensure_ascii=False, separators=(",", ":"), default=str)
    for char, escaped in JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(text)


def meta_description(html: str, limit: int = 160) -> str:
    """Plain text of ``html`` on one line, cut at a word boundary with an ellipsis."""
    text = " ".join(Markup(str(html)).striptags().split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—-")
    return cut + "…"


def absolute(path: str, base: str) -> str:
    """``base`` joined with a site path (``""``, ``"x/"`` or an already absolute URL)."""
    path = str(path or "")
    if path.startswith(("http://", "https://")):
        return path
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]  # the URL readers see, as in the sitemap
    return base.rstrip("/") + "/" + path.lstrip("/")


def _configure(pelican) -> None:
    settings = pelican.settings
    settings.setdefault("SITE_ABSOLUTE_URL", str(settings.get("SITEURL", "")).rstrip("/"))
    # Root-relative base ("" at a domain's root) for pages served at any depth, like 404.
    settings.setdefault("SITE_PATH", urlsplit(settings["SITE_ABSOLUTE_URL"]).path.rstrip("/"))
    filters = settings.setdefault("JINJA_FILTERS", {})
    filters.setdefault("jsonld", jsonld)
    filters.setdefault("meta_description", meta_description)
    base = settings["SITE_ABSOLUTE_URL"]
    # A partial, not a lambda: Pelican pickles the settings into its cache.
    filters.setdefault("absolute", functools.partial(absolute, base=base))


def register() -> None:
    from . import listings

    signals.initialized.connect(_configure)
    listings.register()
