"""The social card of a post with a photo: the text card's paper, bar, label, title and
signature on the left, the photo on the right, cut to fill its half from top to bottom.

``plugins/content_images`` gives such a post ``card_photo`` (its ``Image:`` or the first
photo it shows, at least 800 px wide). The photo is read as the pages show it (EXIF
orientation applied, sRGB) and the card saved as a progressive JPEG (~100 kB; a palette
PNG, right for the flat text card, bands a photo): no metadata of the photo's, GPS
position included, reaches the card.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from . import card as text_card
from .card import Card, Painter, _wrap

ACCENT, INK, MUTED, PAPER, RULE = (text_card.ACCENT, text_card.INK, text_card.MUTED,
                                   text_card.PAPER, text_card.RULE)
WIDTH, HEIGHT, MARGIN = text_card.WIDTH, text_card.HEIGHT, text_card.MARGIN
TITLE_FONT, LABEL_FONT, TEXT_FONT = (text_card.TITLE_FONT, text_card.LABEL_FONT,
                                     text_card.TEXT_FONT)

PHOTO_LEFT = 648  # the photo fills x = 648…1200: a little under half the card
TEXT_RIGHT = PHOTO_LEFT - 56
QUALITY = 85


def _photo(path: str, size: tuple[int, int]):
    """The photo upright, in sRGB, cut to fill ``size``."""
    from PIL import Image, ImageCms, ImageOps

    image = Image.open(path)
    if image.format == "JPEG":
        image.draft("RGB", (size[0] * 2, size[1] * 2))
    image = ImageOps.exif_transpose(image) or image
    profile = image.info.get("icc_profile")
    if profile:
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"), outputMode="RGB")
    return ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)


TITLE_SPACE = 330  # px between the label and the rule, as on the text card


def _title(draw, title: str, painter: Painter, width: int):
    """Largest title size (64→36 px) whose lines fit above the rule; cut with … if none
    does."""
    for size in range(64, 35, -4):
        font = painter.font(TITLE_FONT, size)
        lines = _wrap(draw, title, font, width)
        if len(lines) * round(size * 1.18) <= TITLE_SPACE and all(
                draw.textlength(x, font=font) <= width for x in lines):
            return font, lines, size
    lines = lines[:TITLE_SPACE // round(size * 1.18)]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines, size


def render_photo(card: Card, dest: Path, painter: Painter | None = None) -> None:
    """Draw ``card`` (with ``card.photo``) as a 1200×630 JPEG at ``dest``."""
    from PIL import Image, ImageDraw

    painter = painter or Painter()
    canvas = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    canvas.paste(_photo(card.photo, (WIDTH - PHOTO_LEFT, HEIGHT)), (PHOTO_LEFT, 0))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, PHOTO_LEFT, 14), fill=ACCENT)
    draw.text((MARGIN, 78), card.label.upper(), font=painter.font(LABEL_FONT, 28), fill=ACCENT)
    width = TEXT_RIGHT - MARGIN
    font, lines, size = _title(draw, card.title, painter, width)
    line_height = round(size * 1.18)
    top = 140 + max(0, (TITLE_SPACE - line_height * len(lines)) // 2)
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * line_height), line, font=font, fill=INK)
    draw.line((MARGIN, HEIGHT - 128, TEXT_RIGHT, HEIGHT - 128), fill=RULE, width=2)
    cx, cy, r = MARGIN + 30, HEIGHT - 66, 30
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
    draw.text((cx, cy), card.monogram, font=painter.font(LABEL_FONT, 34), fill=PAPER,
              anchor="mm")
    footer_font = painter.font(TEXT_FONT, 30)
    footer = card.footer
    while footer and draw.textlength(footer, font=footer_font) > TEXT_RIGHT - cx - r - 22:
        footer = footer[:-2].rstrip() + "…"
    draw.text((cx + r + 22, cy), footer, font=footer_font, fill=MUTED, anchor="lm")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".jpg", dir=dest.parent)
    os.close(fd)
    try:
        canvas.save(tmp, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
