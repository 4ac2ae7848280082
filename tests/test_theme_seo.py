"""What search engines, link previews and feed readers get from the built site.

Expected values come from the content's own front matter and from the settings.
"""

from __future__ import annotations

import json
import math
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SITEURL = "http://127.0.0.1:8000"  # pelicanconf.SITEURL, what `invoke build` uses
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
FETCHING = {  # element → attributes whose URL the browser fetches on its own
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "embed": ("src",), "object": ("data",), "track": ("src",),
}
FETCHED_LINK_RELS = {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload",
                     "manifest", "prefetch", "dns-prefetch", "preconnect"}


def front_matter(path: Path) -> dict[str, str]:
    meta = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    return meta


ARTICLES = {
    front_matter(p)["slug"]: front_matter(p)
    for p in sorted((ROOT / "content" / "articles").glob("*.md"))
}
PAGES = {
    front_matter(p)["slug"]: front_matter(p)
    for p in sorted((ROOT / "content" / "pages").glob("*.md"))
}


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def html_files(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] != "pagefind"
    )


def public_url(rel: str) -> str:
    return SITEURL + "/" + re.sub(r"(^|/)index\.html$", r"\1", rel)


def meta(doc: BeautifulSoup, **attrs: str) -> str:
    tag = doc.find("meta", attrs=attrs)
    assert tag is not None, f"manca <meta {attrs}>"
    return tag["content"]


def jsonld(doc: BeautifulSoup) -> list[dict]:
    found = []
    for script in doc.select('script[type="application/ld+json"]'):
        data = json.loads(script.string)
        found += data.get("@graph", [data])
    return found


def test_every_page_has_a_unique_title_and_description(site: Path) -> None:
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for rel in html_files(site):
        doc = soup(site, rel)
        title = doc.title.get_text()
        description = meta(doc, name="description")
        assert title.strip() and description.strip(), rel
        assert len(description) <= 200, (rel, description)
        assert title not in titles, f"{rel} e {titles.get(title)} hanno lo stesso titolo"
        assert description not in descriptions, (
            f"{rel} e {descriptions.get(description)} hanno la stessa descrizione")
        titles[title] = rel
        descriptions[description] = rel


