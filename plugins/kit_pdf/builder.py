"""One kit build: data → HTML → PDF → preview, reusing the cache when nothing changed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache as kit_cache
from .data import load_kit_data
from .errors import KitBuildError
from .fonts import read_font_faces
from .pdf import write_pdf
from .preview import render_preview
from .render import render_html

DEFAULT_FILENAME = "kit-sulla-delega.pdf"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class KitInfo:
    """What one build produced (or found in the cache)."""

    pdf_path: Path
    preview_path: Path
    pages: int
    fields: int
    size_bytes: int
    title: str
    preview_width: int
    preview_height: int
    fonts: tuple[str, ...]
    rendered: bool
    seconds: float
    digest: str = ""

    @property
    def size_label(self) -> str:
        """Size in Italian: «86 kB», «1,2 MB»."""
        return size_label(self.size_bytes)

    def settings_dict(
        self, output: str = "kit", filename: str = DEFAULT_FILENAME
    ) -> dict[str, Any]:
        """The ``KIT`` dict that Pelican templates read."""
        base = output.strip("/")
        prefix = f"{base}/" if base else ""
        return {
            "url": f"{prefix}{filename}",
            "preview_url": f"{prefix}{preview_name(filename)}",
            "preview_width": self.preview_width,
            "preview_height": self.preview_height,
            "pages": self.pages,
            "size_bytes": self.size_bytes,
            "size_label": self.size_label,
            "title": self.title,
            "fields": self.fields,
            "rendered": self.rendered,
        }


def preview_name(filename: str) -> str:
    """``kit-sulla-delega.pdf`` → ``kit-sulla-delega.png``."""
    return f"{Path(filename).stem}.png"


def size_label(size: int) -> str:
    """Format a byte count the Italian way, in decimal units: «950 B», «86 kB», «1,2 MB»."""
    if size < 1000:
        return f"{size} B"
    if size < 999_500:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def seconds_label(seconds: float) -> str:
    """«1,1 s»."""
    return f"{seconds:.1f} s".replace(".", ",")


def _quiet(_: str) -> None:
    return None


def build_kit(
    source: Path, cache: Path, force: bool = False, *, progress: Progress | None = None
) -> KitInfo:
    """Build the kit from ``source`` into ``cache``, or reuse the cached build.

    The PDF is re-rendered only when a hash of every file in ``source`` and of this
    builder's code differs from the last good build (or ``force`` is set). A failed
    build raises :class:`KitBuildError` and leaves the previous files untouched.
    """
    say = progress or _quiet
    start = time.perf_counter()
    source = Path(source)
    cache = Path(cache)
    if not source.is_dir():
        raise KitBuildError("kit source folder not found", source)

    digest = kit_cache.source_hash(source)
    pdf_path = cache / kit_cache.PDF_NAME
    png_path = cache / kit_cache.PNG_NAME
    manifest = kit_cache.read_manifest(cache)
    if not force and _reusable(manifest, digest, pdf_path, png_path):
        assert manifest is not None
        say("Cache valida: nessuna modifica in kit/")
        return _info(
            manifest, pdf_path, png_path, rendered=False, seconds=time.perf_counter() - start
        )

    say("Leggo kit.yaml")
    data = load_kit_data(source)
    say("Controllo i font di kit.css")
    faces = read_font_faces(source)
    say("Compongo l’HTML dai modelli")
    html = render_html(source, data)
    say("Impagino il PDF con WeasyPrint")
    rendered = write_pdf(html, source, faces)
    say("Disegno l’anteprima della copertina")
    png, width, height = render_preview(rendered.data)

    say("Salvo nella cache")
    kit_cache.atomic_write(pdf_path, rendered.data)
    kit_cache.atomic_write(png_path, png)
    manifest = {
        "hash": digest,
        "pdf_sha256": kit_cache.file_sha256(pdf_path),
        "png_sha256": kit_cache.file_sha256(png_path),
        "pages": rendered.pages,
        "fields": rendered.fields,
        "size_bytes": len(rendered.data),
        "title": str(data["document"]["title"]),
        "preview_width": width,
        "preview_height": height,
        "fonts": rendered.fonts,
    }
    kit_cache.write_manifest(cache, manifest)
    return _info(manifest, pdf_path, png_path, rendered=True, seconds=time.perf_counter() - start)


def _reusable(manifest: dict[str, Any] | None, digest: str, pdf: Path, png: Path) -> bool:
    if not manifest or manifest.get("hash") != digest:
        return False
    try:
        return kit_cache.file_sha256(pdf) == manifest.get("pdf_sha256") and kit_cache.file_sha256(
            png
        ) == manifest.get("png_sha256")
    except OSError:
        return False


def _info(
    manifest: dict[str, Any], pdf: Path, png: Path, rendered: bool, seconds: float
) -> KitInfo:
    return KitInfo(
        pdf_path=pdf,
        preview_path=png,
        pages=int(manifest["pages"]),
        fields=int(manifest["fields"]),
        size_bytes=int(manifest["size_bytes"]),
        title=str(manifest["title"]),
        preview_width=int(manifest["preview_width"]),
        preview_height=int(manifest["preview_height"]),
        fonts=tuple(manifest.get("fonts", ())),
        rendered=rendered,
        seconds=seconds,
        digest=str(manifest["hash"]),
    )
