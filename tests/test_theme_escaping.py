"""A post whose title and summary hold ``<script>``, ``</script>``, quotes and ``&`` is shown
as text everywhere: page, listings, meta tags, JSON-LD, feeds; and a draft beside it
stays out of every listing, feed and the sitemap."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from tests.sitecopy import copy_project, invoke

pytestmark = pytest.mark.slow

TITLE = 'Perché <script>alert("titolo")</script> non basta & l’altro \'apice\''
SUMMARY = "Riassunto con <script>alert('riassunto')</script>, \"virgolette\" & <b>grassetto</b>."
SLUG = "titolo-ostile"
DRAFT_SLUG = "bozza-da-non-pubblicare"
SITEURL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("ostile") / "project")
    articles = project / "content" / "articles"
    (articles / "ostile.md").write_text(
        f"""Title: {TITLE}
Date: 2026-10-01 09:00
Category: Delega
Tags: delega, organizzazione
Slug: {SLUG}
Summary: {SUMMARY}

Il corpo dell’articolo è innocuo: parla di `<script>` solo come codice.
""",
        encoding="utf-8",
    )
    (articles / "bozza.md").write_text(
        f"""Title: Una bozza
Date: 2026-10-02 09:00
Category: Delega
Tags: delega
Slug: {DRAFT_SLUG}
Summary: Non ancora pronta.
Status: draft

Testo della bozza.
""",
        encoding="utf-8",
    )
    result = invoke(project, "build", env={"LANG": "C", "LC_ALL": "C"})
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "output"


def page(site: Path, rel: str) -> tuple[str, BeautifulSoup]:
    raw = (site / rel).read_text(encoding="utf-8")
    return raw, BeautifulSoup(raw, "html.parser")


def no_live_script(raw: str) -> None:
    """The only <script> elements are the theme's own: external files and JSON-LD."""
    for attrs in re.findall(r"<script\b([^>]*)>", raw, flags=re.I):
        assert "src=" in attrs or 'type="application/ld+json"' in attrs, attrs


def test_article_page_shows_title_and_summary_as_text(hostile_site: Path) -> None:
    raw, doc = page(hostile_site, f"{SLUG}/index.html")
    assert "<script>alert" not in raw
    no_live_script(raw)
    assert doc.h1.get_text() == TITLE
    assert doc.title.get_text().startswith(TITLE + " – ")
    for selector in ('meta[name="description"]', 'meta[property="og:description"]'):
        assert doc.select_one(selector)["content"].startswith(SUMMARY[:40]), selector
    assert doc.select_one('meta[property="og:title"]')["content"] == TITLE
    assert doc.select_one('meta[property="og:image:alt"]')["content"] == TITLE


def test_json_ld_keeps_the_text_and_cannot_close_its_script(hostile_site: Path) -> None:
    raw, doc = page(hostile_site, f"{SLUG}/index.html")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, flags=re.S)
    assert blocks
    for block in blocks:
        assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003cscript\\u003e" in blocks[0]
    data = json.loads(doc.select_one('script[type="application/ld+json"]').string)
    items = {item["@type"]: item for item in data["@graph"]}
    assert items["BlogPosting"]["headline"] == TITLE
    assert items["BlogPosting"]["description"] == SUMMARY
    assert items["BreadcrumbList"]["itemListElement"][-1]["name"] == TITLE


@pytest.mark.parametrize("rel", ["index.html", "archivio/index.html", "tag/delega/index.html",
                                 "categoria/delega/index.html"])
def test_listings_show_the_title_as_text(hostile_site: Path, rel: str) -> None:
    raw, doc = page(hostile_site, rel)
    assert "<script>alert" not in raw
    no_live_script(raw)
    link = doc.find("a", href=re.compile(SLUG))
    assert link is not None and link.get_text() == TITLE
    card = link.find_parent("article")
    if card is not None:  # listings with summaries
        assert card.select_one(".card-summary").get_text(strip=True) == SUMMARY


def test_related_and_neighbour_links_elsewhere_are_escaped(hostile_site: Path) -> None:
    for html in hostile_site.rglob("*.html"):
        raw = html.read_text(encoding="utf-8")
        assert "<script>alert" not in raw, html
        assert "<b>grassetto</b>" not in raw, html


@pytest.mark.parametrize("feed", ["feeds/tutti.atom.xml", "feeds/tutti.rss.xml"])
def test_feeds_show_title_and_summary_as_text(hostile_site: Path, feed: str) -> None:
    data = (hostile_site / feed).read_bytes()
    assert b"<script" not in data
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    entry = next(e for e in parsed.entries if SLUG in e.link)
    assert entry.title == TITLE
    if feed.endswith("atom.xml"):
        assert BeautifulSoup(entry.summary, "html.parser").get_text() == SUMMARY


def test_draft_is_in_no_listing_feed_or_sitemap(hostile_site: Path) -> None:
    leaks = [
        p.relative_to(hostile_site).as_posix()
        for p in hostile_site.rglob("*")
        if p.is_file() and p.suffix in {".html", ".xml", ".txt"}
        and DRAFT_SLUG.encode() in p.read_bytes()
    ]
    assert leaks == []
    assert not (hostile_site / "og" / f"{DRAFT_SLUG}.png").exists()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.parse(hostile_site / "sitemap.xml").getroot().findall(
        "s:url/s:loc", ns)]
    assert f"{SITEURL}/{SLUG}/" in locs


@pytest.mark.browser
def test_browser_runs_no_script_from_the_title(browser, hostile_site: Path) -> None:
    from tests.browser_support import serve_directory

    with serve_directory(hostile_site) as url:
        context = browser.new_context(locale="it-IT")
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in ("", f"{SLUG}/", "archivio/", "tag/delega/"):
            tab.goto(f"{url}/{rel}", wait_until="load")
        title = tab.evaluate("() => document.title")
        context.close()
    assert dialogs == []
    assert title.startswith("Articoli su «delega»")
