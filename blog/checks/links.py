"""Dead internal links, dead anchors and dead CSS ``url()``s.

Every internal ``href``/``src``/``srcset`` (relative, root-relative or absolute on the
site's own URL) and every CSS ``url()`` must point to a file of the site, and every
``#fragment`` to an ``id`` of the target page. Percent-encoded links resolve as
Pelican and the web server resolve them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from blog.checks.findings import Finding
from blog.checks.site import (
    CSS_URL,
    SiteIndex,
    internal_path,
    page_url,
    resolve,
    site_prefixes,
)

NOT_FETCHED = {"preconnect", "dns-prefetch"}  # their href is an origin, not a file


def check_links(site: Path, index: SiteIndex, siteurl: str | Sequence[str] = "") -> list[Finding]:
    """One :class:`Finding` per dead link, anchor or stylesheet ``url()``."""
    prefixes = site_prefixes(siteurl)
    problems: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rel, page in index.pages.items():
        from_url = page_url(rel)
        if page.base:
            base = internal_path(page.base, from_url, prefixes)
            if base:
                from_url = base[0]
        for link in page.links:
            if NOT_FETCHED & set(link.rel.split()):
                continue
            target = internal_path(html.unescape(link.url), from_url, prefixes)
            if target is None:
                continue
            path, fragment = target
            if link.where.endswith("action"):
                fragment = ""
            resolved = resolve(site, path)
            if resolved is None:
                if (rel, link.url) not in seen:
                    seen.add((rel, link.url))
                    problems.append(Finding(
                        rel, link.line, "link",
                        f"«{link.url}» ({link.where}) porta a un indirizzo che non esiste"))
                continue
            if fragment and resolved.endswith(".html"):
                ids = index.ids_of(resolved) or set()
                if fragment not in ids and fragment != "top":
                    problems.append(Finding(
                        rel, link.line, "anchor",
                        f"«{link.url}» ({link.where}) punta all’ancora #{fragment}, "
                        f"che non c’è in {resolved}"))
    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site).as_posix()
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in CSS_URL.finditer(text):
            url = match.group("url").strip()
            target = internal_path(url, "/" + rel, prefixes)
            if target is None or url.startswith("#"):
                continue
            if resolve(site, target[0]) is None:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(Finding(
                    rel, line, "css-url", f"url({url}) porta a un file che non esiste"))
    return problems
