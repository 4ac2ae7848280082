"""The kit's web edition as data: what the site's page «Compila il kit online» lays out.

It is the same named data as the PDF's (:mod:`.data` and :mod:`.fields`): every section
in the PDF's order with the same words, ids and field names, the PDF page each starts on,
how much text each text field of the PDF shows, and the few words of the document the
page repeats. JSON-safe: the builder keeps it in
the cache's manifest beside the other template data, so a cached kit gives the same
page. Inline markup (``**grassetto**``) stays as written; the site's templates turn it
into HTML with the ``kit_inline`` filter (:func:`add_filters`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from .fields import kit_fields
from .render import inline_markup, plain_text

# The document keys the web edition shows.
DOCUMENT_KEYS = ("title", "subtitle", "author", "promise", "website")


def web_edition(data: dict[str, Any], section_pages: dict[str, int],
                fits: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """The web edition of a loaded, named kit (:func:`.data.load_kit_data`); ``fits``:
    how much text each text field of the PDF shows (:mod:`.fit`)."""
    document = data["document"]
    sections = json.loads(json.dumps(data["sections"]))  # a copy, JSON-safe
    for section in sections:
        section["page"] = section_pages.get(section["id"])
    when = document["edition"]["date"]
    fields = kit_fields(data)
    return {
        "document": {key: document[key] for key in DOCUMENT_KEYS if key in document},
        "edition": data["edition"],
        "edition_id": when.isoformat() if isinstance(when, date) else str(when),
        "labels": data["labels"],
        "back": data["back"],
        "sections": sections,
        "fields": len(fields),
        # «lines chars» for the data-kit-fit of each text control
        "fits": {name: f"{lines} {chars}" for name, (lines, chars) in (fits or {}).items()},
    }


def web_for_templates(web: dict[str, Any], kit: dict[str, Any], filename: str,
                      filler: dict[str, str]) -> dict[str, Any]:
    """``KIT_WEB``: the web edition, the answers' storage key, the blank PDF and the
    filling code's addresses (``filler``: ``pdfjs``, ``worker``, site-relative)."""
    stem = Path(filename).stem
    # In the cache's key order (JSON, sorted) whether this run rendered the kit or read it
    # from the cache: the render memo must see the same KIT_WEB both times.
    web = json.loads(json.dumps(web, sort_keys=True))
    return {
        **web,
        # One key per edition: a new edition starts with no answers of an older one.
        "storage_key": f"{stem}/{web['edition_id']}",
        "pdf_url": kit["url"],
        "download_name": f"{stem}-compilato",
        "filler": dict(filler),
    }


def add_filters(generator: Any) -> None:
    """``generator_init``: ``kit_inline`` (``**grassetto**`` → HTML, escaped) and
    ``kit_plain`` (markup dropped) for the site's templates."""
    env = getattr(generator, "env", None)
    if env is not None:
        env.filters["kit_inline"] = inline_markup
        env.filters["kit_plain"] = plain_text
