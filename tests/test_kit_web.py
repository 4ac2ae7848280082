"""The kit's web edition (kit-sulla-delega/compila/) on a phone, in a real Chromium.

One reader at 375×667 with touch, served with the production policy (CSP): fills one
control of every kind (a line, a ruled area, check boxes, either-or choices, an inventory
row, the 80/20 plan with its sums), reloads and finds everything; downloads the filled
PDF, where pypdf reads each answer in the field of the same name and poppler and pdfium
draw the typed words and the ticks; clears, and everything is gone. A request watcher
sees no request carrying an answer and none to another origin.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.kit_web_support import EDITION, ON_TAP, TYPED, fill, phone, served_with_policy
from tests.test_kit_forms import SCALE, _ink, _page_of, _pdfium, _poppler, _widgets

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# One control of every kind: name → what the reader types (text) or picks (True, a value).
ANSWERS: dict[str, str | bool] = {
    "obiettivi-ore-ora": "38",  # a line (hours)
    "profilo-fascia": "Lun–ven, 9–13 «senza fretta»",  # a line of a group of halves
    "lasciar-andare-controllo": f"{TYPED}\n{TYPED}",  # a ruled area, two lines
    "accoglienza-settimana-benvenuto": True,  # a checklist's box
    "profilo-competenze-1": True,  # a box in a group
    "obiettivi-ambito": "complesso",  # an either-or choice
    "sei-pronto-lasciare": "si",  # a readiness question
    "inventario-1-attivita": TYPED,  # a table row: text, hours, either-or, box
    "inventario-1-ore": "5",
    "inventario-1-tipo": "marginale",
    "inventario-1-delegare": True,
    "piano-80-20-1-ore": "10",  # the 80/20 plan: its hours freed add themselves up
}
COMPUTED = {"inventario-totale-marginali": "5", "piano-80-20-1-liberate": "8",
            "piano-totale-liberate": "8"}
TEXTS = {n: v for n, v in {**ANSWERS, **COMPUTED}.items() if isinstance(v, str)
         and not n.endswith(("-tipo", "-ambito", "-lasciare"))}
CHOICES = {n: v for n, v in ANSWERS.items() if n not in TEXTS}
# pdf.js as the page serves it, drawing the blank and the downloaded PDF (annotations too).
PDFJS_DRAW = """async ([saved, pages, scale]) => {
  const form = document.querySelector("[data-kit-form]");
  const pdfjs = await import(form.dataset.pdfjs);
  pdfjs.GlobalWorkerOptions.workerSrc = form.dataset.worker;
  const bytes = Uint8Array.from(atob(saved), (c) => c.charCodeAt(0));
  const docs = {
    blank: await pdfjs.getDocument({url: form.dataset.pdf, isEvalSupported: false}).promise,
    saved: await pdfjs.getDocument({data: bytes, isEvalSupported: false}).promise,
  };
  const images = {};
  for (const [which, doc] of Object.entries(docs)) {
    for (const number of pages) {
      const page = await doc.getPage(number + 1);
      const viewport = page.getViewport({scale});
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(viewport.width);
      canvas.height = Math.round(viewport.height);
      await page.render({canvasContext: canvas.getContext("2d"), viewport,
                         annotationMode: pdfjs.AnnotationMode.ENABLE}).promise;
      images[`${which}-${number}`] = canvas.toDataURL("image/png");
    }
  }
  return images;
}"""

STATE = """(root) => Object.fromEntries(Array.from(
    root.querySelectorAll("input[name], textarea[name]"))
  .filter((el) => el.type === "text" || el.tagName === "TEXTAREA" ? el.value : el.checked)
  .map((el) => [el.name, el.type === "checkbox" ? true : el.value]))"""


@pytest.fixture(scope="module")
def csp_url(site: Path) -> Iterator[str]:
    with served_with_policy(site) as url:
        yield url


@pytest.fixture(scope="module")
def phone_visit(browser, csp_url: str, site: Path, tmp_path_factory) -> dict:
    """Fill, reload, download, clear, reload: what the page showed at each step."""
    context = phone(browser)
    page = context.new_page()
    requests: list = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{csp_url}/{EDITION}")
        page.wait_for_selector(".kw-tools.is-live")
        loaded = len(requests)
        fill(page, ANSWERS)
        page.locator('[name="piano-80-20-1-ore"]').blur()
        form = page.locator("[data-kit-form]")
        seen: dict = {"filled": page.evaluate(STATE, form.element_handle()),
                      "status": page.locator(".kw-status").inner_text()}
        page.reload()
        page.wait_for_selector(".kw-tools.is-live")
        root = page.locator("[data-kit-form]").element_handle()
        seen["reloaded"] = page.evaluate(STATE, root)
        seen["reloaded_status"] = page.locator(".kw-status").inner_text()
        with page.expect_download() as download:
            page.locator(".kw-tools [data-kit-download]").tap()
        seen["file_name"] = download.value.suggested_filename
        saved = tmp_path_factory.mktemp("kit-web") / "compilato.pdf"
        download.value.save_as(saved)
        seen["pdf"] = saved
        reader = PdfReader(saved)
        widgets = _widgets(reader)
        pages = sorted({_page_of(reader, w) for name in TEXTS | CHOICES for w in widgets[name]})
        pdf64 = base64.b64encode(saved.read_bytes()).decode()
        drawn = page.evaluate(PDFJS_DRAW, [pdf64, pages, SCALE])
        seen["pdfjs"] = {key: Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
                         .convert("L") for key, url in drawn.items()}
        page.locator("[data-kit-status]").filter(has_text="Fatto").wait_for()
        page.locator("[data-kit-clear]").tap()
        seen["dialog"] = page.locator("[data-kit-confirm]").is_visible()
        page.locator("[data-kit-confirm-yes]").tap()
        seen["cleared"] = page.evaluate(STATE, root)
        seen["cleared_status"] = page.locator("[data-kit-status]").inner_text()
        seen["storage"] = page.evaluate("Object.keys(localStorage)")
        page.reload()
        page.wait_for_selector(".kw-tools.is-live")
        seen["cleared_reloaded"] = page.evaluate(STATE, form.element_handle())
        seen["after_load"] = [r.url for r in requests[loaded:]]
    finally:
        context.close()
    seen["requests"] = requests
    seen["problems"] = problems
    seen["blank"] = site / "kit" / "kit-sulla-delega.pdf"
    return seen


def test_what_the_reader_types_is_kept_on_the_device_and_summed(phone_visit: dict) -> None:
    expected = {**ANSWERS, **COMPUTED}
    assert phone_visit["filled"] == expected
    assert phone_visit["reloaded"] == expected
    assert re.fullmatch(r"Salvato su questo dispositivo oggi alle \d\d:\d\d", phone_visit["status"])
    assert re.fullmatch(r"Salvato su questo dispositivo (oggi|ieri) alle \d\d:\d\d",
                        phone_visit["reloaded_status"])
    assert phone_visit["problems"] == []  # nothing the policy refused, no script error


def test_the_downloaded_pdf_holds_every_answer_in_the_field_of_its_name(phone_visit: dict) -> None:
    assert phone_visit["file_name"].startswith("kit-sulla-delega-compilato-20")
    reader = PdfReader(phone_visit["pdf"])
    fields = reader.get_fields()
    for name, value in TEXTS.items():
        assert fields[name]["/V"].replace("\r", "\n") == value, name
    for name, value in CHOICES.items():
        assert fields[name]["/V"] == ("/Yes" if value is True else f"/{value}"), name
    untouched = [n for n in fields if n not in TEXTS and n not in CHOICES]
    assert all(fields[n].get("/V") in (None, "", "/Off") for n in untouched)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # still tagged
    assert len(fields) == len(PdfReader(phone_visit["blank"]).get_fields())  # still a form
    assert "/NeedAppearances" not in root["/AcroForm"]  # its own appearances
    blank = phone_visit["blank"].read_bytes()
    assert phone_visit["pdf"].read_bytes().startswith(blank)  # an incremental update


@pytest.mark.parametrize("renderer", ["poppler", "pdfium", "pdfjs"])
def test_every_viewer_draws_the_typed_words_and_the_ticks(phone_visit: dict, renderer: str) -> None:
    """poppler (pdftoppm), pdfium and pdf.js draw the PDF's own appearance streams."""
    reader = PdfReader(phone_visit["pdf"])
    widgets = _widgets(reader)
    cache: dict[int, tuple] = {}
    canvases = phone_visit["pdfjs"]
    draw = {"poppler": _poppler, "pdfium": _pdfium}.get(renderer)

    def ink(widget) -> tuple[tuple[int, int], tuple[int, int]]:
        index = _page_of(reader, widget)
        if index not in cache and draw is None:
            cache[index] = (canvases[f"blank-{index}"], canvases[f"saved-{index}"])
        elif index not in cache:
            cache[index] = (draw(phone_visit["blank"], index), draw(phone_visit["pdf"], index))
        height = float(reader.pages[index].mediabox.height)
        return tuple(_ink(image, widget["/Rect"], height) for image in cache[index])

    for name, value in TEXTS.items():
        (widget,) = widgets[name]
        (before, _), (after, width) = ink(widget)
        # A digit is about 40 dark pixels at 2 px a point, a line of words hundreds.
        assert after > before + 25 * min(len(value.replace(" ", "")), 6), (name, before, after)
        assert width >= 6 * min(len(value), 10) / 2, (name, width)
    for name, value in CHOICES.items():
        for widget in widgets[name]:
            (before, _), (after, _) = ink(widget)
            chosen = widget["/AS"] != "/Off"
            assert chosen == (value is True or f"/{value}" in widget["/AP"]["/N"]), name
            if chosen:
                assert after > before + 12, (name, before, after)
            else:
                assert after <= before + 6, (name, before, after)


