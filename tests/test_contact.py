"""Contact: the "Scrivimi!" box in every footer (articles excepted: their comments section
is the one invitation to write) and on the Contatti page shows the address, links it with
a prefilled Italian subject and copy that is true at any hour, with or without JavaScript."""

from __future__ import annotations

import runpy
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, expect

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = runpy.run_path(str(ROOT / "pelicanconf.py"))
EMAIL = SETTINGS["CONTACT_EMAIL"]
SUBJECT = SETTINGS["CONTACT_SUBJECT"]


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def check_box(box) -> None:
    assert box.find(["h2", "h3"]).get_text(strip=True) == "Scrivimi!"
    assert SETTINGS["CONTACT_OFFLINE_NOTICE"] in box.get_text(" ", strip=True)
    links = box.select('a[href^="mailto:"]')
    assert links
    for link in links:
        href = urlsplit(link["href"])
        assert unquote(href.path) == EMAIL
        assert parse_qs(href.query) == {"subject": [SUBJECT]}
        assert "+" not in href.query  # mail clients read "+" literally: spaces are %20
    assert EMAIL in box.get_text(" ", strip=True)  # the address itself is visible


@pytest.mark.slow
def test_every_page_has_the_box_in_its_footer(site: Path) -> None:
    for page in ("index.html", "chi-sono/index.html", "archivio/index.html", "404.html"):
        box = soup(site, page).select_one("footer .contact-box")
        assert box is not None, page
        check_box(box)
    article = soup(site, "sei-pronto-assistente-virtuale/index.html")
    assert article.select_one(".contact-box") is None
    assert len(article.select('a[href^="mailto:"]:not([href^="mailto:?"])')) == 1


def test_the_copy_is_true_at_any_hour() -> None:
    notice = SETTINGS["CONTACT_OFFLINE_NOTICE"].lower()
    assert "online" not in notice and "in questo momento" not in notice


@pytest.mark.slow
def test_contatti_page_shows_the_box_once_in_its_content(site: Path) -> None:
    page = soup(site, "contatti/index.html")
    boxes = page.select(".contact-box")
    assert len(boxes) == 1
    assert boxes[0].find_parent("main") is not None
    check_box(boxes[0])
    ids = [el["id"] for el in page.select("[id]")]
    assert len(ids) == len(set(ids))


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.slow
def test_the_browser_hands_the_mail_client_address_and_subject(
    browser: Browser, site_url: str, javascript: bool
) -> None:
    context = browser.new_context(locale="it-IT", java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(site_url + "/contatti/")
        box = page.get_by_role("region", name="Scrivimi!")
        expect(box).to_be_visible()
        expect(box).to_contain_text(SETTINGS["CONTACT_OFFLINE_NOTICE"])
        link = box.get_by_role("link", name=EMAIL)
        expect(link).to_be_visible()
        href = urlsplit(link.get_attribute("href"))
        assert (href.scheme, unquote(href.path), parse_qs(href.query)) == (
            "mailto", EMAIL, {"subject": [SUBJECT]}
        )
        if javascript:  # and as Chromium itself parses it for the mail client
            assert link.evaluate(
                """(a) => { const u = new URL(a.href);
                    return [u.protocol, decodeURIComponent(u.pathname),
                            u.searchParams.get("subject")]; }"""
            ) == ["mailto:", EMAIL, SUBJECT]
    finally:
        context.close()
