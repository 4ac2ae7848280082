"""pdf.js (npm ``pdfjs-dist``, in Chromium) fills the kit as a reader would, and everyone draws it.

pdf.js is the viewer here: it types «Perché è già così… ’ « »» into every kind of text
field, ticks every kind of box and radio, and saves the PDF with its own appearance
streams. The saved file is then drawn by pdf.js itself (on a canvas, annotations
included, as when printing), by poppler (``pdftoppm``) and by pdfium, and the test looks
for the ticks and the words in the pixels of each widget, against the blank PDF.
"""

from __future__ import annotations

import base64
import io
import mimetypes
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.test_kit_forms import BUTTONS, SCALE, TEXTS, _ink, _page_of, _pdfium, _poppler, _widgets
from tests.test_kit_support import ROOT, session_build

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PDFJS = ROOT / "node_modules" / "pdfjs-dist" / "build"
ORIGIN = "http://kit.test"

SCRIPT = """
async ([typed, texts, buttons, pages, scale]) => {
  const pdfjs = await import('/pdf.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
  const blank = await pdfjs.getDocument({url: '/blank.pdf'}).promise;
  const fields = await blank.getFieldObjects();
  for (const [name, value] of Object.entries(texts)) {
    for (const field of fields[name]) blank.annotationStorage.setValue(field.id, {value});
  }
  for (const [name, state] of Object.entries(buttons)) {
    for (const field of fields[name]) {
      if (!field.id || field.type === '') continue;
      const on = field.exportValues === state.slice(1);
      blank.annotationStorage.setValue(field.id, {value: on});
    }
  }
  const saved = await blank.saveDocument();
  const doc = await pdfjs.getDocument({data: saved.slice()}).promise;
  const fresh = await pdfjs.getDocument({url: '/blank.pdf'}).promise;
  const images = {};
  for (const key of pages.flatMap((n) => [`blank-${n}`, `saved-${n}`])) {
    const [which, number] = [key.split('-')[0], Number(key.split('-')[1])];
    const page = await (which === 'blank' ? fresh : doc).getPage(number + 1);
    const viewport = page.getViewport({scale});
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(viewport.width);
    canvas.height = Math.round(viewport.height);
    await page.render({
      canvasContext: canvas.getContext('2d'), viewport,
      annotationMode: pdfjs.AnnotationMode.ENABLE,
    }).promise;
    images[key] = canvas.toDataURL('image/png');
  }
  let binary = '';
  for (let i = 0; i < saved.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, saved.subarray(i, i + 0x8000));
  }
  return {saved: btoa(binary), images};
}
"""


def _serve(route, blank: bytes) -> None:
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path == "/blank.pdf":
        route.fulfill(body=blank, content_type="application/pdf")
    elif path == "/":
        route.fulfill(body="<!doctype html><title>pdf.js</title>", content_type="text/html")
    elif (PDFJS / path.lstrip("/")).is_file():
        kind = "text/javascript" if path.endswith(".mjs") else mimetypes.guess_type(path)[0]
        route.fulfill(body=(PDFJS / path.lstrip("/")).read_bytes(), content_type=kind)
    else:
        route.fulfill(status=404, body="")


@pytest.fixture(scope="module")
def filled_by_pdfjs(tmp_path_factory: pytest.TempPathFactory, browser) -> tuple[Path, Path, dict]:
    """(blank PDF, PDF saved by pdf.js, pdf.js canvases: "blank-N" and "saved-N").

    Uses the session's Chromium: Playwright's sync API cannot start twice in one process."""
    assert (PDFJS / "pdf.mjs").is_file(), "pdfjs-dist manca: esegui `npm ci` (lo fa `make test`)"
    info = session_build(tmp_path_factory)
    blank_bytes = info.pdf_path.read_bytes()
    reader = PdfReader(info.pdf_path)
    widgets = _widgets(reader)
    pages = sorted({_page_of(reader, w) for n in [*BUTTONS, *TEXTS] for w in widgets[n]})
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(f"{ORIGIN}/**", lambda route: _serve(route, blank_bytes))
        page.goto(f"{ORIGIN}/")
        result = page.evaluate(SCRIPT, ["", TEXTS, BUTTONS, pages, SCALE])
    finally:
        context.close()
    folder = tmp_path_factory.mktemp("kit-pdfjs")
    blank = folder / "blank.pdf"
    blank.write_bytes(blank_bytes)
    saved = folder / "saved-by-pdfjs.pdf"
    saved.write_bytes(base64.b64decode(result["saved"]))
    images = {
        key: Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("L")
        for key, url in result["images"].items()
    }
    return blank, saved, images


def test_pdfjs_stores_values_and_states(filled_by_pdfjs):
    _, saved, _ = filled_by_pdfjs
    fields = PdfReader(saved).get_fields()
    for name, state in BUTTONS.items():
        assert fields[name]["/V"] == state, name
    for name, value in TEXTS.items():
        assert fields[name]["/V"].replace("\r", "\n") == value, name


@pytest.mark.parametrize("renderer", ["pdfjs", "poppler", "pdfium"])
def test_what_pdfjs_typed_and_ticked_is_drawn_everywhere(filled_by_pdfjs, renderer):
    blank, saved, canvases = filled_by_pdfjs
    reader = PdfReader(saved)
    widgets = _widgets(reader)
    draw = {"poppler": _poppler, "pdfium": _pdfium}.get(renderer)

    def images(index: int) -> tuple[Image.Image, Image.Image]:
        if draw is None:
            return canvases[f"blank-{index}"], canvases[f"saved-{index}"]
        return draw(blank, index), draw(saved, index)

    cache: dict[int, tuple[Image.Image, Image.Image]] = {}
    for name, state in BUTTONS.items():
        for widget in widgets[name]:
            index = _page_of(reader, widget)
            cache.setdefault(index, images(index))
            height = float(reader.pages[index].mediabox.height)
            before, after = (_ink(image, widget["/Rect"], height)[0] for image in cache[index])
            if widget["/AS"] == state:
                assert after > before + 12, (renderer, name, before, after)
            else:
                assert after <= before + 6, (renderer, name, before, after)
    for name, value in TEXTS.items():
        (widget,) = widgets[name]
        index = _page_of(reader, widget)
        cache.setdefault(index, images(index))
        height = float(reader.pages[index].mediabox.height)
        (blank_ink, _), (ink, width) = (
            _ink(image, widget["/Rect"], height) for image in cache[index]
        )
        assert ink > blank_ink + 150, (renderer, name, blank_ink, ink)
        natural = 5.1 * len(value.splitlines()[0]) * SCALE
        assert 0.5 * natural < width < 1.4 * natural, (renderer, name, width, natural)
