"""The kit PDF read back with pypdf and pdfplumber: sections, TOC, outline, forms, tags, fonts."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tests.test_kit_support import KIT, kit_data, kit_pdf, session_build, strip_subset_tag

pytestmark = pytest.mark.slow

PDF_BUDGET_BYTES = 240_000


@pytest.fixture(scope="module")
def info(tmp_path_factory: pytest.TempPathFactory) -> kit_pdf.KitInfo:
    return session_build(tmp_path_factory)


@pytest.fixture(scope="module")
def reader(info: kit_pdf.KitInfo) -> PdfReader:
    return PdfReader(info.pdf_path)


@pytest.fixture(scope="module")
def page_texts(info: kit_pdf.KitInfo) -> list[str]:
    with pdfplumber.open(info.pdf_path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return kit_data()


def _outline(reader: PdfReader) -> list[tuple[str, int, int]]:
    """(title, 1-based page, depth) for every outline entry."""
    entries: list[tuple[str, int, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((item.title, reader.get_destination_page_number(item) + 1, depth))

    walk(reader.outline, 0)
    return entries


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def _section_start(page_texts: list[str], title: str, after: int) -> int:
    """1-based number of the first page after the TOC with a line equal to ``title``."""
    for number, text in enumerate(page_texts, start=1):
        if number > after and title in _lines(text):
            return number
    raise AssertionError(f"section {title!r} not found in the text")


def _fields(reader: PdfReader) -> list[DictionaryObject]:
    return [ref.get_object() for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]


def test_every_section_title_is_in_the_text_and_the_outline(data, reader, page_texts):
    outline_titles = [title for title, _, _ in _outline(reader)]
    full_text = "\n".join(page_texts)
    for section in data["sections"]:
        assert section["title"] in outline_titles
        assert section["title"] in full_text
    assert data["labels"]["toc"] in outline_titles


def test_toc_page_numbers_match_the_pages_where_sections_start(data, reader, page_texts):
    outline = {title: page for title, page, depth in _outline(reader) if depth == 0}
    toc_page = outline[data["labels"]["toc"]]
    toc_lines = _lines(page_texts[toc_page - 1])
    for section in data["sections"]:
        title = section["title"]
        pattern = re.compile(rf"^(?:\d+ )?{re.escape(title)}[ .]*?(\d+)$")
        numbers = [int(m.group(1)) for line in toc_lines if (m := pattern.match(line))]
        assert len(numbers) == 1, f"{title!r} not found once in the TOC: {toc_lines}"
        start = _section_start(page_texts, title, after=toc_page)
        assert numbers[0] == start == outline[title], title


def test_running_header_and_page_footer(data, page_texts):
    total = len(page_texts)
    labels = data["labels"]
    for number, text in enumerate(page_texts[1:], start=2):
        assert f"{labels['page']} {number} {labels['of']} {total}" in text
        assert data["document"]["title"].upper() in text  # running title, small caps
    assert labels["page"] not in page_texts[0]  # the cover has no footer
    for section in data["sections"]:
        pages = [t for t in page_texts if section["title"] in _lines(t)]
        assert pages, section["title"]


def test_at_least_60_named_and_labelled_fields(info, reader):
    fields = _fields(reader)
    assert len(fields) >= 60
    assert len(fields) == info.fields
    names = [str(field["/T"]) for field in fields]
    assert all(names) and len(set(names)) == len(names)
    for field in fields:
        label = str(field.get("/TU", ""))
        assert label.strip(), field["/T"]
        # The name from <label>, not the fallback to name=.
        assert label != str(field["/T"])


def test_every_button_has_on_and_off_appearances_and_a_da(reader):
    """Poppler redraws buttons from /DA and /MK; every viewer needs an /Off state to untick."""
    boxes = [f for f in _fields(reader) if f.get("/FT") == "/Btn"]
    assert len(boxes) >= 30
    widgets = []
    for box in boxes:
        assert re.search(r"/\w+ [\d.]+ Tf", str(box["/DA"])), box["/T"]
        widgets += [k.get_object() for k in box["/Kids"]] if "/Kids" in box else [box]
    for widget in widgets:
        states = set(widget["/AP"]["/N"].keys())
        assert "/Off" in states and len(states) == 2, states
        assert widget["/AS"] == "/Off"
        assert "/BC" in widget["/MK"]


def test_text_fields_are_tall_enough_for_their_font(reader):
    texts = [f for f in _fields(reader) if f.get("/FT") == "/Tx"]
    assert texts
    for field in texts:
        size = float(re.search(r"([\d.]+) Tf", str(field["/DA"])).group(1))
        rect = [float(v) for v in field["/Rect"]]
        height = abs(rect[3] - rect[1])
        assert height >= 1.25 * size, (field["/T"], height, size)


def test_every_exercise_has_its_fields(data, reader):
    names = {str(f["/T"]) for f in _fields(reader)}
    sections = {s["id"]: s for s in data["sections"]}
    readiness = sections["sei-pronto"]
    for question in readiness["questions"]:
        assert f"sei-pronto-{question['id']}" in names  # one radio group per question
    inventory = sections["inventario"]
    assert inventory["rows"] >= 8
    for row in range(1, inventory["rows"] + 1):
        for suffix in ("attivita", "ore", "tipo", "delegare"):
            assert f"inventario-{row}-{suffix}" in names
    procedures = sections["procedure"]
    assert procedures["copies"] >= 2 and procedures["example"]
    for copy in range(1, procedures["copies"] + 1):
        for field in procedures["fields"]:
            assert f"procedure-{copy}-{field['id']}" in names
    for item in sections["riassumendo"]["items"]:
        assert f"riassumendo-{item['id']}" in names


def test_language_structure_and_metadata(data, reader):
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "it"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    meta = reader.metadata
    document = data["document"]
    assert meta["/Title"] == document["title"]
    assert meta["/Author"] == document["author"] == "Giulia – Assistente Virtuale"
    assert meta["/Subject"] == " ".join(document["subject"].split())
    assert meta["/Keywords"] == ", ".join(document["keywords"])
    assert meta["/CreationDate"].startswith("D:" + document["created"][:10].replace("-", ""))
    assert meta["/ModDate"].startswith("D:" + document["modified"][:10].replace("-", ""))


def _shipped_fonts() -> tuple[set[str], set[str]]:
    faces = kit_pdf.fonts.read_font_faces(KIT)
    css = {face.family.replace(" ", "-") for face in faces}
    programs = set()
    for face in faces:
        programs |= kit_pdf.fonts.font_program_families(face.path.read_bytes())
    return css, programs


def _embedded_fonts(reader: PdfReader) -> list[tuple[str, bytes]]:
    fonts: dict[str, bytes] = {}
    resources = [reader.trailer["/Root"]["/AcroForm"]["/DR"]]
    resources += [page["/Resources"] for page in reader.pages]
    for resource in resources:
        for ref in resource.get_object().get("/Font", {}).values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                descendant = font["/DescendantFonts"][0].get_object()
            else:  # the simple WinAnsi font of the form fields (plugins/kit_pdf/finish.py)
                descendant = font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            fonts[str(font["/BaseFont"])] = program.get_object().get_data()
    return list(fonts.items())


def test_only_the_shipped_fonts_are_embedded(reader):
    css_families, program_families = _shipped_fonts()
    embedded = _embedded_fonts(reader)
    assert len(embedded) >= 3
    for base_font, program in embedded:
        name = strip_subset_tag(base_font)
        assert any(name.startswith(family) for family in css_families), name
        inner = TTFont(io.BytesIO(program))["name"].getDebugName(1)
        assert inner in program_families, (name, inner)


def test_form_fields_use_the_small_field_font(reader):
    form_fonts = reader.trailer["/Root"]["/AcroForm"]["/DR"].get_object()["/Font"]
    texts = [f for f in _fields(reader) if f.get("/FT") == "/Tx"]
    used = {re.search(r"/(\w+) [\d.]+ Tf", str(f["/DA"])).group(1) for f in texts}
    assert used
    for key in used:
        base = strip_subset_tag(str(form_fonts["/" + key].get_object()["/BaseFont"]))
        assert base.startswith("Kit-Campi"), base


def test_pdf_stays_small(info):
    assert info.size_bytes == info.pdf_path.stat().st_size
    assert info.size_bytes <= PDF_BUDGET_BYTES


def test_info_matches_the_pdf(info, reader, data):
    assert info.pages == len(reader.pages)
    assert info.title == data["document"]["title"]
    assert info.size_label.endswith(" kB")


def test_preview_is_a_600px_png_without_timestamps(info):
    from PIL import Image

    raw = Path(info.preview_path).read_bytes()
    assert raw.startswith(b"\x89PNG")
    for chunk in (b"tIME", b"tEXt", b"iTXt", b"zTXt"):
        assert chunk not in raw
    with Image.open(io.BytesIO(raw)) as image:
        assert image.size == (info.preview_width, info.preview_height)
        assert 590 <= image.width <= 610
        assert abs(image.height / image.width - 297 / 210) < 0.01


def test_thumbnails_and_social_card_are_drawn_from_the_pdf(info):
    from PIL import Image

    assert 3 <= len(info.thumbnails) <= 4
    for thumb in info.thumbnails:
        raw = (info.cache / thumb["file"]).read_bytes()
        assert b"tIME" not in raw and b"tEXt" not in raw
        with Image.open(io.BytesIO(raw)) as image:
            assert image.size == (thumb["width"], thumb["height"]) and image.width == 300
        assert 2 < thumb["page"] <= info.pages and "Pagina" in thumb["alt"]
    card = info.cache / info.card["file"]
    with Image.open(card) as image:
        assert image.size == (1200, 630)
        # The cover (dark ink background) fills the right part of the card.
        right = image.convert("L").crop((800, 150, 1100, 450))
        assert sum(right.histogram()[:60]) > 0.6 * right.width * right.height
