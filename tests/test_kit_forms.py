"""The kit's form filled the way a viewer stores it, then drawn by poppler and pdfium.

Every kind of field is filled: check boxes in a table, in a list and in the checklist,
radio groups in a table and as a choice, single-line cells and lines, ruled multi-line
areas. Values and appearance states are written with pypdf (as a viewer saves them:
/V and /AS for buttons, /V and a generated appearance for text); the pages are then
rendered with ``pdftoppm`` (poppler) and pypdfium2 (pdfium), and the test looks for the
ticks and the typed words in the pixels of each widget, against the blank PDF.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from tests.test_kit_support import kit_data, session_build

pytestmark = pytest.mark.slow

TYPED = "Perché è già così… ’ « »"
SCALE = 2  # pixels per point
# (field name, value): one of each kind of field.
BUTTONS = {
    "inventario-1-delegare": "/Yes",  # check box in a table cell
    "profilo-competenze-1": "/Yes",  # check box in a list
    "riassumendo-realta": "/Yes",  # the checklist's larger box
    "sei-pronto-lasciare": "/si",  # radio group in a table («sì»)
    "inventario-1-tipo": "/marginale",  # radio group in a table (strategica / marginale)
    "obiettivi-ambito": "/complesso",  # radio group as a choice
}
TEXTS = {
    "inventario-1-attivita": TYPED,  # table cell
    "profilo-ore": TYPED,  # line
    "lasciar-andare-controllo": f"{TYPED}\n{TYPED}",  # ruled multi-line area
}


def _widgets(reader: PdfReader | PdfWriter) -> dict[str, list]:
    """Field name → its widget annotations (a radio group has one per option)."""
    found: dict[str, list] = {}
    root = reader.root_object if isinstance(reader, PdfWriter) else reader.trailer["/Root"]
    for ref in root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        kids = [k.get_object() for k in field["/Kids"]] if "/Kids" in field else [field]
        found[str(field["/T"])] = kids
    return found


def _page_of(reader: PdfReader, widget) -> int:
    target = widget["/P"].indirect_reference
    for index, page in enumerate(reader.pages):
        if page.indirect_reference == target:
            return index
    raise AssertionError("widget without page")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(blank, filled) copies of the session's kit."""
    info = session_build(tmp_path_factory)
    folder = tmp_path_factory.mktemp("kit-forms")
    blank = folder / "blank.pdf"
    blank.write_bytes(info.pdf_path.read_bytes())
    writer = PdfWriter(clone_from=PdfReader(blank))
    widgets = _widgets(writer)
    for name, state in BUTTONS.items():
        field = widgets[name][0].get("/Parent")
        field = field.get_object() if field is not None else widgets[name][0]
        field[NameObject("/V")] = NameObject(state)
        for widget in widgets[name]:
            on = state if state in widget["/AP"]["/N"] else "/Off"
            widget[NameObject("/AS")] = NameObject(on)
    for page in writer.pages:
        names = {
            str(a.get_object().get("/T")) for a in page.get("/Annots", []) if "/T" in a.get_object()
        }
        values = {n: v for n, v in TEXTS.items() if n in names}
        if values:
            writer.update_page_form_field_values(page, values, auto_regenerate=False)
    filled = folder / "filled.pdf"
    with filled.open("wb") as handle:
        writer.write(handle)
    return blank, filled


def _poppler(pdf: Path, page: int) -> Image.Image:
    result = subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(72 * SCALE),
            "-f",
            str(page + 1),
            "-l",
            str(page + 1),
            "-png",
            str(pdf),
        ],
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(result.stdout)).convert("L")


def _pdfium(pdf: Path, page: int) -> Image.Image:
    document = pypdfium2.PdfDocument(str(pdf))
    document.init_forms()
    try:
        bitmap = document[page].render(scale=SCALE, may_draw_forms=True)
        return bitmap.to_pil().convert("L")
    finally:
        document.close()


