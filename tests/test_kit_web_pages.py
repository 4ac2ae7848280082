"""The kit's web edition around the phone visit (tests/test_kit_web.py): one control per
PDF field, no JavaScript, no storage, the answers shared with the kit page's test, sums,
errors and room announced, axe, print, weight; the kit page and every kit box lead to it.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import expect
from pypdf import PdfReader

from blog.checks.budget import PAGE_BUDGETS, _brotli_size, page_loads
from tests.kit_web_support import (
    EDITION,
    ON_TAP,
    TYPED,
    fill,
    pdf_fields,
    phone,
    served_with_policy,
    wait_until_kept,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
NO_STORAGE = """Object.defineProperty(window, "localStorage", {configurable: true,
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); }});"""


@pytest.fixture(scope="module")
def csp_url(site: Path) -> Iterator[str]:
    with served_with_policy(site) as url:
        yield url


def _titles() -> list[str]:
    data = yaml.safe_load((ROOT / "kit" / "kit.yaml").read_text(encoding="utf-8"))
    return [s["title"] for s in data["sections"]]


def test_every_pdf_field_has_exactly_one_control_of_its_name(site: Path) -> None:
    soup = BeautifulSoup((site / EDITION / "index.html").read_text(encoding="utf-8"), "html.parser")
    edition = soup.select_one("article.kit-web")
    assert edition.find("form") is None and edition.find(attrs={"action": True}) is None
    controls: dict[str, list] = {}
    for control in soup.select("[data-kit-form] input[name], [data-kit-form] textarea[name]"):
        controls.setdefault(control["name"], []).append(control)
        assert control.find_parent("label").get_text(strip=True), control["name"]  # labelled
    expected = pdf_fields(PdfReader(site / "kit" / "kit-sulla-delega.pdf"))
    assert set(controls) == set(expected)
    for name, (kind, values) in expected.items():
        found = controls[name]
        if kind == "radio":
            assert tuple(c["value"] for c in found) == values, name
            assert all(c["type"] == "radio" for c in found)
            assert found[0].find_parent("fieldset").legend, name  # one question, one legend
        else:
            (control,) = found
            assert control.name == ("textarea" if kind == "area" else "input"), name
            assert kind != "check" or control["type"] == "checkbox"


def test_without_javascript_every_exercise_is_there_with_the_pdf(browser, csp_url: str) -> None:
    context = browser.new_context(locale="it-IT", viewport={"width": 375, "height": 667},
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/{EDITION}")
        headings = page.locator(".kw-part h2")
        assert headings.all_text_contents() == _titles()
        for index in range(headings.count()):  # each one seen where it is
            headings.nth(index).scroll_into_view_if_needed()
            expect(headings.nth(index)).to_have_text(_titles()[index], use_inner_text=True)
        link = page.get_by_role("link", name="Scarica il PDF")
        expect(link).to_be_visible()
        assert link.get_attribute("href").endswith(".pdf")
        expect(page.get_by_text("Senza JavaScript questa pagina non conserva")).to_be_visible()
        assert not page.get_by_role("button", name="Scarica il PDF compilato").is_visible()
    finally:
        context.close()


def test_without_storage_it_fills_downloads_and_says_nothing_is_kept(browser, csp_url: str,
                                                                     tmp_path: Path) -> None:
    context = phone(browser)
    context.add_init_script(script=NO_STORAGE)
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/{EDITION}")
        fill(page, {"obiettivi-risultato": TYPED, "sei-pronto-distanza": "non-ancora"})
        expect(page.locator("[data-kit-status]")).to_contain_text("non conserva le risposte")
        with page.expect_download() as download:
            page.locator(".kw-tools [data-kit-download]").tap()
        saved = tmp_path / "compilato.pdf"
        download.value.save_as(saved)
        fields = PdfReader(saved).get_fields()
        assert fields["obiettivi-risultato"]["/V"] == TYPED
        assert fields["sei-pronto-distanza"]["/V"] == "/non-ancora"
    finally:
        context.close()


def test_the_kit_pages_test_and_the_edition_share_the_answers(browser, csp_url: str) -> None:
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/kit-sulla-delega/")
        page.locator("form[data-readiness] fieldset").first.get_by_label("sì", exact=True).check()
        wait_until_kept(page, "sei-pronto-lasciare")
        page.goto(f"{csp_url}/{EDITION}")
        expect(page.locator('[name="sei-pronto-lasciare"][value="si"]')).to_be_checked()
        page.locator('[name="sei-pronto-distanza"][value="non-ancora"]').check()
        expect(page.locator("[data-kit-reading]")).to_contain_text("Ne hai risposte 2 su 10")
        wait_until_kept(page, "sei-pronto-distanza")
        page.goto(f"{csp_url}/kit-sulla-delega/")
        second = page.locator("form[data-readiness] fieldset").nth(1)
        expect(second.get_by_label("non ancora", exact=True)).to_be_checked()
        page.get_by_role("button", name="Ricomincia").click()
        page.goto(f"{csp_url}/{EDITION}")
        expect(page.locator('[name="sei-pronto-lasciare"][value="si"]')).not_to_be_checked()
    finally:
        context.close()


def test_answers_given_before_the_scripts_come_are_kept(browser, csp_url: str) -> None:
    """On a slow phone the page is usable before its scripts: what the reader answers
    meanwhile is not overwritten by what the device had, and is saved once they come."""
    context = phone(browser)
    held: list = []
    context.route("**/theme/js/kit-answers.*", lambda route: held.append(route))  # no cache
    try:
        page = context.new_page()

        def release() -> None:
            page.wait_for_function("() => true")  # let the page ask for the script
            for _ in range(100):
                if held:
                    break
                page.wait_for_timeout(50)
            assert held, "the page never asked for kit-answers.js"
            while held:
                held.pop().continue_()

        page.goto(f"{csp_url}/kit-sulla-delega/")
        page.locator("form[data-readiness] fieldset").first.get_by_label("sì", exact=True).check()
        release()
        wait_until_kept(page, "sei-pronto-lasciare")
        page.goto(f"{csp_url}/{EDITION}")
        fill(page, {"inventario-1-attivita": TYPED})
        release()
        wait_until_kept(page, "inventario-1-attivita")
        page.reload()
        release()
        expect(page.locator('[name="sei-pronto-lasciare"][value="si"]')).to_be_checked()
        expect(page.locator('[name="inventario-1-attivita"]')).to_have_value(TYPED)
    finally:
        context.close()


def test_sums_errors_and_room_in_the_pdf_are_said(browser, csp_url: str) -> None:
    context = phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/{EDITION}")
        hours = page.locator('[name="inventario-1-ore"]')
        fill(page, {"inventario-1-ore": "tre", "inventario-1-tipo": "marginale"})
        expect(hours).to_have_attribute("aria-invalid", "true")
        error = page.locator("#k-inventario-1-ore-errore")
        expect(error).to_have_text("Ore a settimana: scrivi le ore in cifre, per esempio 5 o 2,5: "
                                   "così le somme si fanno da sole.")  # under the row, named
        assert "k-inventario-1-ore-errore" in hours.get_attribute("aria-describedby")
        hours.fill("2,5")
        expect(hours).not_to_have_attribute("aria-invalid", "true")
        total = page.locator('[name="inventario-totale-marginali"]')
        expect(total).to_have_value("2,5")
        announce = page.locator("[data-kit-announce]")
        expect(announce).to_have_text("Totale ore a settimana spese in attività marginali: 2,5 ore")
        total.fill("4")  # the reader's own sum stays theirs
        fill(page, {"inventario-2-ore": "1", "inventario-2-tipo": "marginale"})
        expect(total).to_have_value("4")
        total.fill("")  # emptied: it adds up again
        fill(page, {"inventario-3-ore": "1"})
        expect(total).to_have_value("3,5")
        fill(page, {"inventario-1-attivita": "Rispondere " * 12})
        page.locator('[name="inventario-1-delegare"]').tap()
        room = page.locator("#k-inventario-1-attivita-spazio")
        expect(room).to_contain_text("Attività: nel PDF entrano circa")
        assert announce.get_attribute("role") == "status"
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(375, 667), (1280, 800)])
def test_the_kit_page_offers_both_in_the_first_screen(browser, csp_url: str, width: int,
                                                      height: int) -> None:
    context = browser.new_context(locale="it-IT", viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/kit-sulla-delega/")
        for name in ("Scarica il PDF", "Compilalo online"):
            box = page.get_by_role("link", name=name).first.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (name, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        online = page.get_by_role("link", name="Compilalo online").first
        assert online.get_attribute("href").endswith("/compila/")
    finally:
        context.close()


def test_every_kit_box_leads_to_the_edition(site: Path) -> None:
    articles = [p for p in site.glob("*/index.html")
                if 'class="kit-box"' in p.read_text(encoding="utf-8")]
    assert articles
    for path in articles:
        box = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one(".kit-box")
        links = {a.get_text(strip=True): a["href"] for a in box.select("a[href]")}
        assert links["compilalo online"].endswith("kit-sulla-delega/compila/"), path
        assert links["Scarica il PDF"].endswith(".pdf")


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_on_the_filled_edition_light_and_dark(browser, csp_url: str,
                                                                width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from blog.checks.a11y import AXE_RUN

    context = browser.new_context(locale="it-IT", viewport={"width": width, "height": 800},
                                  bypass_csp=True)  # axe comes as a script of its own
    context.add_init_script(script=Axe().axe_script)
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/{EDITION}")
        page.locator('[name="inventario-1-ore"]').fill("tre")
        page.locator('[name="inventario-1-attivita"]').fill("Rispondere " * 12)
        page.locator('[name="sei-pronto-lasciare"][value="si"]').check()
        page.locator('[name="obiettivi-ore-ora"]').focus()  # the errors and notes appear
        for more in page.locator("[data-kit-more] > summary").all():
            more.click()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate(AXE_RUN) == [], scheme
    finally:
        context.close()


def test_it_prints_as_an_a4_workbook_with_the_answers(browser, csp_url: str) -> None:
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{csp_url}/{EDITION}")
        page.locator('[name="obiettivi-risultato"]').fill("Tre ore libere il venerdì")
        page.evaluate("""() => {  /* an answer in a row the page keeps folded */
          const row = document.querySelector('[name="inventario-9-attivita"]');
          row.value = "Fatture di fine mese";
          row.dispatchEvent(new Event("input", {bubbles: true}));
        }""")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.locator("[data-kit-more]:not([open])").count() == 0
        printed = PdfReader(io.BytesIO(page.pdf(format="A4")))
        text = "\n".join(p.extract_text() for p in printed.pages)
    finally:
        context.close()
    flat = " ".join(unicodedata.normalize("NFKC", text).split())  # «ﬁ» → «fi»
    for title in _titles():
        assert " ".join(title.split()) in flat, title
    assert "Tre ore libere il venerdì" in flat and "Fatture di fine mese" in flat
    assert "Cancella le mie risposte" not in flat  # no buttons
    assert flat.count(" ".join(_titles()[2].split())) == 1  # no index: each title once


def test_the_edition_weighs_what_its_budget_says(site: Path, browser) -> None:
    load = page_loads(site, [f"{EDITION}index.html"], browser)[f"{EDITION}index.html"]
    weights = load.weights()
    assert weights["initial"] <= PAGE_BUDGETS["kit_edition_initial"], weights
    assert weights["third_party"] == 0
    assert not [f.url for f in load.fetches if any(part in f.url for part in ON_TAP)]
    tapped = [p for p in site.rglob("*") if p.is_file()
              and any(f"/{p.relative_to(site).as_posix()}".startswith(part) for part in ON_TAP)]
    assert len(tapped) == len(ON_TAP)
    weight = sum(_brotli_size(p.read_bytes(), "other") for p in tapped)
    assert weight <= PAGE_BUDGETS["kit_edition_tap"], weight
