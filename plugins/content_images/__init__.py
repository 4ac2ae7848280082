"""Images in posts get ``width``/``height`` (no layout shift) and lazy loading.

Markdown writes ``<img alt src>`` only. For every image whose file is in the content
folder (``{static}/images/x.jpg``, ``{attach}…`` or a path from the content root), this
plugin adds the real pixel size read with Pillow when the author gave none, and
``decoding="async"``. Every image but the first of a document also gets
``loading="lazy"``: the first may be in the first screen, where lazy loading delays it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pelican import signals
from pelican_adapter import raw_html, set_raw_html

logger = logging.getLogger(__name__)

IMG = re.compile(r"<img\b[^>]*>", re.I)
ATTR = re.compile(r"""\s([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
PLACEHOLDER = re.compile(r"^\{(?:static|attach|filename)\}")


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in ATTR.finditer(tag)}


def image_size(src: str, content_root: Path, source_dir: Path) -> tuple[int, int] | None:
    """Pixel size of the content file that ``src`` names, or None if it is not local."""
    from PIL import Image

    if "://" in src or src.startswith(("data:", "//")):
        return None
    path = PLACEHOLDER.sub("", src).split("?")[0].split("#")[0]
    base = content_root if path.startswith("/") or PLACEHOLDER.match(src) else source_dir
    candidate = (base / path.lstrip("/")).resolve()
    if not candidate.is_file():
        return None
    try:
        with Image.open(candidate) as image:
            return image.size
    except OSError:
        return None


def enhance_images(html: str, content_root: Path, source_dir: Path) -> str:
    """Return ``html`` with sizes, async decoding and lazy loading on its images."""
    count = 0

    def fix(match: re.Match) -> str:
        nonlocal count
        count += 1
        tag = match.group(0)
        attrs = _attrs(tag)
        extra = []
        if "width" not in attrs and "height" not in attrs:
            size = image_size(attrs.get("src", ""), content_root, source_dir)
            if size:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        if "decoding" not in attrs:
            extra.append('decoding="async"')
        if count > 1 and "loading" not in attrs:
            extra.append('loading="lazy"')
        if not extra:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + " " + " ".join(extra) + tag[end:]

    return IMG.sub(fix, html)


def _process(content) -> None:
    html = raw_html(content)
    if not html or "<img" not in html.lower() or not getattr(content, "source_path", None):
        return
    root = Path(content.settings["PATH"])
    set_raw_html(content, enhance_images(html, root, Path(content.source_path).parent))


def register() -> None:
    signals.content_object_init.connect(_process)
