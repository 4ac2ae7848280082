"""Every image a page shows reaches the reader small and sharp: ``<picture>`` with AVIF,
WebP and a fallback at the widths the theme's column needs, and nothing of the
camera's metadata.

- :mod:`.markup` turns a post's ``<img>`` into a ``<picture>`` (sizes, ``srcset``,
  ``width``/``height``, lazy loading but for the first image, figures and captions);
- :mod:`.facts` reads and checks a source image (a missing, empty or damaged file
  stops the build with the post's file and line, like a dead link);
- :mod:`.layout` knows how wide the theme shows an image, :mod:`.variants` what is
  made of it and how each file is named;
- :mod:`.pool` and :mod:`.encode` make the new variants on every core while Pelican
  renders, :mod:`.store` keeps them in ``.cache/images/`` (by the hash of the photo and
  of the settings: made once, stale ones pruned), :mod:`.strip` publishes a linked
  original without metadata;
- :mod:`.theme` gives the templates ``picture()`` for the kit's cover and thumbnails;
- :mod:`.run` is one Pelican run of all that.

Pelican glue, public signals only: ``content_object_init`` rewrites a post as it is read
(the instant preview reads posts this way); ``article_generator_finalized`` and
``page_generator_finalized`` rewrite again every post, those from Pelican's content
cache too (a photo replaced under an unchanged post), and collect what the build needs;
``get_generators`` adds :class:`ImagesGenerator` (start the work once every post is
read; publish once every page is written, and replace the originals Pelican would copy
by files without metadata); ``generator_init`` adds ``picture()``. Each post with a
photo gets ``card_photo`` (the social card may show it: ``plugins/og_image``).

Pelican and ``pelican_adapter`` are imported where they are used, never at the top: the
variants' workers import this package (:mod:`.pool`), and Pelican costs each ~0.2 s of CPU.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .facts import MEMO, ImageProblem
from .markup import Page, Rewritten, rewrite
from .run import Run, report
from .theme import ThemeImages

logger = logging.getLogger(__name__)

RUN: Run | None = None  # the Pelican run under way (None: the instant preview)
CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations", "pages", "hidden_pages", "draft_pages",
                 "draft_translations")
CARD_MIN_WIDTH = 800  # a smaller photo would be blown up on a 1200×630 card


def page_of(content: Any) -> Page:
    """Where ``content``'s page lives, for its relative links and its addresses."""
    from pelican.utils import get_relative_path

    settings = content.settings
    save_as = str(getattr(content, "save_as", "") or "")
    if settings.get("RELATIVE_URLS"):
        prefix = get_relative_path(save_as) if save_as else "."
    else:
        prefix = str(settings.get("SITEURL", ""))
    roots = tuple(str(p).strip("/").split("/", 1)[0] for p in settings.get("STATIC_PATHS", []))
    return Page(Path(settings["PATH"]), Path(content.source_path).parent, save_as, prefix,
                roots or ("images",))


def _card_photo(content: Any, result: Rewritten) -> dict[str, str] | None:
    """The photo a post's social card may show: its ``Image:`` (a WordPress import's
    featured image), else the first photo the post shows."""
    chosen = None
    image = str(content.metadata.get("image") or "").strip()
    if image:
        path = Path(content.settings["PATH"]) / image.replace("{static}", "").lstrip("/")
        try:
            chosen = MEMO.facts(path)
        except ImageProblem:
            chosen = None
    if chosen is None or not chosen.is_photo:
        chosen = result.photo
    if chosen is None or not chosen.is_photo or chosen.width < CARD_MIN_WIDTH:
        return None
    return {"path": chosen.path, "digest": chosen.digest}


def enhance_images(html: str, content_root: Path, source_dir: Path) -> str:
    """``html`` (one post at ``slug/``, relative URLs) with its pictures: for scripts and
    tests; the build goes through :func:`read` and :func:`refresh`."""
    page = Page(Path(content_root), Path(source_dir), "x/index.html", "..")
    return rewrite(html, page, MEMO.facts).html


def read(content: Any) -> None:
    """``content_object_init``: a post's pictures as it is read."""
    from pelican_adapter import raw_html, set_raw_html

    html = raw_html(content)
    if not html or "<img" not in html.lower() or not getattr(content, "source_path", None):
        return
    content.images_source_html = html
    result = rewrite(html, page_of(content), MEMO.facts)
    set_raw_html(content, result.html)
    content.card_photo = _card_photo(content, result)
    if RUN is None:  # the instant preview; in a build, refresh() reports
        for needle, reason in result.problems:
            report(content.source_path, needle, reason)


def refresh(generator: Any) -> None:
    """``*_generator_finalized``: every post's pictures from its source HTML (a post from
    Pelican's cache was rewritten with the images as they were then), collected."""
    from pelican_adapter import raw_html, set_raw_html

    for name in CONTENT_LISTS:
        for content in getattr(generator, name, None) or []:
            original = getattr(content, "images_source_html", None)
            if original is None:
                html = raw_html(content)
                if "<img" not in html.lower():
                    continue
                original = content.images_source_html = html
            result = rewrite(original, page_of(content), MEMO.facts)
            if result.html != raw_html(content):
                set_raw_html(content, result.html)
            content.card_photo = _card_photo(content, result)
            for needle, reason in result.problems:
                report(content.source_path, needle, reason)
            if RUN is not None:
                RUN.add(content.source_path, result, written=bool(content.save_as))


class ImagesGenerator:
    """The images of one Pelican run (``get_generators``)."""

    def __init__(self, context: dict[str, Any], settings: dict[str, Any], path: str,
                 theme: str, output_path: str, **_: Any) -> None:
        global RUN
        self.context = context  # other plugins expect every generator to have one
        self.settings = settings
        if RUN is not None and RUN.encoding is not None and RUN.encoding.pool is not None:
            RUN.encoding.pool.shutdown(wait=False, cancel_futures=True)  # a failed run's
        RUN = Run(settings, output_path)

    def generate_context(self) -> None:
        """Every post is read: start making what the cache lacks."""
        if RUN is not None:
            RUN.start()

    def generate_output(self, writer: Any) -> None:
        """Every page is written: the pictures into the output."""
        if RUN is not None:
            RUN.finish(self.context.get("staticfiles") or [],
                       set(self.context.get("static_links") or ()))


def _generator(pelican: Any) -> type[ImagesGenerator]:
    return ImagesGenerator


def _done(pelican: Any) -> None:
    global RUN
    RUN = None


def _picture(context: Any, url: str, width: int, height: int, sizes: str,
             shown: tuple[int, ...], alt: str = "", lazy: bool = True, **attributes: Any,
             ) -> Markup:
    theme = RUN.theme if RUN is not None else ThemeImages()
    return theme.markup(str(context.get("SITEURL", "")), url, width, height, sizes, shown,
                        alt, lazy, **attributes)


def add_picture(generator: Any) -> None:
    """``generator_init``: ``picture()`` in the templates."""
    from jinja2 import pass_context

    env = getattr(generator, "env", None)
    if env is not None:
        env.globals["picture"] = pass_context(_picture)


def register() -> None:
    from pelican import signals

    signals.content_object_init.connect(read)
    signals.article_generator_finalized.connect(refresh)
    signals.page_generator_finalized.connect(refresh)
    signals.get_generators.connect(_generator)
    signals.generator_init.connect(add_picture)
    signals.finalized.connect(_done)
