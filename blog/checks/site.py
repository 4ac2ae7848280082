"""A built site read once: every HTML page parsed (ids, links, resources, inline code,
with line numbers), and the URL rules every checker shares.

URLs resolve as a static server and Pelican resolve them: relative, root-relative or
absolute on the site's own URL are internal; percent-encoded paths (``caff%C3%A9/``)
and fragments are decoded before looking for the file or the ``id``.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",),
    "img": ("src", "srcset"), "source": ("src", "srcset"), "script": ("src",),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "track": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",),
    "button": ("formaction",), "input": ("formaction",),
}
SKIP_SCHEMES = {"mailto", "tel", "data", "javascript", "about", "blob", "sms"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]+)\1\s*\)""")
SKIPPED_DIRS = ("pagefind",)


@dataclass(frozen=True)
class Link:
    """An URL in a page: where (``a href``), the URL as written, its line."""

    where: str
    url: str
    line: int
    rel: str = ""  # a <link>'s rel (and ``as``, for preloads): what the URL is for


@dataclass(frozen=True)
class InlineCode:
    """Code written in the page itself: a ``<script>``/``<style>`` body or an attribute."""

    kind: str  # "script", "style", "handler", "style-attr"
    line: int
    name: str  # the tag, or the attribute (``onclick``)
    body: str
    type: str = ""  # a <script>'s type attribute


@dataclass
class Page:
    """What the checkers need of one HTML page."""

    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    inline: list[InlineCode] = field(default_factory=list)
    base: str | None = None
    refresh: bool = False  # <meta http-equiv="refresh">: a redirect, not a page to read


class _PageParser(HTMLParser):
    """Collect the ids, outgoing URLs and inline code of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._raw: tuple[str, int, dict[str, str]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name: value or "" for name, value in attrs}
        page = self.page
        if "id" in values:
            page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            page.ids.add(values["name"])
        if tag == "base" and values.get("href"):
            page.base = values["href"]
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            page.refresh = True
        if tag in ("script", "style"):
            self._raw = (tag, line, values)
            self._text = []
        for name, value in values.items():
            if name.startswith("on"):
                page.inline.append(InlineCode("handler", line, name, value))
        if "style" in values:
            page.inline.append(InlineCode("style-attr", line, "style", values["style"]))
            page.links += [Link(f"{tag} style", m.group("url"), line)
                           for m in CSS_URL.finditer(values["style"])]
        rel = " ".join(values.get("rel", "").lower().split() + values.get("as", "").lower().split())
        for attr in LINK_ATTRS.get(tag, ()):
            value = values.get(attr, "").strip()
            if not value:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        page.links.append(Link(f"{tag} {attr}", url, line, rel))
            else:
                page.links.append(Link(f"{tag} {attr}", value, line, rel))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._raw:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._raw or tag != self._raw[0]:
            return
        kind, line, values = self._raw
        self._raw = None
        body = "".join(self._text)
        if kind == "style":
            self.page.links += [Link("style", m.group("url"), line) for m in CSS_URL.finditer(body)]
        if kind == "script" and "src" in values:
            return
        if body.strip():
            self.page.inline.append(
                InlineCode(kind, line, kind, body, values.get("type", "").strip().lower()))


def parse_page(text: str) -> Page:
    """Parse one HTML document."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.page


class SiteIndex:
    """Every HTML page of a site, parsed once."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.pages: dict[str, Page] = {}
        for path in sorted(site.rglob("*.html")):
            rel = path.relative_to(site)
            if not path.is_file() or rel.parts[0] in SKIPPED_DIRS:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            self.pages[rel.as_posix()] = parse_page(text)

    def ids_of(self, rel: str) -> set[str] | None:
        page = self.pages.get(rel)
        return page.ids if page else None


def page_url(rel: str) -> str:
    """Site path a browser sees for a file: ``a/index.html`` → ``/a/``."""
    url = "/" + rel
    return url[: -len("index.html")] if url.endswith("/index.html") or url == "/index.html" else url


def site_prefixes(siteurl: str | Sequence[str]) -> tuple[str, ...]:
    """Absolute forms of the site's own URL(s): links starting so are internal."""
    urls = [siteurl] if isinstance(siteurl, str) else list(siteurl)
    variants: set[str] = set()
    for url in urls:
        base = url.strip().rstrip("/")
        if not base:
            continue
        parts = urlsplit(base)
        variants.add(base)
        if parts.scheme in ("http", "https"):
            variants.add(f"//{parts.netloc}{parts.path}")
    return tuple(sorted(variants, key=len, reverse=True))


def internal_path(url: str, from_url: str, prefixes: Sequence[str]) -> tuple[str, str] | None:
    """``(site path, fragment)`` of an internal URL, percent-decoded; None if external."""
    for prefix in prefixes:
        if url == prefix or url.startswith(prefix + "/") or url.startswith(prefix + "#"):
            url = "/" + url[len(prefix):].lstrip("/")
            break
    parts = urlsplit(url)
    if parts.scheme in SKIP_SCHEMES or parts.scheme or parts.netloc:
        return None
    absolute = urlsplit(urljoin("http://site" + from_url, url))
    return absolute.path or "/", unquote(absolute.fragment)


def _spellings(path: str) -> list[str]:
    """The file names a link may mean, in Pelican's order: decoded, as written, and
    both Unicode normal forms of the decoded one (macOS writes NFD file names)."""
    decoded = unquote(path)
    names = [decoded, path,
             unicodedata.normalize("NFC", decoded), unicodedata.normalize("NFD", decoded)]
    return list(dict.fromkeys(names))


def resolve(site: Path, path: str) -> str | None:
    """The file a static server sends for ``path`` (relative to ``site``), or None."""
    for spelling in _spellings(path):
        clean = posixpath.normpath(spelling)
        if clean.startswith("/.."):
            continue
        rel = clean.lstrip("/")
        if rel.startswith(".."):
            continue
        candidate = site / rel if rel and rel != "." else site
        rel = "" if rel == "." else rel
        if spelling.endswith("/") or candidate.is_dir():
            if (candidate / "index.html").is_file():
                return f"{rel}/index.html" if rel else "index.html"
            continue
        if candidate.is_file():
            return rel
    return None
