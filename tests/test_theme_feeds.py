"""Feeds and sitemap: language, consistent titles, honest lastmod, no thin pages."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from tests.test_theme_seo import ARTICLES

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_every_feed_declares_italian_and_uses_the_site_dash(site: Path) -> None:
    feeds = sorted((site / "feeds").glob("*.xml"))
    assert len(feeds) >= 3
    for feed in feeds:
        root = ElementTree.parse(feed).getroot()
        if root.tag == f"{ATOM}feed":
            assert root.get(XML_LANG) == "it", feed.name
            title = root.findtext(f"{ATOM}title")
        else:
            channel = root.find("channel")
            assert channel.findtext("language") == "it", feed.name
            title = channel.findtext("title")
        assert " - " not in title, title
        if feed.name.startswith("categoria-"):
            assert re.fullmatch(r".+ – .+", title), title


def _sitemap(site: Path) -> dict[str, str]:
    root = ElementTree.parse(site / "sitemap.xml").getroot()
    return {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}


def test_sitemap_lists_no_thin_tag_pages_no_paged_listings_and_no_404(site: Path) -> None:
    urls = _sitemap(site)
    paths = {re.sub(r"^https?://[^/]+/", "", u) for u in urls}
    assert not [p for p in paths if "/pagina/" in p or p.startswith("pagina/")]
    assert "404.html" not in paths
    for tag_page in (site / "tag").glob("*/index.html"):
        soup = BeautifulSoup(tag_page.read_text(encoding="utf-8"), "html.parser")
        count = len(soup.select(".post-list .card"))
        slug = f"tag/{tag_page.parent.name}/"
        noindex = soup.select_one('meta[name=robots][content*=noindex]') is not None
        if count < 2:
            assert slug not in paths and noindex, slug
        else:
            assert slug in paths and not noindex, slug
    for slug in ARTICLES:
        assert f"{slug}/" in paths


def test_a_listing_lastmod_is_its_newest_post(site: Path) -> None:
    urls = {re.sub(r"^https?://[^/]+/", "", u): m for u, m in _sitemap(site).items()}
    newest = max(str(meta.get("modified") or meta["date"]) for meta in ARTICLES.values())
    assert urls[""][:10] == urls["archivio/"][:10] == newest[:10]
    delega = [m for m in ARTICLES.values() if m.get("category") == "Delega"]
    if delega:
        newest_delega = max(str(m.get("modified") or m["date"]) for m in delega)
        assert urls["categoria/delega/"][:10] == newest_delega[:10]


def test_404_has_no_canonical_and_is_not_indexed(site: Path) -> None:
    soup = BeautifulSoup((site / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one("link[rel=canonical]") is None
    assert soup.select_one("meta[property='og:url']") is None
    assert soup.select_one("meta[name=robots]")["content"] == "noindex"
