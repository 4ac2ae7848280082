"""What the report must know about the site: its host names, its time zone, which
addresses are articles (and their titles), where the kit lives and its editions.

Titles come from the built site (``output/``: ``og:type`` and ``og:title`` of every
page), or, before a first build, from the articles' front matter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from blog.stats.editions import Edition, kit_editions

_META = re.compile(r'<meta property="og:(type|title)" content="([^"]*)"')
_FRONT = re.compile(r"^(Title|Slug|Status):\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)
HEAD_BYTES = 8192


@dataclass(frozen=True)
class SiteFacts:
    """The site as the report reads its log."""

    hosts: frozenset[str]
    timezone: str = "Europe/Rome"
    titles: Mapping[str, str] = field(default_factory=dict)
    articles: frozenset[str] = frozenset()
    kit_folder: str = "/kit/"
    editions: tuple[Edition, ...] = ()

    def title(self, path: str) -> str:
        """The page's title, or its address when the site has no such page."""
        return self.titles.get(path, path)


def site_hosts(siteurl: str) -> frozenset[str]:
    """``https://www.x.example`` → {``www.x.example``, ``x.example``}."""
    host = (urlsplit(siteurl).hostname or "").lower()
    if not host:
        return frozenset()
    bare = host.removeprefix("www.")
    return frozenset({host, bare, f"www.{bare}"})


def _pages_of_output(output: Path) -> tuple[dict[str, str], set[str]]:
    titles: dict[str, str] = {}
    articles: set[str] = set()
    for page in sorted(output.glob("**/index.html")):
        with page.open("rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
        meta = dict(_META.findall(head))
        folder = page.parent.relative_to(output).as_posix()
        path = "/" if folder == "." else f"/{folder}/"
        if meta.get("title"):
            titles[path] = html.unescape(meta["title"])
        if meta.get("type") == "article":
            articles.add(path)
    return titles, articles


def _pages_of_content(content: Path) -> tuple[dict[str, str], set[str]]:
    titles: dict[str, str] = {}
    for source in sorted((content / "articles").glob("*.md")):
        front = source.read_text(encoding="utf-8").split("\n\n", 1)[0]
        values = {key.lower(): value for key, value in _FRONT.findall(front)}
        if values.get("status", "").lower() == "draft":
            continue
        titles[f"/{values.get('slug') or source.stem}/"] = values.get("title", source.stem)
    return titles, set(titles)


def site_facts(root: Path, settings: Mapping[str, Any], output: Path | None = None) -> SiteFacts:
    """The facts from the production settings, the built site (or the articles'
    sources) and the kit's history."""
    output = output or root / "output"
    if output.is_dir() and any(output.glob("*/index.html")):
        titles, articles = _pages_of_output(output)
    else:
        titles, articles = _pages_of_content(root / "content")
    kit_folder = "/" + str(settings.get("KIT_OUTPUT") or "kit").strip("/") + "/"
    return SiteFacts(
        hosts=site_hosts(str(settings.get("SITEURL") or "")),
        timezone=str(settings.get("TIMEZONE") or "Europe/Rome"),
        titles=titles, articles=frozenset(articles), kit_folder=kit_folder,
        editions=kit_editions(root),
    )
