"""Drafts never public: no page of a ``Status: draft`` source, no ``bozze/`` folder,
no link to a draft, no draft title in any page, feed or index."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from blog.checks.findings import Finding
from blog.checks.site import SiteIndex, internal_path, page_url, site_prefixes

META_LINE = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*)$")
SEARCHED = (".html", ".xml", ".json", ".txt")


@dataclass(frozen=True)
class Draft:
    """A ``Status: draft`` source: where it is, its title and slug."""

    source: Path
    title: str
    slug: str


def find_drafts(content: Path) -> list[Draft]:
    """Every Markdown source in ``content`` whose front matter says ``Status: draft``."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    drafts = []
    for source in sorted(content.rglob("*.md")):
        meta: dict[str, str] = {}
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines():
            match = META_LINE.match(line)
            if not match:
                break
            meta[match.group("key").lower()] = match.group("value").strip()
        if meta.get("status", "").lower() != "draft":
            continue
        title = meta.get("title", source.stem)
        slug = meta.get("slug") or slugify(
            title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
        drafts.append(Draft(source=source, title=title, slug=slug))
    return drafts


def check_drafts(
    site: Path, index: SiteIndex, content: Path | None, siteurl: str | Sequence[str] = ""
) -> list[Finding]:
    """One :class:`Finding` per place where a draft shows."""
    problems = []
    if (site / "bozze").exists():
        problems.append(Finding("bozze/", None, "draft-folder",
                                "la cartella delle bozze è nel sito (build con --drafts?)"))
    drafts = find_drafts(content) if content and content.is_dir() else []
    if not drafts:
        return problems
    prefixes = site_prefixes(siteurl)
    texts = {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8", errors="replace")
             for path in sorted(site.rglob("*"))
             if path.suffix in SEARCHED and path.is_file()}
    for draft in drafts:
        name = draft.source.name
        if (site / draft.slug).exists():
            problems.append(Finding(f"{draft.slug}/", None, "draft-page",
                                    f"è la bozza {name}, non deve essere pubblicata"))
        for rel, page in index.pages.items():
            for link in page.links:
                target = internal_path(html.unescape(link.url), page_url(rel), prefixes)
                if target and unquote(target[0]).strip("/").split("/")[-1] == draft.slug:
                    problems.append(Finding(rel, link.line, "draft-link",
                                            f"ha un link alla bozza {name} («{link.url}»)"))
                    break
        escaped = html.escape(draft.title, quote=False)
        for rel, text in texts.items():
            for title in dict.fromkeys((f"<title>{escaped}", f"<title>{draft.title}")):
                at = text.find(title)
                if at >= 0:
                    problems.append(Finding(rel, text.count("\n", 0, at) + 1, "draft-title",
                                            f"contiene il titolo della bozza {name}"))
                    break
    return problems
