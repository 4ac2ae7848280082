"""One kit build: data → HTML → PDF → preview, reusing the cache when nothing changed."""

from __future__ import annotations

import json
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
from .preview import render_card, render_preview, render_thumbnails
from .render import plain_text, render_html
from .site import SiteInfo
from .web import web_edition

DEFAULT_FILENAME = "kit-sulla-delega.pdf"
# The inner pages shown as thumbnails on the kit page: the first page of these sections.
THUMBNAIL_SECTIONS = ("sei-pronto", "obiettivi", "inventario", "procedure")
CARD_FONTS = ("fonts/fira-sans-latin-600-normal.ttf", "fonts/fira-sans-latin-400-normal.ttf")

Progress = Callable[[str], None]
DAMAGED_CACHE = "Cache del kit danneggiata: la rifaccio"


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
    thumbnails: tuple[dict[str, Any], ...] = ()
    card: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    cache: Path | None = None
    web: dict[str, Any] | None = None  # the web edition (:mod:`.web`)

    def files(self, filename: str = DEFAULT_FILENAME) -> list[tuple[Path, str]]:
        """(cached file, published name) for the PDF and every picture of it."""
        stem = Path(filename).stem
        items = [(self.pdf_path, filename), (self.preview_path, preview_name(filename))]
        folder = self.pdf_path.parent
        for thumb in self.thumbnails:
            items.append((folder / thumb["file"], f"{stem}-{thumb['file'].removeprefix('kit-')}"))
        if self.card:
            items.append(
                (folder / self.card["file"], f"{stem}-{self.card['file'].removeprefix('kit-')}")
            )
        return items

    @property
    def size_label(self) -> str:
        """Size in Italian: «86 kB», «1,2 MB»."""
        return size_label(self.size_bytes)

    def for_templates(
        self, output: str = "kit", filename: str = DEFAULT_FILENAME
    ) -> dict[str, Any]:
        """The ``KIT`` dict that Pelican templates read: what a page may show, nothing
        about this build (a page must not change because the PDF came from the cache)."""
        base = output.strip("/")
        prefix = f"{base}/" if base else ""
        names = dict((cached.name, published) for cached, published in self.files(filename))
        kit = {
            "url": f"{prefix}{filename}",
            "preview_url": f"{prefix}{preview_name(filename)}",
            "preview_width": self.preview_width,
            "preview_height": self.preview_height,
            "pages": self.pages,
            "size_bytes": self.size_bytes,
            "size_label": self.size_label,
            "title": self.title,
            "fields": self.fields,
            "thumbnails": [
                {
                    "url": f"{prefix}{names[thumb['file']]}",
                    "width": thumb["width"],
                    "height": thumb["height"],
                    "page": thumb["page"],
                    "alt": thumb["alt"],
                }
                for thumb in self.thumbnails
            ],
            "card": (
                {
                    "url": f"{prefix}{names[self.card['file']]}",
                    "width": self.card["width"],
                    "height": self.card["height"],
                }
                if self.card
                else None
            ),
        }
        # In the cache's key order (JSON, sorted), whether this build rendered the PDF or
        # read it from the cache: the pages that show it must not see a difference.
        kit.update(json.loads(json.dumps(self.context or {}, sort_keys=True)))
        return kit


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
    source: Path,
    cache: Path,
    force: bool = False,
    *,
    progress: Progress | None = None,
    site: SiteInfo | None = None,
) -> KitInfo:
    """Build the kit from ``source`` into ``cache``, or reuse the cached build.

    The PDF is re-rendered only when a hash of every file in ``source``, of this
    builder's code and of ``site`` (the production address and e-mail the last page
    prints) differs from the last good build (or ``force`` is set). A failed build
    raises :class:`KitBuildError` and leaves the previous files untouched.
    """
    say = progress or _quiet
    start = time.perf_counter()
    source = Path(source)
    cache = Path(cache)
    if not source.is_dir():
        raise KitBuildError("manca la cartella del kit", source)
    site = site or SiteInfo.default()

    digest = kit_cache.source_hash(source, extra=site.cache_key())
    if not force:
        cached = _cached(cache, digest, start)
        if isinstance(cached, KitInfo):
            say("Cache valida: nessuna modifica in kit/")
            return cached
        if cached == kit_cache.DAMAGED:
            say(DAMAGED_CACHE)
    pdf_path = cache / kit_cache.PDF_NAME
    png_path = cache / kit_cache.PNG_NAME

    say("Leggo kit.yaml")
    data = load_kit_data(source, site.as_dict())
    say("Controllo i font di kit.css")
    faces = read_font_faces(source)
    say("Compongo l’HTML dai modelli")
    html = render_html(source, data)
    say("Impagino il PDF con WeasyPrint")
    rendered = write_pdf(html, source, faces, link_descriptions(data))
    say("Disegno copertina, miniature e scheda social")
    png, width, height = render_preview(rendered.data)
    pictures = _pictures(rendered, data, source)

    say("Salvo nella cache")
    kit_cache.atomic_write(pdf_path, rendered.data)
    kit_cache.atomic_write(png_path, png)
    files = {kit_cache.PDF_NAME: rendered.data, kit_cache.PNG_NAME: png}
    for name, content in pictures["files"].items():
        kit_cache.atomic_write(cache / name, content)
        files[name] = content
    manifest = {
        "hash": digest,
        "pdf_sha256": kit_cache.file_sha256(pdf_path),
        "png_sha256": kit_cache.file_sha256(png_path),
        "files": {name: kit_cache.bytes_sha256(content) for name, content in files.items()},
        "thumbnails": pictures["thumbnails"],
        "card": pictures["card"],
        "context": template_context(data, rendered.section_pages),
        "web": web_edition(data, rendered.section_pages, rendered.fits),
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


def examine_cache(source: Path, cache: Path, *, site: SiteInfo | None = None) -> KitInfo | str:
    """The cached build when it is still good for ``source`` and ``site``, else why not
    (:func:`build_kit` would render): ``cache.MISSING``, ``cache.CHANGED`` (also for a
    missing ``source``: :func:`build_kit`'s error to raise) or ``cache.DAMAGED``."""
    start = time.perf_counter()
    if not Path(source).is_dir():
        return kit_cache.CHANGED
    site = site or SiteInfo.default()
    return _cached(Path(cache), kit_cache.source_hash(Path(source), extra=site.cache_key()),
                   start)


def _cached(cache: Path, digest: str, start: float) -> KitInfo | str:
    manifest, why = kit_cache.check(cache, digest)
    if manifest is None:
        return why or kit_cache.DAMAGED
    try:
        return _info(manifest, cache / kit_cache.PDF_NAME, cache / kit_cache.PNG_NAME,
                     rendered=False, seconds=time.perf_counter() - start)
    except (KeyError, TypeError, ValueError):  # a manifest with its facts missing
        return kit_cache.DAMAGED


def link_descriptions(data: dict[str, Any]) -> dict[str, str]:
    """What a screen reader says for each link: the TOC entries, the site, the e-mail."""
    go_to = data["labels"].get("go_to", "Vai a")
    descriptions = {
        section["id"]: f"{go_to} «{plain_text(section['title'])}»" for section in data["sections"]
    }
    site = data.get("site") or {}
    if site.get("url"):
        descriptions[site["url"]] = f"Apri il sito {site['host']}"
    if site.get("email"):
        descriptions[f"mailto:{site['email']}"] = f"Scrivi a {site['email']}"
    return descriptions


def template_context(data: dict[str, Any], section_pages: dict[str, int]) -> dict[str, Any]:
    """Data for the site's templates (JSON-safe, plain text): readiness test, order, promise."""
    readiness = next((s for s in data["sections"] if s["kind"] == "readiness"), None)
    return {
        "readiness": readiness
        and {
            "title": plain_text(readiness["title"]),
            "intro": plain_text(readiness["intro"]),
            "question_header": plain_text(readiness.get("questions_header", "")),
            "answers": readiness["answers"],
            # name: the PDF's field name, so that the site's answers fill the PDF too
            "questions": [
                {"id": q["id"], "name": q["name"], "number": n, "text": plain_text(q["text"])}
                for n, q in enumerate(readiness["questions"], start=1)
            ],
            "guide_title": plain_text(readiness["guide_title"]),
            "readings": [
                {
                    "min": item["min"],
                    "max": item["max"],
                    "range": plain_text(item["range"]),
                    "text": plain_text(item["text"]),
                }
                for item in readiness["guide"]
            ],
            "prompt": plain_text(readiness["prompt"]),
        },
        "order": [
            {
                "number": section["number"],
                "title": plain_text(section["title"]),
                "note": plain_text(section.get("toc_note", "")),
                "page": section_pages.get(section["id"]),
            }
            for section in data["sections"]
        ],
        "promise": plain_text(data["document"]["promise"]),
        "edition": data["edition"],
        "site_url": (data.get("site") or {}).get("url", ""),
    }


def _pictures(rendered: Any, data: dict[str, Any], source: Path) -> dict[str, Any]:
    titles = {s["id"]: plain_text(s["title"]) for s in data["sections"]}
    pages = [
        (section_id, rendered.section_pages[section_id])
        for section_id in THUMBNAIL_SECTIONS
        if section_id in rendered.section_pages
    ]
    files: dict[str, bytes] = {}
    thumbnails = []
    shots = render_thumbnails(rendered.data, [page for _, page in pages])
    for (section_id, page), (png, width, height) in zip(pages, shots, strict=True):
        name = f"kit-pagina-{page}.png"
        files[name] = png
        thumbnails.append(
            {
                "file": name,
                "page": page,
                "width": width,
                "height": height,
                "alt": f"Pagina {page} del kit: «{titles[section_id]}»",
            }
        )
    document = data["document"]
    facts = [
        plain_text(document["subtitle"]),
        f"{rendered.pages} pagine da compilare o stampare",
        data["edition"],
    ]
    fonts = (source / CARD_FONTS[0], source / CARD_FONTS[1])
    card_png, card_width, card_height = render_card(
        rendered.data, plain_text(document["title"]), facts, fonts
    )
    files["kit-card.png"] = card_png
    return {
        "files": files,
        "thumbnails": thumbnails,
        "card": {"file": "kit-card.png", "width": card_width, "height": card_height},
    }


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
        thumbnails=tuple(manifest.get("thumbnails", ())),
        card=manifest.get("card"),
        context=manifest.get("context"),
        cache=pdf.parent,
        web=manifest.get("web"),
    )
