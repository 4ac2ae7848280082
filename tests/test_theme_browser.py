"""The theme as a reader sees it, in a real Chromium: article widgets, dark mode, small
screens, keyboard, print, and a strict Content-Security-Policy.

Expected values are derived from the content's front matter and from the built kit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import TabPerSetting, serve_directory
from tests.test_theme_seo import ARTICLES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
SERIES = sorted(
    (slug for slug, meta in ARTICLES.items() if meta.get("series")),
    key=lambda slug: int(ARTICLES[slug]["series_index"]),
)
CTA_ARTICLE = "sei-pronto-assistente-virtuale"  # the seed article, the heaviest page
PAGE_TYPES = {
    "home": "",
    "home, pagina 2": "pagina/2/",
    "articolo della serie": f"{SERIES[len(SERIES) // 2]}/",
    "articolo con il kit": f"{CTA_ARTICLE}/",
    "pagina": "chi-sono/",
    "pagina del kit": "kit-sulla-delega/",
    "contatti": "contatti/",
    "categoria": "categoria/delega/",
    "tag": "tag/delega/",
    "autrice": "autore/giulia/",
    "archivio": "archivio/",
    "categorie": "categorie/",
    "tag, elenco": "tag/",
    "404": "404.html",
}
STRICT_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'"


def luminance(rgb: str) -> float:
    channels = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture
def open_page(browser, site_url):
    """Open a page of the site at a width and colour scheme; pages of one test with the
    same width and scheme share one tab (``TabPerSetting``: the loops over every article
    opened one context per article)."""
    tabs = TabPerSetting(browser)

    def _open(path: str, *, width: int = 1280, scheme: str = "light"):
        return tabs.open(f"{site_url}/{path}", viewport={"width": width, "height": 800},
                         color_scheme=scheme)

    yield _open
    tabs.close()


def test_related_posts_share_tags_and_never_repeat_the_series_box(open_page) -> None:
    shown = 0
    for slug, source in ARTICLES.items():
        tab = open_page(f"{slug}/")
        related = tab.locator("section.related")
        if not related.count():
            continue
        shown += 1
        assert related.locator("h2").inner_text() == "Potrebbero interessarti anche"
        tags = {t.strip() for t in source["tags"].split(",")}
        in_series_box = set(tab.locator("nav#serie ol a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"))
        for href in related.locator("li a").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))"):
            other = ARTICLES[href.rstrip("/").rsplit("/", 1)[-1]]
            shared = tags & {t.strip() for t in other["tags"].split(",")}
            assert other is not source and shared, (slug, href)
            assert href not in in_series_box, (slug, href)
            assert not (source.get("series") and other.get("series") == source["series"])
    assert shown >= len(ARTICLES) - 1


def test_series_navigation_shows_part_n_of_m_and_moves_through_the_series(open_page) -> None:
    total = len(SERIES)
    assert total >= 3
    for position, slug in enumerate(SERIES, start=1):
        tab = open_page(f"{slug}/")
        nav = tab.locator("nav#serie")
        assert nav.is_visible()
        assert f"Parte {position} di {total}" in nav.inner_text()
        assert f"Parte {position} di {total}" in tab.locator(".series-pointer").inner_text()
        assert nav.locator("ol li").count() == total
        assert nav.locator("[aria-current=page]").count() == 1
        assert nav.locator("ol li").nth(position - 1).locator("[aria-current=page]").count() == 1
        previous, following = nav.locator("a[rel=prev]"), nav.locator("a[rel=next]")
        assert previous.count() == (position > 1)
        assert following.count() == (position < total)
        if position < total:
            following.click()
            tab.wait_for_url(f"**/{SERIES[position]}/")
            assert tab.locator("h1").inner_text() == ARTICLES[SERIES[position]]["title"]


def test_every_article_ends_with_the_kit_box_outside_the_article(open_page, site: Path) -> None:
    from pypdf import PdfReader

    for slug in ARTICLES:
        tab = open_page(f"{slug}/")
        box = tab.locator("main > article.post + section.kit-box")
        assert box.count() == 1, slug
        assert tab.locator("article section.kit-box, article aside").count() == 0, slug
        if slug != CTA_ARTICLE:
            continue
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        download = box.get_by_role("link", name="Scarica il PDF")
        pdf_href = download.get_attribute("href")
        assert pdf_href.endswith(".pdf") and download.get_attribute("download") is not None
        pdf = site / pdf_href.split("../", 1)[-1].lstrip("/")
        pages = len(PdfReader(pdf).pages)
        assert f"{pages} pagine" in box.inner_text()
        image = box.locator("img")
        assert image.get_attribute("loading") == "lazy"
        image.wait_for(state="visible")
        tab.wait_for_function("img => img.complete && img.naturalWidth > 0",
                              arg=image.element_handle())
        pdf_url = tab.url.rsplit("/", 2)[0] + "/" + pdf.relative_to(site).as_posix()
        response = tab.request.get(pdf_url)
        assert response.ok and response.body()[:5] == b"%PDF-"


def test_scarica_always_downloads_the_pdf(site: Path) -> None:
    """One meaning for «Scarica» everywhere: every link whose words start with it is the PDF."""
    from bs4 import BeautifulSoup

    for html in site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select("a[href]"):
            if link.get_text(" ", strip=True).lower().startswith("scarica"):
                assert link["href"].endswith(".pdf"), (html, link)


def test_dark_mode_follows_the_system_with_readable_contrast(open_page) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        tab = open_page(PAGE_TYPES["articolo della serie"], scheme=scheme)
        colours[scheme] = tab.evaluate("""() => {
            const s = e => getComputedStyle(document.querySelector(e));
            return {bg: s('body').backgroundColor, fg: s('body').color,
                    link: s('.prose a, main a').color, muted: s('.post-meta').color,
                    box: s('.series').backgroundColor};
        }""")
    light, dark = colours["light"], colours["dark"]
    assert luminance(light["bg"]) > 0.8 and luminance(dark["bg"]) < 0.05
    for scheme, c in colours.items():
        assert contrast(c["fg"], c["bg"]) >= 7, scheme
        assert contrast(c["link"], c["bg"]) >= 4.5, scheme
        assert contrast(c["muted"], c["bg"]) >= 4.5, scheme
        assert contrast(c["fg"], c["box"]) >= 7, scheme


@pytest.mark.parametrize("width", [320, 375])
def test_no_horizontal_scroll_on_small_screens(open_page, width: int) -> None:
    wide = {}
    tab = open_page("", width=width)
    base = tab.url.rstrip("/")
    for name, path in PAGE_TYPES.items():
        tab.goto(f"{base}/{path}")
        for scheme in ("light", "dark"):  # one load, both schemes (the switch is CSS only)
            tab.emulate_media(color_scheme=scheme)
            overflow = tab.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide[name, scheme] = overflow
    assert wide == {}


def test_skip_link_is_first_visible_on_focus_and_jumps_to_main(open_page) -> None:
    tab = open_page(PAGE_TYPES["articolo della serie"])
    skip = tab.locator("a.skip-link")
    assert skip.bounding_box()["y"] < 0  # out of sight until focused
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    assert tab.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    tab.keyboard.press("Enter")
    assert tab.evaluate("() => document.activeElement.id") == "contenuto"
    tab.keyboard.press("Tab")
    inside = tab.evaluate("() => !!document.activeElement.closest('main')")
    assert inside


def test_print_keeps_the_article_and_drops_the_chrome(open_page) -> None:
    tab = open_page(PAGE_TYPES["articolo della serie"])
    tab.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", ".share", "section.related",
                   "nav.post-nav", "nav#serie"):
        assert not tab.locator(hidden).first.is_visible(), hidden
    assert tab.locator("article .prose").is_visible()
    assert tab.evaluate("() => getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")


def test_pages_obey_a_strict_content_security_policy(browser, site: Path) -> None:
    with serve_directory(site, {"Content-Security-Policy": STRICT_CSP}) as url:
        context = browser.new_context(locale="it-IT")
        tab = context.new_page()
        refused: list[str] = []
        tab.on("console", lambda msg: refused.append(msg.text)
               if "Content Security Policy" in msg.text else None)
        for path in PAGE_TYPES.values():
            tab.goto(f"{url}/{path}", wait_until="load")
        context.close()
    assert refused == []
