"""Pictures of the built PDF with pypdfium2: cover preview, page thumbnails, the social card.

Every PNG depends on the pixels only (Pillow writes no time or text chunks unless asked),
so the same PDF gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

PREVIEW_WIDTH = 600
THUMB_WIDTH = 300
CARD_SIZE = (1200, 630)
# The site's palette (theme/static/css/site.css): ink, paper, rust accent and its light tone.
CARD_INK = (35, 31, 28)
CARD_PAPER = (251, 248, 243)
CARD_ACCENT = (138, 59, 18)
CARD_LIGHT = (242, 169, 126)
CARD_MUTED = (94, 84, 75)


def _png(image, colors: int = 0) -> bytes:
    """PNG bytes; with ``colors``, a palette image (a page is mostly flat colour and grey text)."""
    from PIL import Image

    if colors:
        image = image.quantize(colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _render(document, index: int, width: int):
    page = document[index]
    try:
        page_width, _ = page.get_size()
        # may_draw_forms: the widgets' own appearances (check boxes draw themselves).
        bitmap = page.render(scale=width / page_width, may_draw_forms=True)
        image = bitmap.to_pil().convert("RGB")
    finally:
        page.close()
    if image.width != width:
        image = image.resize((width, round(image.height * width / image.width)))
    return image


def _open(pdf: bytes):
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    document.init_forms()
    return document


def render_preview(pdf: bytes, width: int = PREVIEW_WIDTH) -> tuple[bytes, int, int]:
    """Render page 1 of ``pdf`` to a PNG ``width`` pixels wide; return (png, width, height)."""
    document = _open(pdf)
    try:
        image = _render(document, 0, width)
    finally:
        document.close()
    return _png(image, colors=64), image.width, image.height


def render_thumbnails(
    pdf: bytes, pages: list[int], width: int = THUMB_WIDTH
) -> list[tuple[bytes, int, int]]:
    """PNGs of the given 1-based pages, ``width`` pixels wide: (png, width, height) each."""
    document = _open(pdf)
    try:
        images = [_render(document, number - 1, width) for number in pages]
    finally:
        document.close()
    return [(_png(image, colors=48), image.width, image.height) for image in images]


def render_card(
    pdf: bytes, title: str, lines: list[str], fonts: tuple[Path, Path]
) -> tuple[bytes, int, int]:
    """The 1200×630 social card: the cover on the right, title and facts on the left."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = CARD_SIZE
    card = Image.new("RGB", CARD_SIZE, CARD_PAPER)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 18, height), fill=CARD_ACCENT)
    document = _open(pdf)
    try:
        cover = _render(document, 0, 380)
    finally:
        document.close()
    cover_height = 538
    cover = cover.resize((round(cover.width * cover_height / cover.height), cover_height))
    left = width - cover.width - 64
    top = (height - cover_height) // 2
    draw.rectangle(
        (left + 10, top + 10, left + cover.width + 10, top + cover_height + 10),
        fill=(214, 199, 179),
    )
    card.paste(cover, (left, top))
    bold, regular = fonts
    heading = ImageFont.truetype(str(bold), 74)
    body = ImageFont.truetype(str(regular), 34)
    small = ImageFont.truetype(str(bold), 24)
    draw.text((80, 120), "PDF COMPILABILE", font=small, fill=CARD_ACCENT)
    y = 165
    for word_line in _wrap(title, heading, left - 130, draw):
        draw.text((78, y), word_line, font=heading, fill=CARD_INK)
        y += 86
    y += 24
    for number, line in enumerate(lines):
        color = CARD_INK if number == 0 else CARD_MUTED  # the promise, then the facts
        for part in _wrap(line, body, left - 130, draw):
            draw.text((80, y), part, font=body, fill=color)
            y += 46
        y += 10
    return _png(card, colors=128), width, height


def _wrap(text: str, font, width: int, draw) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
