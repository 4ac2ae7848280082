"""The kit page as a landing page, and its readiness test, in a real Chromium.

Expected questions and readings come from kit/kit.yaml through the build (the same data
as the PDF's «Sei pronto?» page), never from copies in this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.browser]

KIT_PAGE = "kit-sulla-delega/"


@pytest.fixture(scope="module")
def readiness(site: Path) -> dict:
    """Questions and readings as the built page shows them."""
    soup = BeautifulSoup((site / KIT_PAGE / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    form = soup.select_one("form[data-readiness]")
    assert form is not None
    readings = [
        (int(li["data-min"]), int(li["data-max"]), li.select_one(".reading-text").get_text())
        for li in form.select(".readiness-guide li")
    ]
    return {
        "questions": [f.select_one("legend").get_text(" ", strip=True)
                      for f in form.select("fieldset")],
        "readings": readings,
        "prompt": form["data-prompt"],
    }


def test_readiness_questions_are_the_kits(readiness: dict) -> None:
    import yaml

    root = Path(__file__).resolve().parent.parent
    data = yaml.safe_load((root / "kit" / "kit.yaml").read_text(encoding="utf-8"))
    section = next(s for s in data["sections"] if s.get("kind") == "readiness")
    assert readiness["questions"] == [q["text"] for q in section["questions"]]
    assert [r[2] for r in readiness["readings"]] == [g["text"] for g in section["guide"]]


@pytest.fixture
def kit_tab(browser, site_url):
    contexts = []

    def _open(width: int, height: int, *, js: bool = True, scheme: str = "light"):
        context = browser.new_context(locale="it-IT", viewport={"width": width, "height": height},
                                      java_script_enabled=js, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{site_url}/{KIT_PAGE}")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(375, 667), (1280, 800)])
def test_download_is_in_the_first_screen_and_is_the_pdf(kit_tab, site, width, height) -> None:
    page = kit_tab(width, height)
    link = page.get_by_role("link", name="Scarica il PDF").first
    box = link.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    href = link.get_attribute("href")
    assert href.endswith(".pdf") and link.get_attribute("download") is not None
    pdf = site / href.split("../")[-1].lstrip("/")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    hero = page.locator(".kit-hero")
    facts = hero.locator(".kit-facts").first.inner_text()
    assert "pagine" in facts and ("kB" in facts or "MB" in facts)
    cover = hero.locator("img.kit-cover")
    cover_box = cover.bounding_box()
    assert cover_box["y"] + cover_box["height"] / 2 <= height  # the cover is seen too
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.ok and response.body()[:5] == b"%PDF-"


def test_kit_page_card_and_thumbnails_are_real_files(site: Path) -> None:
    soup = BeautifulSoup((site / KIT_PAGE / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    image = soup.select_one("meta[property='og:image']")["content"]
    assert (site / image.split("://", 1)[-1].split("/", 1)[-1]).is_file(), image
    thumbs = soup.select(".kit-pages img")
    assert not thumbs or 3 <= len(thumbs) <= 4
    for thumb in thumbs:
        assert (site / KIT_PAGE / thumb["src"]).resolve().is_file(), thumb["src"]
        assert thumb.get("width") and thumb.get("height")
        assert thumb.find_parent("figure").figcaption.get_text().startswith("Pagina ")


def _answer(page, readiness: dict, value: str, count: int | None = None) -> None:
    fieldsets = page.locator("form[data-readiness] fieldset")
    for i in range(count if count is not None else len(readiness["questions"])):
        fieldsets.nth(i).get_by_label("sì" if value == "si" else "non ancora", exact=True).check()


def test_all_yes_gives_the_top_reading(kit_tab, readiness: dict) -> None:
    page = kit_tab(375, 667)
    _answer(page, readiness, "si")
    page.get_by_role("button", name="Leggi il risultato").click()
    result = page.locator(".readiness-result")
    expect(result).to_be_visible()
    top = max(readiness["readings"], key=lambda r: r[1])
    n = len(readiness["questions"])
    expect(result).to_contain_text(top[2])
    expect(result).to_contain_text(f"{n} domande su {n}")
    assert result.evaluate("e => e === document.activeElement")


def test_readings_follow_the_kit_ranges(kit_tab, readiness: dict) -> None:
    page = kit_tab(1280, 800)
    for low, _high, text in readiness["readings"]:
        page.get_by_role("button", name="Ricomincia").click()
        _answer(page, readiness, "no")
        _answer(page, readiness, "si", count=low)
        page.get_by_role("button", name="Leggi il risultato").click()
        expect(page.locator(".readiness-result")).to_contain_text(text)


def test_nothing_answered_gives_a_prompt_and_sends_nothing(kit_tab, readiness: dict) -> None:
    page = kit_tab(375, 667)
    requests: list[str] = []
    # What could carry the answers away: a form, a fetch, a beacon, a new page. Images
    # may still load (the thumbnails are lazy and scrolling brings them in view).
    page.on("request", lambda r: requests.append(f"{r.method} {r.resource_type} {r.url}")
            if r.method != "GET" or (r.resource_type not in ("image", "font", "stylesheet",
                                                              "script")
                                      and not r.url.endswith(("favicon.ico", "favicon.svg")))
            else None)
    page.get_by_role("button", name="Leggi il risultato").click()
    result = page.locator(".readiness-result")
    expect(result).to_have_text(readiness["prompt"])
    _answer(page, readiness, "si", count=3)
    page.get_by_role("button", name="Leggi il risultato").click()
    expect(result).to_contain_text(readiness["prompt"])
    expect(result).to_contain_text("la prima è la numero 4")
    assert requests == []
    assert page.url.endswith(KIT_PAGE)


def test_without_javascript_the_questions_are_a_printable_list(kit_tab, readiness: dict) -> None:
    page = kit_tab(375, 667, js=False)
    items = page.locator(".readiness-list > li")
    assert items.count() == len(readiness["questions"])
    for i, question in enumerate(readiness["questions"]):
        assert question in items.nth(i).inner_text()
    assert not page.get_by_role("button", name="Leggi il risultato").is_visible()
    assert page.locator(".readiness-guide li").count() == len(readiness["readings"])
    page.emulate_media(media="print")
    assert items.first.is_visible()
    assert page.locator(".readiness-guide").is_visible()
    assert not page.locator("header.site-header").is_visible()