def _ink(image: Image.Image, rect, page_height: float) -> tuple[int, int]:
    """(dark pixels, width in pixels of the inked columns) inside a widget's rectangle."""
    x1, y1, x2, y2 = (float(v) for v in rect)
    box = (
        round(min(x1, x2) * SCALE) + 2,
        round((page_height - max(y1, y2)) * SCALE) + 2,
        round(max(x1, x2) * SCALE) - 2,
        round((page_height - min(y1, y2)) * SCALE) - 2,
    )
    crop = image.crop(box)
    pixels = crop.load()
    dark = 0
    columns = set()
    for x in range(crop.width):
        for y in range(crop.height):
            if pixels[x, y] < 110:
                dark += 1
                columns.add(x)
    return dark, (max(columns) - min(columns) + 1) if columns else 0


@pytest.mark.parametrize("renderer", [_poppler, _pdfium], ids=["poppler", "pdfium"])
def test_ticks_radios_and_typed_text_are_drawn(pdfs, renderer):
    blank, filled = pdfs
    reader = PdfReader(filled)
    widgets = _widgets(reader)
    pages: dict[int, tuple[Image.Image, Image.Image]] = {}

    def images(index: int) -> tuple[Image.Image, Image.Image]:
        if index not in pages:
            pages[index] = (renderer(blank, index), renderer(filled, index))
        return pages[index]

    for name, state in BUTTONS.items():
        for widget in widgets[name]:
            index = _page_of(reader, widget)
            height = float(reader.pages[index].mediabox.height)
            before, after = (_ink(image, widget["/Rect"], height)[0] for image in images(index))
            if widget["/AS"] == state:  # the ticked box or chosen option
                assert after > before + 12, (name, before, after)
            else:  # its sibling options stay empty
                assert after <= before + 2, (name, before, after)

    for name, value in TEXTS.items():
        (widget,) = widgets[name]
        index = _page_of(reader, widget)
        height = float(reader.pages[index].mediabox.height)
        (blank_ink, _), (ink, width) = (
            _ink(image, widget["/Rect"], height) for image in images(index)
        )
        assert ink > blank_ink + 150, (name, blank_ink, ink)
        # The words take about their natural width: no wide gaps after ’ or «.
        natural = 5.1 * len(value.splitlines()[0]) * SCALE  # 10 pt Atkinson ≈ 5.1 pt a glyph
        assert 0.5 * natural < width < 1.4 * natural, (name, width, natural)


def test_filled_values_read_back(pdfs):
    _, filled = pdfs
    fields = PdfReader(filled).get_fields()
    for name, state in BUTTONS.items():
        assert fields[name]["/V"] == state
    for name, value in TEXTS.items():
        assert fields[name]["/V"] == value


def test_radio_options_exclude_each_other(pdfs):
    """An either-or answer is one field with one widget per option, not two check boxes."""
    blank, _ = pdfs
    widgets = _widgets(PdfReader(blank))
    field = widgets["sei-pronto-lasciare"][0]["/Parent"].get_object()
    assert int(field["/Ff"]) & (1 << 15)  # radio flag
    states = [set(w["/AP"]["/N"].keys()) - {"/Off"} for w in widgets["sei-pronto-lasciare"]]
    assert states == [{"/si"}, {"/non-ancora"}]
    # The group's accessible name is the question; each option adds its answer.
    question = next(q for q in kit_data()["sections"][1]["questions"] if q["id"] == "lasciare")
    assert field["/TU"] == question["text"]
    assert [w["/TU"] for w in widgets["sei-pronto-lasciare"]] == [
        f"{question['text']} – sì",
        f"{question['text']} – non ancora",
    ]
    row = widgets["inventario-1-tipo"][0]["/Parent"].get_object()
    assert row["/TU"] == "Strategica o marginale, riga 1 (Inventario delle attività)"
    assert "sei-pronto-lasciare-si" not in widgets


def test_click_target_is_the_drawn_box(pdfs):
    """The widget draws the whole box: its rectangle is the 12 pt box, not a 5 pt inner one."""
    blank, _ = pdfs
    for name in ("inventario-1-delegare", "profilo-competenze-1", "sei-pronto-lasciare"):
        for widget in _widgets(PdfReader(blank))[name]:
            x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
            assert 11.5 <= abs(x2 - x1) <= 15 and 11.5 <= abs(y2 - y1) <= 15, (name, x1, x2)