def test_canonical_and_open_graph_point_to_the_page_itself(site: Path) -> None:
    for rel in html_files(site):
        if rel == "404.html":
            continue
        doc = soup(site, rel)
        canonical = doc.find("link", rel="canonical")["href"]
        assert canonical == public_url(rel), rel
        assert meta(doc, property="og:url") == canonical
        assert meta(doc, name="twitter:card") == "summary_large_image"
        image = meta(doc, property="og:image")
        assert image.startswith(SITEURL + "/"), (rel, image)
        assert (site / image.removeprefix(SITEURL + "/")).is_file(), (rel, image)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_article_preview_has_its_own_1200x630_image(site: Path, slug: str) -> None:
    doc = soup(site, f"{slug}/index.html")
    assert meta(doc, property="og:type") == "article"
    assert meta(doc, property="og:title") == ARTICLES[slug]["title"]
    image = meta(doc, property="og:image")
    assert slug in image
    assert png_size(site / image.removeprefix(SITEURL + "/")) == (1200, 630)
    assert meta(doc, property="og:image:width") == "1200"
    assert meta(doc, property="og:image:height") == "630"
    assert meta(doc, property="article:published_time").startswith(ARTICLES[slug]["date"][:10])


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_article_json_ld_describes_post_and_breadcrumb(site: Path, slug: str) -> None:
    source = ARTICLES[slug]
    items = {item["@type"]: item for item in jsonld(soup(site, f"{slug}/index.html"))}
    posting = items["BlogPosting"]
    assert posting["headline"] == source["title"]
    assert posting["datePublished"].startswith(source["date"][:10])
    assert posting["dateModified"].startswith((source.get("modified") or source["date"])[:10])
    assert posting["mainEntityOfPage"] == f"{SITEURL}/{slug}/"
    assert posting["image"].endswith(f"/og/{slug}.png")
    assert posting["author"]["name"]
    crumbs = [e["name"] for e in items["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["Home", source["category"], source["title"]]


def test_home_declares_the_website(site: Path) -> None:
    items = {item["@type"]: item for item in jsonld(soup(site, "index.html"))}
    assert items["WebSite"]["url"] == SITEURL + "/"
    assert items["WebSite"]["inLanguage"] == "it-IT"


def test_sitemap_lists_every_public_page_and_nothing_else(site: Path) -> None:
    tree = ET.parse(site / "sitemap.xml")
    listed = [loc.text for loc in tree.getroot().findall("s:url/s:loc", SITEMAP_NS)]
    # Not the 404 page, not «pagina/N» pages, not thin tag pages (they say noindex).
    expected = {
        public_url(rel) for rel in html_files(site)
        if rel != "404.html" and "/pagina/" not in f"/{rel}"
        and not soup(site, rel).select_one('meta[name=robots][content*=noindex]')
    }
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    for slug in [*ARTICLES, *PAGES]:
        assert f"{SITEURL}/{slug}/" in listed


def test_robots_txt_points_to_the_sitemap_by_absolute_url(site: Path) -> None:
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots.splitlines()
    assert not (site / "extra" / "robots.txt").exists()


@pytest.mark.parametrize("feed", ["feeds/tutti.atom.xml", "feeds/tutti.rss.xml"])
def test_feeds_parse_and_carry_every_article_in_full(site: Path, feed: str) -> None:
    parsed = feedparser.parse((site / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    by_link = {entry.link: entry for entry in parsed.entries}
    assert set(by_link) == {f"{SITEURL}/{slug}/" for slug in ARTICLES}
    for slug, source in ARTICLES.items():
        entry = by_link[f"{SITEURL}/{slug}/"]
        assert entry.title == source["title"]
        body = entry.content[0].value if "content" in entry else entry.description
        prose = soup(site, f"{slug}/index.html").select_one(".prose")
        for box in prose.select(".kit-box"):  # drawn by the theme, not part of the post
            box.decompose()
        article_text = prose.get_text(" ")
        feed_text = BeautifulSoup(body, "html.parser").get_text(" ")
        # The whole article, not a summary: its last words are in the feed.
        assert " ".join(article_text.split()[-12:]) in " ".join(feed_text.split()), slug


def test_pages_link_their_feeds(site: Path) -> None:
    doc = soup(site, "index.html")
    types = {link["type"]: link["href"] for link in doc.find_all("link", rel="alternate")}
    assert types["application/atom+xml"] == f"{SITEURL}/feeds/tutti.atom.xml"
    assert types["application/rss+xml"] == f"{SITEURL}/feeds/tutti.rss.xml"


def _fetched_urls(doc: BeautifulSoup) -> list[str]:
    urls = []
    for name, attrs in FETCHING.items():
        for tag in doc.find_all(name):
            for attr in attrs:
                for part in (tag.get(attr) or "").split(","):
                    if part.strip():
                        urls.append(part.split()[0])
    for link in doc.find_all("link", href=True):
        if FETCHED_LINK_RELS & set(link.get("rel", [])):
            urls.append(link["href"])
    urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", " ".join(
        tag.get("style", "") for tag in doc.find_all(style=True)))
    return urls


def test_no_page_or_stylesheet_loads_anything_from_another_site(site: Path) -> None:
    foreign = []
    own = urlsplit(SITEURL).netloc
    for rel in html_files(site):
        for url in _fetched_urls(soup(site, rel)):
            netloc = urlsplit(url).netloc
            if netloc and netloc != own:
                foreign.append(f"{rel}: {url}")
    for css in (site / "theme").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if urlsplit(url).netloc:
                foreign.append(f"{css.name}: {url}")
        assert "@import" not in css.read_text(encoding="utf-8")
    assert foreign == []


def test_no_inline_code_or_style_for_the_strict_csp(site: Path) -> None:
    for rel in html_files(site):
        doc = soup(site, rel)
        assert doc.find(style=True) is None, rel
        assert doc.find("style") is None, rel
        for script in doc.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", rel
        for tag in doc.find_all(True):
            assert not any(a.startswith("on") for a in tag.attrs), (rel, tag.name)


def test_images_have_dimensions_and_load_lazily_in_the_body(site: Path) -> None:
    for rel in html_files(site):
        doc = soup(site, rel)
        first_in_text = {id(p.find("img")) for p in doc.select("main .prose") if p.find("img")}
        for img in doc.select("main img"):
            assert img.get("width") and img.get("height"), (rel, img)
            assert img.get("alt") is not None, (rel, img)
            # Only a post's first picture (or the kit page's cover, the landing page's
            # first screen) may load at once: all others wait.
            if img.get("class") == ["kit-cover"]:
                continue
            if img.find_parent(class_="kit-box") or id(img) not in first_in_text:
                assert img.get("loading") == "lazy", (rel, img)


def test_favicons_exist(site: Path) -> None:
    doc = soup(site, "index.html")
    for link in doc.find_all("link", rel=["icon", "apple-touch-icon"]):
        assert (site / link["href"].removeprefix("./")).is_file(), link
    assert (site / "favicon.ico").is_file() and (site / "favicon.svg").is_file()


def test_404_page_is_not_indexed_and_works_from_any_depth(site: Path) -> None:
    doc = soup(site, "404.html")
    assert meta(doc, name="robots") == "noindex"
    stylesheet = doc.find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/"), "la 404 è servita a qualsiasi profondità"
    assert "Pagina non trovata" in doc.h1.get_text()


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_article_header_shows_category_dates_and_reading_time(site: Path, slug: str) -> None:
    source = ARTICLES[slug]
    doc = soup(site, f"{slug}/index.html")
    header = doc.select_one("article .post-header")
    assert header.select_one(".breadcrumb").get_text(" ", strip=True) == f"In {source['category']}"
    assert header.h1.get_text() == source["title"]
    times = [t["datetime"][:10] for t in header.select(".post-meta time")]
    updated = [source["modified"][:10]] if "modified" in source else []
    assert times == [source["date"][:10], *updated]
    if "modified" in source:
        assert "aggiornato il" in header.select_one(".post-meta").get_text()
    words = len(re.findall(r"\w[\w’'-]*", doc.select_one(".prose").get_text(" ")))
    minutes = max(1, math.ceil(words / 200))
    # The kit box adds a few words to the page; allow one minute either way.
    shown = int(header.select_one(".reading-time").get_text().split()[0])
    assert abs(shown - minutes) <= 1, (shown, minutes, words)
    assert header.select_one(".reading-time").get_text().endswith(
        "minuto di lettura" if shown == 1 else "minuti di lettura")


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_article_has_share_links_author_box_and_neighbours(site: Path, slug: str) -> None:
    doc = soup(site, f"{slug}/index.html")
    shares = [a["href"] for a in doc.select(".share a")]
    assert any(h.startswith("mailto:") for h in shares)
    assert all(f"{slug}%2F" in h or f"{slug}/" in h for h in shares)
    box = doc.select_one(".author-box")
    assert "Giulia" in box.get_text() and box.select_one('a[href$="chi-sono/"]')
    # Previous and next by date: in the post navigation, or already among the related posts.
    nav = doc.select_one("nav.post-nav")
    related = {a["href"] for a in doc.select("section.related a")}
    dates = sorted(ARTICLES, key=lambda s: ARTICLES[s]["date"])
    position = dates.index(slug)
    for rel, index in (("prev", position - 1), ("next", position + 1)):
        link = nav.select_one(f'a[rel="{rel}"]') if nav else None
        if 0 <= index < len(dates):
            target = f"{dates[index]}/"
            in_related = any(h.endswith(target) for h in related)
            assert (link is not None and link["href"].endswith(target)) != in_related, (rel, slug)
        else:
            assert link is None
    assert doc.select_one("section.comments") is not None


def test_listings_paginate_and_show_summaries(site: Path) -> None:
    per_page = 6  # pelicanconf.DEFAULT_PAGINATION
    pages = math.ceil(len(ARTICLES) / per_page)
    seen = []
    for number in range(1, pages + 1):
        rel = "index.html" if number == 1 else f"pagina/{number}/index.html"
        doc = soup(site, rel)
        cards = doc.select("main article.card")
        seen += [c.h2.a["href"].rstrip("/").rsplit("/", 1)[-1] for c in cards]
        for card in cards:
            assert card.select_one(".card-summary").get_text(strip=True)
        if pages > 1:
            assert f"Pagina {number} di {pages}" in doc.select_one("nav.pagination").get_text()
    newest_first = sorted(ARTICLES, key=lambda s: ARTICLES[s]["date"], reverse=True)
    assert seen == newest_first


def test_category_tag_author_and_archive_pages_list_their_articles(site: Path) -> None:
    categories: dict[str, set[str]] = {}
    for slug, source in ARTICLES.items():
        categories.setdefault(source["category"], set()).add(slug)
    listing = soup(site, "categorie/index.html")
    for name, slugs in categories.items():
        link = listing.find("a", string=name)
        doc = soup(site, link["href"].removeprefix("../") + "index.html")
        found = {a["href"].rstrip("/").rsplit("/", 1)[-1] for a in doc.select("main .card-title a")}
        assert found == slugs, name
    archive = soup(site, "archivio/index.html")
    assert len(archive.select(".archive-list li")) == len(ARTICLES)
    author = soup(site, "autore/giulia/index.html")
    assert author.h1.get_text(" ", strip=True).endswith("Giulia")
    tags = soup(site, "tag/index.html")
    assert tags.find("a", string="delega") is not None
