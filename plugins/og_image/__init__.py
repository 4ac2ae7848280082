"""Open Graph images: one 1200×630 PNG per article with its title, made at build time.

pelican-ogimages pins Pillow < 13, cannot wrap long titles and redraws every image on
every build; pelican-social-cards pins Pillow < 12. This plugin draws each card with
Pillow and the OFL fonts in ``fonts/``, keeps it in ``.cache/og-images/`` under a
hash of everything that shapes it (title, labels, fonts, design version) and, on
later builds, only hard-links it into the output: an unchanged card is never redrawn.
New cards start being drawn once every post is read, by worker processes on every core
but one while Pelican renders the pages on that one (fonts loaded once per
process, palette PNG at a low zlib level: a few ms each); cards no page uses any more
are pruned from the cache.

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
DESIGN_VERSION = 4
FONTS = Path(__file__).resolve().parent / "fonts"
TITLE_FONT = FONTS / "source-serif-4-latin-600-normal.woff2"
LABEL_FONT = FONTS / "fira-sans-latin-600-normal.woff2"
TEXT_FONT = FONTS / "fira-sans-latin-400-normal.woff2"

PAPER = "#fbf6ee"
INK = "#1f2328"
ACCENT = "#8a3b12"
MUTED = "#5b5148"
RULE = "#e4d8c8"
# Palette: for each colour, RAMP steps from the paper to it (anti-aliased edges).
RAMP_COLOURS = (INK, ACCENT, MUTED, RULE)
RAMP = 16
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

    def key(self, fonts: str | None = None) -> str:
        """Cache key; ``fonts`` is :func:`fonts_digest` (computed here when not given)."""
        payload = json.dumps(
            [DESIGN_VERSION, WIDTH, HEIGHT, self.title, self.label, self.footer,
             self.monogram, fonts or fonts_digest()],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def fonts_digest() -> str:
    """SHA-256 of the three font files (part of every card's key)."""
    digest = hashlib.sha256()
    for font in (TITLE_FONT, LABEL_FONT, TEXT_FONT):
        digest.update(font.read_bytes())
    return digest.hexdigest()


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


class Painter:
    """Fonts loaded once, the card's fixed parts drawn once, and the palette the cards
    are saved with; one per build (or per worker process of a build), never global."""

    def __init__(self) -> None:
        from PIL import Image, ImageFont

        self._fonts: dict[tuple[Path, int], object] = {}
        self._bytes = {path: path.read_bytes() for path in (TITLE_FONT, LABEL_FONT, TEXT_FONT)}
        self._bases: dict[tuple[str, str], object] = {}
        self._truetype = ImageFont.truetype
        # Cards use five flat colours and the anti-aliased blends between the paper and
        # each of them: a fixed 64-colour palette keeps them exact and needs no search
        # (a palette PNG at zlib level 1: ~20 kB and a few ms, against 60 ms for an
        # optimised RGB PNG).
        paper = _rgb(PAPER)
        colours: list[int] = []
        self.ramps = {ink: RAMP * number for number, ink in enumerate(RAMP_COLOURS)}
        for ink in RAMP_COLOURS:
            target = _rgb(ink)
            for step in range(RAMP):
                share = step / (RAMP - 1)
                colours += [round(p * (1 - share) + t * share)
                            for p, t in zip(paper, target, strict=True)]
        self.colours = colours + [0] * (768 - len(colours))
        self.palette = Image.new("P", (1, 1))
        self.palette.putpalette(self.colours)

    def font(self, path: Path, size: int):
        key = (path, size)
        if key not in self._fonts:
            import io

            self._fonts[key] = self._truetype(io.BytesIO(self._bytes[path]), size)
        return self._fonts[key]

    def base(self, footer: str, monogram: str):
        """The paper, top bar, rule, monogram disc and footer (the same on every card)."""
        from PIL import Image, ImageDraw

        key = (footer, monogram)
        if key not in self._bases:  # drawn in RGB, kept as palette indices (mode L)
            image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
            draw = ImageDraw.Draw(image)
            draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
            draw.line((MARGIN, HEIGHT - 128, WIDTH - MARGIN, HEIGHT - 128), fill=RULE, width=2)
            cx, cy, r = MARGIN + 30, HEIGHT - 66, 30
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
            draw.text((cx, cy), monogram, font=self.font(LABEL_FONT, 34), fill=PAPER,
                      anchor="mm")
            draw.text((cx + r + 22, cy), footer, font=self.font(TEXT_FONT, 30), fill=MUTED,
                      anchor="lm")
            flat = image.quantize(palette=self.palette, dither=Image.Dither.NONE)
            self._bases[key] = Image.frombytes("L", flat.size, flat.tobytes())
        return self._bases[key].copy()

    def text(self, canvas, xy: tuple[int, int], text: str, font, colour: str) -> None:
        """Draw ``text`` on ``canvas`` (palette indices, mode L) in ``colour`` over the
        paper: the glyphs' coverage picks the step of that colour's ramp."""
        from PIL import Image, ImageDraw

        left, top, right, bottom = font.getbbox(text)
        if right <= left or bottom <= top:
            return
        mask = Image.new("L", (right - left, bottom - top), 0)
        ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255)
        base = self.ramps[colour]
        steps = mask.point([base + round(v * (RAMP - 1) / 255) for v in range(256)])
        canvas.paste(steps, (xy[0] + left, xy[1] + top), mask.point([0] + [255] * 255))


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


