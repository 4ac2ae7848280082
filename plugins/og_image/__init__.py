"""Open Graph images: one 1200×630 PNG per article with its title, made at build time.

pelican-ogimages pins Pillow < 13, cannot wrap long titles and redraws every image on
every build; pelican-social-cards pins Pillow < 12. This plugin draws each card with
Pillow and the OFL fonts in ``fonts/`` (:mod:`.card`), keeps it in ``.cache/og-images/``
under a hash of everything that shapes it (title, labels, fonts, design version) and, on
later builds, only copies it into the output (never a link into the cache, see
:mod:`.files`): an unchanged card is never redrawn, a damaged one is.
New cards start being drawn once every post is read, by worker processes on every core
but one while Pelican renders the pages on that one (:mod:`.drawing`); cards no page
uses any more are pruned from the cache.

Pelican glue: one :class:`CardsGenerator` per Pelican run (the ``get_generators``
signal). Its ``generate_context`` (every post read, no page rendered) gives each article
``article.og_image`` (a site path) and puts the site card ``og/sito.png``, used by every
other page, in the generators' shared context (``OG_IMAGE_DEFAULT``, ``OG_IMAGE_WIDTH``,
``OG_IMAGE_HEIGHT``); its ``generate_output`` links the cards into the output. The
settings are only read.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .card import HEIGHT, WIDTH, Card, Painter, _fit_title, fonts_digest, render
from .drawing import POOL_THRESHOLD, Drawing
from .files import is_whole, place, usable

__all__ = [
    "POOL_THRESHOLD",
    "Card",
    "CardBatch",
    "CardsGenerator",
    "Drawing",
    "Painter",
    "_fit_title",
    "ensure_card",
    "register",
    "render",
]

logger = logging.getLogger(__name__)

OUTPUT_DIR = "og"
DEFAULT_NAME = "sito"


def _plain(value: object) -> str:
    text = value.striptags() if isinstance(value, Markup) else str(value or "")
    return " ".join(text.split())


def ensure_card(card: Card, cache: Path, painter: Painter | None = None,
                fonts: str | None = None) -> tuple[Path, bool]:
    """Return the cached PNG for ``card`` and whether it had to be drawn now."""
    path = cache / f"{card.key(fonts)}.{card.suffix}"
    if path.is_file() and is_whole(path):
        return path, False
    if painter is None:
        render(card, path)
    else:
        render(card, path, painter=painter)
    return path, True


def prune(cache: Path, keep: set[str]) -> int:
    """Remove the cached cards no page uses any more; return how many."""
    removed = 0
    for path in [*cache.glob("*.png"), *cache.glob("*.jpg")]:
        if path.name not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def plan(settings: dict[str, Any], articles: list[Any]) -> dict[str, Card]:
    """The cards of a build, by output path: the site's, then one per article (named
    after its slug, set as ``article.og_image``; a JPEG beside the post's photo when
    ``plugins/content_images`` gave it a ``card_photo``: :mod:`.photo`)."""
    monogram = _plain(settings.get("AUTHOR", "?"))[:1].upper()
    cards = {f"{OUTPUT_DIR}/{DEFAULT_NAME}.png": Card(
        title=_plain(settings.get("SITESUBTITLE") or settings.get("SITENAME")),
        label=_plain(settings.get("SITENAME")),
        footer=_plain(settings.get("AUTHOR", "")),
        monogram=monogram,
    )}
    for article in articles:
        # The post's photo, when plugins/content_images found one (``card_photo``).
        photo = getattr(article, "card_photo", None) or {}
        card = Card(
            title=_plain(article.title),
            label=_plain(article.metadata.get("series") or str(article.category)),
            footer=_plain(settings.get("SITENAME", "")),
            monogram=monogram,
            photo=str(photo.get("path", "")),
            photo_digest=str(photo.get("digest", "")),
        )
        path = f"{OUTPUT_DIR}/{article.slug}.{card.suffix}"
        cards[path] = card
        article.og_image = path
    return cards


def cache_folder(settings: dict[str, Any]) -> Path:
    """``OG_IMAGE_CACHE_PATH``, else ``og-images`` beside Pelican's ``CACHE_PATH``."""
    cache = Path(settings.get("OG_IMAGE_CACHE_PATH")
                 or Path(settings["CACHE_PATH"]).parent / "og-images")
    cache.mkdir(parents=True, exist_ok=True)
    return cache


class CardBatch:
    """The cards of one build: their files in the cache, and the drawing of those missing
    (started at once)."""

    def __init__(self, cards: dict[str, Card], cache: Path, workers: int | None = None) -> None:
        fonts = fonts_digest()
        self.cards = cards
        self.cache = cache
        self.files = {rel: cache / f"{card.key(fonts)}.{card.suffix}"
                      for rel, card in cards.items()}
        good = usable(cache, self.files)  # a damaged card is drawn again
        missing = {path: cards[rel] for rel, path in self.files.items() if path not in good}
        self.drawn = len(missing)
        self.drawing = Drawing.start(missing, workers)

    def write(self, output: Path, live: Path | None = None, in_place: bool = False,
              kept: set[str] | None = None) -> None:
        """Wait for the cards being drawn, put every card into ``output`` (:func:`place`:
        copied, or taken from the ``live`` version when it has the same bytes), prune the
        cache of cards no page uses any more."""
        started = time.perf_counter()
        self.drawing.wait()
        for rel, path in self.files.items():
            try:
                place(path, output, rel, live, in_place, kept)
            except FileNotFoundError:  # pruned meanwhile by another build: draw it again
                render(self.cards[rel], path)
                place(path, output, rel, live, in_place, kept)
        pruned = prune(self.cache, {path.name for path in self.files.values()})
        logger.info(
            "og_image: %d immagini (%d disegnate, %d dalla cache, %d tolte dalla cache) "
            "in %.2f s", len(self.cards), self.drawn, len(self.cards) - self.drawn, pruned,
            time.perf_counter() - started,
        )


class CardsGenerator:
    """The social cards of one Pelican run."""

    def __init__(self, context: dict[str, Any], settings: dict[str, Any], path: str,
                 theme: str, output_path: str, **_: Any) -> None:
        self.context = context
        self.settings = settings
        self.output_path = output_path
        self.batch: CardBatch | None = None

    def generate_context(self) -> None:
        """Every post is read, no page rendered yet: plan the cards and start drawing the
        new ones on every core but one, while Pelican renders on that one."""
        cards = plan(self.settings, self.context.get("articles") or [])
        self.context["OG_IMAGE_DEFAULT"] = f"{OUTPUT_DIR}/{DEFAULT_NAME}.png"
        self.context["OG_IMAGE_WIDTH"] = WIDTH
        self.context["OG_IMAGE_HEIGHT"] = HEIGHT
        self.batch = CardBatch(cards, cache_folder(self.settings),
                               workers=max(1, (os.cpu_count() or 1) - 1))

    def generate_output(self, writer: Any) -> None:
        """Every card into the output (waiting for those being drawn)."""
        assert self.batch is not None, "generate_context comes first"
        build = self.settings.get("BUILD_CONTEXT")  # the build engine's, if any
        self.batch.write(Path(self.output_path), getattr(build, "live", None),
                         bool(getattr(build, "in_place", False)),
                         getattr(build, "kept_files", None))


def cards_generator(pelican: Any) -> type[CardsGenerator]:
    """``get_generators``: this run's cards are a generator of their own."""
    return CardsGenerator


def register() -> None:
    """Give every Pelican run the cards' generator."""
    from pelican import signals

    signals.get_generators.connect(cards_generator)
