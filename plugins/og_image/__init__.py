"""Open Graph images: one 1200×630 PNG per article with its title, made at build time.

pelican-ogimages pins Pillow < 13, cannot wrap long titles and redraws every image on
every build; pelican-social-cards pins Pillow < 12. This plugin draws each card with
Pillow and the OFL fonts in ``fonts/``, keeps it in ``.cache/og-images/`` under a
hash of everything that shapes it (title, labels, fonts, design version) and, on
later builds, only copies it: an unchanged card is never redrawn.

Articles get ``article.og_image`` (a site path); every other page uses the site card
``og/sito.png`` (``OG_IMAGE_DEFAULT`` in the context).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from pelican import signals

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
DESIGN_VERSION = 3
FONTS = Path(__file__).resolve().parent / "fonts"
TITLE_FONT = FONTS / "source-serif-4-latin-600-normal.woff2"
LABEL_FONT = FONTS / "fira-sans-latin-600-normal.woff2"
TEXT_FONT = FONTS / "fira-sans-latin-400-normal.woff2"

PAPER = "#fbf6ee"
INK = "#1f2328"
ACCENT = "#8a3b12"
MUTED = "#5b5148"
MARGIN = 88
OUTPUT_DIR = "og"
DEFAULT_NAME = "sito"


@dataclass(frozen=True)
class Card:
    """Everything that appears on one card."""

    title: str
    label: str
    footer: str
    monogram: str

    def key(self) -> str:
        fonts = hashlib.sha256()
        for font in (TITLE_FONT, LABEL_FONT, TEXT_FONT):
            fonts.update(font.read_bytes())
        payload = json.dumps(
            [DESIGN_VERSION, WIDTH, HEIGHT, self.title, self.label, self.footer,
             self.monogram, fonts.hexdigest()],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _plain(value: object) -> str:
    text = value.striptags() if isinstance(value, Markup) else str(value or "")
    return " ".join(text.split())


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _fit_title(draw, title: str):
    """Largest title size (76→40 px) that fits in four lines; cut with … if none does."""
    from PIL import ImageFont

    width = WIDTH - 2 * MARGIN
    for size in range(76, 39, -4):
        font = ImageFont.truetype(str(TITLE_FONT), size)
        lines = _wrap(draw, title, font, width)
        if len(lines) <= 4 and all(draw.textlength(x, font=font) <= width for x in lines):
            return font, lines, size
    lines = lines[:4]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines, size


def render(card: Card, dest: Path) -> None:
    """Draw ``card`` as a 1200×630 PNG at ``dest``."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)

    label_font = ImageFont.truetype(str(LABEL_FONT), 28)
    draw.text((MARGIN, 78), card.label.upper(), font=label_font, fill=ACCENT)

    font, lines, size = _fit_title(draw, card.title)
    line_height = round(size * 1.18)
    block = line_height * len(lines)
    top = 140 + max(0, (330 - block) // 2)
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * line_height), line, font=font, fill=INK)

    # Footer: a monogram disc and the site's name, above a thin rule.
    draw.line((MARGIN, HEIGHT - 128, WIDTH - MARGIN, HEIGHT - 128), fill="#e4d8c8", width=2)
    cx, cy, r = MARGIN + 30, HEIGHT - 66, 30
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
    mono_font = ImageFont.truetype(str(LABEL_FONT), 34)
    draw.text((cx, cy), card.monogram, font=mono_font, fill=PAPER, anchor="mm")
    text_font = ImageFont.truetype(str(TEXT_FONT), 30)
    draw.text((cx + r + 22, cy), card.footer, font=text_font, fill=MUTED, anchor="lm")

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=dest.parent)
    os.close(fd)
    try:
        image.save(tmp, "PNG", optimize=True)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_card(card: Card, cache: Path) -> tuple[Path, bool]:
    """Return the cached PNG for ``card`` and whether it had to be drawn now."""
    path = cache / f"{card.key()}.png"
    if path.is_file():
        return path, False
    render(card, path)
    return path, True


# The cards of the build being made live in that build's own settings (output path →
# card), never in this module: nothing outlives a build.
CARDS = "OG_IMAGE_CARDS"


def plan_default(pelican) -> None:
    """A new build: the site-wide card, and the settings the templates read."""
    settings = pelican.settings
    default = f"{OUTPUT_DIR}/{DEFAULT_NAME}.png"
    settings["OG_IMAGE_DEFAULT"] = default
    settings["OG_IMAGE_WIDTH"] = WIDTH
    settings["OG_IMAGE_HEIGHT"] = HEIGHT
    settings[CARDS] = {default: Card(
        title=_plain(settings.get("SITESUBTITLE") or settings.get("SITENAME")),
        label=_plain(settings.get("SITENAME")),
        footer=_plain(settings.get("AUTHOR", "")),
        monogram=_plain(settings.get("AUTHOR", "?"))[:1].upper(),
    )}


def plan_articles(generator) -> None:
    """One card per article, named after its slug."""
    settings = generator.settings
    cards = settings.setdefault(CARDS, {})
    for article in generator.articles:
        path = f"{OUTPUT_DIR}/{article.slug}.png"
        label = article.metadata.get("series") or str(article.category)
        cards[path] = Card(
            title=_plain(article.title),
            label=_plain(label),
            footer=_plain(settings.get("SITENAME", "")),
            monogram=_plain(settings.get("AUTHOR", "?"))[:1].upper(),
        )
        article.og_image = path


def write_cards(pelican) -> None:
    """Copy every planned card (drawn now or found in the cache) into the output."""
    started = time.perf_counter()
    settings = pelican.settings
    cards: dict[str, Card] = settings.pop(CARDS, {})
    cache = Path(settings.get("OG_IMAGE_CACHE_PATH")
                 or Path(settings["CACHE_PATH"]).parent / "og-images")
    output = Path(pelican.output_path)
    drawn = 0
    for rel, card in cards.items():
        cached, new = ensure_card(card, cache)
        drawn += new
        dest = output / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, dest)
    logger.info(
        "og_image: %d immagini (%d disegnate, %d dalla cache) in %.2f s",
        len(cards), drawn, len(cards) - drawn, time.perf_counter() - started,
    )


def register() -> None:
    signals.initialized.connect(plan_default)
    signals.article_generator_finalized.connect(plan_articles)
    signals.finalized.connect(write_cards)
