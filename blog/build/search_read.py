"""Reading a built Pagefind index back: its parts, the page records it keeps, the pages
it can find (what tests, benchmarks and the build's own checks read)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from blog.build.search import BUNDLE, FRAGMENT_MAGIC, PARTS
from blog.build.search_text import from_pagefind


def part_folders(site: Path) -> list[Path]:
    """Every part of ``site/pagefind/``: the bundle itself, then the merged ones."""
    bundle = site / BUNDLE
    listed = json.loads((bundle / PARTS).read_text(encoding="utf-8"))
    return [bundle] + [bundle / name for name in listed]


def fragments(site: Path) -> list[dict[str, Any]]:
    """Every page record Pagefind keeps (URL, title, text), from every part, with the
    page's own apostrophes (:func:`from_pagefind`)."""
    records = []
    for folder in part_folders(site):
        for fragment in sorted((folder / "fragment").glob("*.pf_fragment")):
            data = gzip.decompress(fragment.read_bytes())
            if data.startswith(FRAGMENT_MAGIC):
                data = data[len(FRAGMENT_MAGIC):]
            record = json.loads(data)
            record["content"] = from_pagefind(record.get("content", ""))
            meta = record.get("meta", {})
            if "title" in meta:
                meta["title"] = from_pagefind(meta["title"])
            records.append(record)
    return records


def indexed_pages(site: Path) -> dict[str, str]:
    """``{url: title}`` of every page in ``site/pagefind/`` (read from its fragments)."""
    return {record["url"]: record.get("meta", {}).get("title", "")
            for record in fragments(site)}
