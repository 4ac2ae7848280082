"""One social card: what it shows (:class:`Card`, and the key it is cached under) and
how it is drawn (:class:`Painter`, :func:`render`): a 1200×630 palette PNG with the
title wrapped in up to four lines, in the OFL fonts of ``fonts/`` (or, for a post with
a photo, the photo beside the title: :mod:`.photo`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Card:
    """Everything that appears on one card."""

    title: str
    label: str
    footer: str
    monogram: str
    photo: str = ""  # the post's photo (:mod:`.photo`), and the hash of its bytes
    photo_digest: str = ""

    def key(self, fonts: str | None = None) -> str:
        """Cache key; ``fonts`` is :func:`fonts_digest` (computed here when not given)."""
        shown = [DESIGN_VERSION, WIDTH, HEIGHT, self.title, self.label, self.footer,
                 self.monogram, fonts or fonts_digest()]
        if self.photo:
            shown += ["foto", self.photo_digest]
        payload = json.dumps(shown, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]

    @property
    def suffix(self) -> str:
        """``jpg`` for a card with a photo, ``png`` for the text card."""
        return "jpg" if self.photo else "png"


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
    """Draw ``card`` as a 1200×630 palette PNG at ``dest`` (a JPEG with the post's photo:
    :mod:`.photo`)."""
    from PIL import ImageDraw

    if card.photo:
        from .photo import render_photo

        render_photo(card, dest, painter)
        return
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
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600: the copy in the site must be readable
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
