"""A post's ``<img>`` tags as ``<picture>``: AVIF, WebP and a fallback, each a ``srcset``.

Markdown writes ``<img alt src>`` only. For every image whose file is in the content
folder (``{static}/images/x.jpg``, ``{attach}…``, a path from the site's root or from
the page), the tag becomes::

    <picture><source type="image/avif" srcset="… 368w, … 736w, …" sizes="…">
    <source type="image/webp" …><img src="…-736….jpg" srcset="…" sizes="…"
    width="736" height="552" alt="…" loading="lazy" decoding="async"></picture>

``width``/``height`` reserve the space (no layout shift), ``sizes`` says what the
theme's CSS does (:mod:`.layout`), every image but the first of a page loads lazily
(the first may be in the first screen, where lazy loading delays it). A paragraph
holding only an image becomes a ``<figure>``, the Markdown title
(``![alt](src "didascalia")``) its ``<figcaption>``; images in a WordPress gallery
(``<figure class="galleria">``) are sized for its two columns. Other images (another
site's, an SVG, an animation) keep their tag, with its size when it can be read.
"""

from __future__ import annotations

import html as html_lib
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from . import layout
from .facts import RASTER_SUFFIXES, Facts, ImageProblem
from .variants import Variant, plan

IMG = re.compile(r"<img\b[^>]*>", re.I)
ATTR = re.compile(r"""\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)"""
                  r"""(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
PLACEHOLDER = re.compile(r"^\{(static|attach|filename)\}")
LONE = re.compile(r"<p>\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)\s*</p>", re.I)
GALLERY = re.compile(r"""<figure\b[^>]*\bclass\s*=\s*["'][^"']*\bgalleria\b[^>]*>.*?</figure>""",
                     re.I | re.S)
HREF = re.compile(r"""\shref\s*=\s*["']([^"']+)["']""", re.I)
SET_BY_US = ("src", "srcset", "sizes", "width", "height", "decoding")

FactsOf = Callable[[Path], Facts]


def attributes(tag: str) -> dict[str, str]:
    """The attributes of one tag (names lower-cased, values unescaped)."""
    found = {}
    for match in ATTR.finditer(tag, 4):  # after "<img"
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        found.setdefault(match.group(1).lower(), html_lib.unescape(value))
    return found


@dataclass
class Page:
    """Where a document lives: what its relative links mean."""

    content_root: Path  # the content folder
    source_dir: Path  # the folder of the post's source
    save_as: str  # the page's file in the site ("slug/index.html")
    url_prefix: str  # what goes before a site path: ".." (relative URLs) or SITEURL
    static_roots: tuple[str, ...] = ("images",)  # site folders that only hold content files


@dataclass
class Rewritten:
    """A document's HTML with its pictures, and what the build must make for it."""

    html: str
    variants: list[Variant] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # site paths of the sources shown
    linked: set[str] = field(default_factory=set)  # site paths the page links otherwise
    photo: Facts | None = None  # the first photo (for the social card)
    needles: dict[str, str] = field(default_factory=dict)  # source file → its src here
    facts: dict[str, Facts] = field(default_factory=dict)  # source file → its facts
    problems: list[tuple[str, str]] = field(default_factory=list)  # (text to find, reason)


def locate(src: str, page: Page) -> tuple[Path, str, bool] | None:
    """``(file, site path, written with a placeholder)`` of a local ``src``; None for
    another site's image, a data URL or a file the build makes (the kit's preview)."""
    if not src or "://" in src or src.startswith(("data:", "//", "#", "mailto:")):
        return None
    placeholder = PLACEHOLDER.match(src) is not None
    path = unquote(PLACEHOLDER.sub("", src).split("#")[0].split("?")[0])
    if not path:
        return None
    root = Path(os.path.abspath(page.content_root))
    if placeholder:
        target = root / path.lstrip("/") if path.startswith("/") else page.source_dir / path
    elif path.startswith("/"):
        target = root / path.lstrip("/")
    else:  # relative to the page's address, as a browser reads it
        target = root / posixpath.dirname(page.save_as) / path
    target = Path(os.path.normpath(target))
    if not target.is_relative_to(root):
        return None
    site_path = target.relative_to(root).as_posix()
    if not placeholder and site_path.split("/", 1)[0] not in page.static_roots:
        return None  # /kit/…, /og/…: made by the build, not a content file
    return target, site_path, placeholder


def _url(page: Page, site_path: str) -> str:
    return f"{page.url_prefix.rstrip('/')}/{quote(site_path)}"


def _tag(attrs: dict[str, str], self_closing: bool = False) -> str:
    parts = []
    for name, value in attrs.items():
        parts.append(f' {name}="{html_lib.escape(value, quote=True)}"')
    return "<img" + "".join(parts) + (" />" if self_closing else ">")


def _number(value: str | None) -> int | None:
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None


class Rewriter:
    """Rewrites the images of one document."""

    def __init__(self, page: Page, facts_of: FactsOf) -> None:
        self.page = page
        self.facts_of = facts_of
        self.result = Rewritten("")
        self.count = 0
        self._found: dict[str, tuple[Path, str, Facts] | None] = {}

    def _usable(self, src: str) -> tuple[Path, str, Facts] | None:
        """The file, site path and facts of ``src`` when it becomes a picture."""
        if src in self._found:
            return self._found[src]
        found = None
        located = locate(src, self.page)
        if located is not None:
            path, site_path, placeholder = located
            if not path.is_file():
                if not placeholder:  # a {static} link: strict_links names it already
                    self.result.problems.append((src, f"immagine mancante: {site_path} "
                                                      "non esiste in content/"))
            elif path.suffix.lower() in RASTER_SUFFIXES:
                try:
                    facts = self.facts_of(path)
                except ImageProblem as problem:
                    self.result.problems.append((src, f"immagine {site_path}: {problem.reason}"))
                else:
                    found = (path, site_path, facts)
        self._found[src] = found
        return found

    def _figure(self, match: re.Match) -> str:
        inner = match.group(1)
        tag = IMG.search(inner)
        attrs = attributes(tag.group(0))
        usable = self._usable(attrs.get("src", ""))
        if usable is None or usable[2].animated:
            return match.group(0)
        caption = attrs.get("title", "").strip()
        if caption:
            inner = inner[:tag.start()] + _tag({k: v for k, v in attrs.items() if k != "title"},
                                               tag.group(0).endswith("/>")) + inner[tag.end():]
            caption = f"<figcaption>{html_lib.escape(caption, quote=False)}</figcaption>"
        return f'<figure class="foto">{inner}{caption}</figure>'

    def _picture(self, attrs: dict[str, str], usable: tuple[Path, str, Facts],
                 gallery: bool, self_closing: bool = False) -> str:
        _, site_path, facts = usable
        shape = "gallery" if gallery else "column"
        asked_w, asked_h = _number(attrs.get("width")), _number(attrs.get("height"))
        display = layout.display_width(facts.width, shape, asked_w, facts.height)
        made = plan(facts, site_path, layout.widths(display, facts.width, phone=not gallery))
        self.result.variants.extend(made)
        self.result.shown.add(site_path)
        self.result.needles.setdefault(facts.path, attrs.get("src", ""))
        self.result.facts[facts.path] = facts
        if self.result.photo is None and facts.is_photo:
            self.result.photo = facts
        sizes = layout.sizes(display, shape)
        by_format: dict[str, list[Variant]] = {}
        for variant in made:
            by_format.setdefault(variant.format, []).append(variant)
        formats = list(by_format)
        fallback = by_format[formats[-1]]

        def srcset(variants: list[Variant]) -> str:
            return ", ".join(f"{_url(self.page, v.url_path)} {v.width}w" for v in variants)

        sources = "".join(
            f'<source type="{by_format[f][0].mime}" '
            f'srcset="{html_lib.escape(srcset(by_format[f]))}" sizes="{sizes}">'
            for f in formats[:-1])
        # ``src`` is never fetched by a browser that reads ``srcset`` (every current one):
        # the source's own address, where the site has its largest variant in its own
        # format, no metadata (:mod:`.run`), for old browsers, crawlers, the static files
        # check and old addresses redirected there; a file outside the static folders has
        # no such address: its fallback of the display width.
        if site_path.split("/", 1)[0] in self.page.static_roots:
            src = _url(self.page, site_path)
        else:
            src = _url(self.page, next((v for v in fallback if v.width >= display),
                                       fallback[-1]).url_path)
        height = asked_h if asked_w and asked_h else round(display * facts.height / facts.width)
        img = {"src": src, "srcset": srcset(fallback),
               "sizes": sizes, "width": str(display), "height": str(max(1, height))}
        img.update({k: v for k, v in attrs.items() if k not in SET_BY_US})
        return f"<picture>{sources}{self._finish(img, self_closing)}</picture>"

    def _finish(self, attrs: dict[str, str], self_closing: bool = False) -> str:
        """Lazy loading (all but the first image) and async decoding."""
        self.count += 1
        if self.count > 1 and "loading" not in attrs:
            attrs["loading"] = "lazy"
        attrs.setdefault("decoding", "async")
        return _tag(attrs, self_closing)

    def _plain(self, tag: str, attrs: dict[str, str], usable) -> str:
        """An image that stays an ``<img>``: its size when known, lazy after the first."""
        if usable is not None and "width" not in attrs and "height" not in attrs:
            attrs = {**attrs, "width": str(usable[2].width), "height": str(usable[2].height)}
        return self._finish(dict(attrs), tag.endswith("/>"))

    def rewrite(self, text: str) -> Rewritten:
        """``text`` with its pictures (and what they need, in :attr:`result`)."""
        text = LONE.sub(self._figure, text)
        galleries = [m.span() for m in GALLERY.finditer(text)]

        def one(match: re.Match) -> str:
            tag = match.group(0)
            attrs = attributes(tag)
            usable = self._usable(attrs.get("src", ""))
            if usable is None or usable[2].animated or "srcset" in attrs:
                return self._plain(tag, attrs, usable)
            gallery = any(start <= match.start() < end for start, end in galleries)
            return self._picture(attrs, usable, gallery, tag.endswith("/>"))

        text = IMG.sub(one, text)
        for href in HREF.findall(text):  # an original linked on purpose, without {static}
            located = locate(html_lib.unescape(href), self.page)
            if located is not None and not located[2]:
                self.result.linked.add(located[1])
        self.result.html = text
        return self.result


def rewrite(text: str, page: Page, facts_of: FactsOf) -> Rewritten:
    """The images of ``text`` (one document's HTML) as pictures."""
    if "<img" not in text and "<IMG" not in text:
        return Rewritten(text)
    return Rewriter(page, facts_of).rewrite(text)
