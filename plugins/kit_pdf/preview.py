"""First-page preview PNG with pypdfium2: fixed width, no timestamps, same bytes every time."""

from __future__ import annotations

import io

PREVIEW_WIDTH = 600


def render_preview(pdf: bytes, width: int = PREVIEW_WIDTH) -> tuple[bytes, int, int]:
    """Render page 1 of ``pdf`` to a PNG ``width`` pixels wide; return (png, width, height)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        page_width, _ = page.get_size()
        bitmap = page.render(scale=width / page_width)
        image = bitmap.to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    if image.width != width:
        image = image.resize((width, round(image.height * width / image.width)))
    out = io.BytesIO()
    # Pillow writes no tIME or text chunks unless asked: the bytes depend on pixels only.
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height