def test_clearing_asks_first_and_removes_every_answer(phone_visit: dict) -> None:
    assert phone_visit["dialog"]
    assert phone_visit["cleared"] == {} and phone_visit["cleared_reloaded"] == {}
    assert phone_visit["storage"] == []
    assert phone_visit["cleared_status"] == "Risposte cancellate da questo dispositivo."


def test_no_request_carries_an_answer_or_leaves_the_site(phone_visit: dict, csp_url: str) -> None:
    origin = urlsplit(csp_url).netloc
    words = [v for v in TEXTS.values() if len(v) > 3]
    for request in phone_visit["requests"]:
        assert urlsplit(request.url).netloc == origin, request.url
        assert request.method == "GET" and not request.post_data, request.url
        for word in words:
            for piece in (word, quote(word), word.split()[0], quote(word.split()[0])):
                assert piece not in request.url, (request.url, piece)
    later = [urlsplit(u).path for u in phone_visit["after_load"]]
    assert later, "the download fetched nothing?"
    for path in later:
        assert path.startswith(ON_TAP) or path.startswith(f"/{EDITION}") or path.startswith(
            ("/theme/", "/favicon")), path
    assert {p.split(".")[0] for p in later if p.startswith(ON_TAP)} == {
        p.split(".")[0] for p in ON_TAP}