def _fit_title(draw, title: str, painter: Painter | None = None):
    """Largest title size (76→40 px) that fits in four lines; cut with … if none does."""
    painter = painter or Painter()
    width = WIDTH - 2 * MARGIN
    for size in range(76, 39, -4):
        font = painter.font(TITLE_FONT, size)
        lines = _wrap(draw, title, font, width)
        if len(lines) <= 4 and all(draw.textlength(x, font=font) <= width for x in lines):
            return font, lines, size
    lines = lines[:4]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines, size


def render(card: Card, dest: Path, painter: Painter | None = None) -> None:
    """Draw ``card`` as a 1200×630 palette PNG at ``dest``."""
    from PIL import ImageDraw

    painter = painter or Painter()
    canvas = painter.base(card.footer, card.monogram)
    painter.text(canvas, (MARGIN, 78), card.label.upper(), painter.font(LABEL_FONT, 28), ACCENT)

    font, lines, size = _fit_title(ImageDraw.Draw(canvas), card.title, painter)
    line_height = round(size * 1.18)
    block = line_height * len(lines)
    top = 140 + max(0, (330 - block) // 2)
    for number, line in enumerate(lines):
        painter.text(canvas, (MARGIN, top + number * line_height), line, font, INK)

    canvas.putpalette(painter.colours)  # indices → a palette image
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=dest.parent)
    os.close(fd)
    try:
        canvas.save(tmp, "PNG", compress_level=1)
        os.chmod(tmp, 0o644)  # published by hard link: readable by the web server
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_card(card: Card, cache: Path, painter: Painter | None = None,
                fonts: str | None = None) -> tuple[Path, bool]:
    """Return the cached PNG for ``card`` and whether it had to be drawn now."""
    path = cache / f"{card.key(fonts)}.png"
    if path.is_file():
        return path, False
    if painter is None:
        render(card, path)
    else:
        render(card, path, painter=painter)
    return path, True


def _draw_batch(jobs: list[tuple[Card, str]]) -> int:
    """Worker of the card pool: draw ``(card, cache path)`` pairs with one painter."""
    painter = Painter()
    for card, path in jobs:
        render(card, Path(path), painter=painter)
    return len(jobs)


# Below this many new cards a process pool costs more than it saves.
POOL_THRESHOLD = 24


def draw_missing(missing: dict[Path, Card], workers: int | None = None) -> None:
    """Draw every ``{cache path: card}``; on all cores when there are many."""
    Drawing.start(missing, workers).wait()


