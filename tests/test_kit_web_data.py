"""The kit's fields as data, for the PDF and its web edition alike.

Names are made once (plugins/kit_pdf/fields.py) and the PDF has exactly those fields;
every text field has a font size of its own (never 0, «auto»); the web edition's data is
the kit's, in the PDF's order; the filling code is npm's pdf.js, byte for byte.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tests.kit_web_support import pdf_fields
from tests.test_kit_support import KIT, ROOT, SITE, kit_pdf, session_build

# tests.test_kit_support puts plugins/ on the path and imports the plugin.
load_kit_data = kit_pdf.data.load_kit_data
kit_fields = kit_pdf.fields.kit_fields
AREA, TEXT = kit_pdf.fields.AREA, kit_pdf.fields.TEXT
NPM_FILES, PACKAGE, VENDOR = kit_pdf.vendor.NPM_FILES, kit_pdf.vendor.PACKAGE, kit_pdf.vendor.VENDOR
vendor_files = kit_pdf.vendor.vendor_files
web_edition = kit_pdf.web.web_edition


def _data() -> dict:
    return load_kit_data(KIT, SITE.as_dict())


def test_every_field_has_one_name_made_from_the_kit_ids() -> None:
    fields = kit_fields(_data())
    names = [field.name for field in fields]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) for name in names)
    by_name = {field.name: field for field in fields}
    assert by_name["sei-pronto-lasciare"].values == ("si", "non-ancora")
    assert by_name["inventario-1-tipo"].values == ("strategica", "marginale")
    assert by_name["inventario-1-ore"].hours and by_name["piano-80-20-3-liberate"].hours
    assert by_name["lasciar-andare-controllo"].kind == AREA
    assert by_name["procedure-2-passi"].kind == AREA and by_name["feedback-3-data"].kind == TEXT


def test_two_fields_with_one_name_are_refused_with_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    path = source / "kit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    blocks = next(s for s in data["sections"] if s["id"] == "lasciar-andare")["blocks"]
    blocks.append({"type": "line", "id": blocks[1]["id"], "label": "Di nuovo"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(kit_pdf.KitBuildError) as error:
        load_kit_data(source, SITE.as_dict())
    assert "lasciar-andare-controllo" in str(error.value) and "stesso nome" in str(error.value)
    assert error.value.path == path and error.value.line


def test_the_web_edition_is_the_kit_in_its_order_and_survives_the_json_cache() -> None:
    data = _data()
    web = json.loads(json.dumps(web_edition(data, {"inventario": 7}, {"x": (3, 40)}),
                                sort_keys=True))
    assert [s["id"] for s in web["sections"]] == [s["id"] for s in data["sections"]]
    assert web["fields"] == len(kit_fields(data)) and web["fits"] == {"x": "3 40"}
    inventory = next(s for s in web["sections"] if s["id"] == "inventario")
    assert inventory["page"] == 7
    assert inventory["table_keys"] == ["task", "hours", "type", "delegate"]  # not sorted
    assert inventory["table"][0]["cells"]["type"]["options"][1]["summed"]
    assert web["edition_id"] == "2026-12-01" and web["edition"] == data["edition"]


@pytest.mark.slow
def test_the_pdf_has_exactly_the_named_fields(tmp_path_factory: pytest.TempPathFactory) -> None:
    reader = PdfReader(session_build(tmp_path_factory).pdf_path)
    expected = {f.name: (f.kind, f.values) for f in kit_fields(_data())}
    assert pdf_fields(reader) == expected


@pytest.mark.slow
def test_every_text_field_has_its_own_font_size(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never «0 Tf» (automatic): iOS's viewers are reported to hide such fields. Lines are
    10 pt, ruled areas 12 pt (typed lines 1.35 × 12 = 16.2 pt apart, on the rules)."""
    reader = PdfReader(session_build(tmp_path_factory).pdf_path)
    sizes = {}
    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field["/FT"] == "/Tx":
            size = float(re.search(r"([\d.]+) Tf", str(field["/DA"])).group(1))
            multiline = bool(int(field.get("/Ff", 0)) & 4096)
            sizes.setdefault(multiline, set()).add(size)
            if multiline:  # a whole number of 16.2 pt lines
                _, y1, _, y2 = (float(v) for v in field["/Rect"])
                assert abs((y2 - y1) / 16.2 - round((y2 - y1) / 16.2)) < 0.01, field["/T"]
    assert sizes == {False: {10.0}, True: {12.0}}


@pytest.mark.slow
def test_the_web_edition_knows_how_much_each_text_field_shows(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    web = session_build(tmp_path_factory).web
    texts = [f.name for f in kit_fields(_data()) if f.kind in (TEXT, AREA)]
    assert sorted(web["fits"]) == sorted(texts)
    lines, chars = (int(n) for n in web["fits"]["procedure-1-passi"].split())
    assert lines >= 10 and 70 <= chars <= 110
    assert web["fits"]["inventario-1-ore"].startswith("1 ")


def test_pdfjs_is_npms_locked_legacy_build_byte_for_byte() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["dependencies"][PACKAGE]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "an exact version, never a range"
    assert lock["packages"][f"node_modules/{PACKAGE}"]["version"] == pinned
    installed = ROOT / "node_modules" / PACKAGE
    assert installed.is_dir(), "pdfjs-dist manca: esegui `npm ci` (lo fa `make test`)"
    assert json.loads((installed / "package.json").read_text())["version"] == pinned
    for source, name in NPM_FILES.items():
        assert (VENDOR / name).read_bytes() == (installed / source).read_bytes(), name
    published = vendor_files()
    assert set(published) == {"pdfjs", "worker"}
    for path, name in published.values():
        assert name.endswith(".js") and re.search(r"\.[0-9a-f]{10}\.js$", name)
        assert path.read_bytes().startswith(b"/**\n * @licstart")  # the licence travels along