class Drawing:
    """Cards being drawn by worker processes while the build goes on."""

    def __init__(self, jobs: list[tuple[Card, str]], pool=None, futures=()) -> None:
        self.jobs = jobs
        self.pool = pool
        self.futures = list(futures)

    @classmethod
    def start(cls, missing: dict[Path, Card], workers: int | None = None) -> Drawing:
        """Start drawing ``{cache path: card}`` (a few are drawn at :meth:`wait`)."""
        jobs = [(card, str(path)) for path, card in missing.items()]
        workers = workers or min(os.cpu_count() or 1, 8)
        if len(jobs) < POOL_THRESHOLD:
            return cls(jobs)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Fork: the workers need no imports; they only draw and write files.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        chunks = [jobs[n::workers] for n in range(workers)]
        return cls(jobs, pool, [pool.submit(_draw_batch, chunk) for chunk in chunks])

    def wait(self) -> None:
        """Every card drawn (a worker's error is raised here)."""
        if self.pool is None:
            _draw_batch(self.jobs)
            return
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)


def link_or_copy(source: Path, dest: Path) -> None:
    """Hard-link ``source`` at ``dest`` (a copy across file systems)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, dest)
    except FileExistsError:
        dest.unlink()
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)


def prune(cache: Path, keep: set[str]) -> int:
    """Remove the cached cards no page uses any more; return how many."""
    removed = 0
    for path in cache.glob("*.png"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


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


def _cache(settings) -> Path:
    cache = Path(settings.get("OG_IMAGE_CACHE_PATH")
                 or Path(settings["CACHE_PATH"]).parent / "og-images")
    cache.mkdir(parents=True, exist_ok=True)
    return cache


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


@dataclass
class _Planned:
    """The cards of one build: their cache files, and the drawing of those missing."""

    cached: dict[str, Path]
    missing: int
    drawing: Drawing


def _plan(settings, workers: int | None = None) -> _Planned:
    cards: dict[str, Card] = settings.get(CARDS, {})
    fonts = fonts_digest()
    cache = _cache(settings)
    cached = {rel: cache / f"{card.key(fonts)}.png" for rel, card in cards.items()}
    missing = {path: cards[rel] for rel, path in cached.items() if not path.is_file()}
    return _Planned(cached, len(missing), Drawing.start(missing, workers))


def start_drawing(pelican) -> None:
    """Every post is read, no page is rendered yet (``get_writer``): the missing cards
    start being drawn on every core but one, while Pelican renders on that one. Kept on
    the Pelican object: the settings end up in Pelican's cache, a process pool cannot."""
    pelican.og_cards = _plan(pelican.settings, workers=max(1, (os.cpu_count() or 1) - 1))


def write_cards(pelican) -> None:
    """Wait for the cards being drawn, link every card into the output, prune the cache
    of cards no page uses any more."""
    started = time.perf_counter()
    settings = pelican.settings
    planned = getattr(pelican, "og_cards", None) or _plan(settings)
    pelican.og_cards = None
    cards: dict[str, Card] = settings.pop(CARDS, {})
    planned.drawing.wait()
    output = Path(pelican.output_path)
    for rel, path in planned.cached.items():
        try:
            link_or_copy(path, output / rel)
        except FileNotFoundError:  # pruned meanwhile by another build: draw it again
            render(cards[rel], path)
            link_or_copy(path, output / rel)
    pruned = prune(_cache(settings), {path.name for path in planned.cached.values()})
    logger.info(
        "og_image: %d immagini (%d disegnate, %d dalla cache, %d tolte dalla cache) in %.2f s",
        len(cards), planned.missing, len(cards) - planned.missing, pruned,
        time.perf_counter() - started,
    )


def register() -> None:
    signals.initialized.connect(plan_default)
    signals.article_generator_finalized.connect(plan_articles)
    signals.get_writer.connect(start_drawing)
    signals.finalized.connect(write_cards)
