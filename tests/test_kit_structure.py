"""The kit's tagged structure and text read back: headings, lists, tables, forms, links, words."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader

from tests.test_kit_support import SITE, kit_data, session_build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    return PdfReader(session_build(tmp_path_factory).pdf_path)


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    with pdfplumber.open(session_build(tmp_path_factory).pdf_path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _walk(element: Any, found: Counter, objrs: list) -> None:
    element = element.get_object()
    if element.get("/Type") == "/OBJR":
        objrs.append(element)
        return
    if "/S" in element:
        found[str(element["/S"])] += 1
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object") and not isinstance(kid.get_object(), int):
            _walk(kid, found, objrs)


def _tags(reader: PdfReader) -> tuple[Counter, list]:
    found: Counter = Counter()
    objrs: list = []
    _walk(reader.trailer["/Root"]["/StructTreeRoot"], found, objrs)
    return found, objrs


def test_headings_lists_tables_and_forms_are_tagged(reader):
    tags, objrs = _tags(reader)
    data = kit_data()
    assert tags["/H1"] >= len(data["sections"]) + 1  # every part and the index
    assert tags["/H2"] >= 10
    assert tags["/L"] >= 8 and tags["/LI"] >= 40
    assert tags["/Table"] >= 4 and tags["/TH"] >= 20 and tags["/TD"] >= 100
    widgets = [
        a.get_object()
        for page in reader.pages
        for a in page.get("/Annots", [])
        if a.get_object()["/Subtype"] == "/Widget"
    ]
    assert tags["/Form"] == len(widgets) >= 150
    tagged = {id(o["/Obj"].get_object()) for o in objrs}
    assert all(id(w) in tagged for w in widgets)


def test_one_described_link_per_link(reader):
    data = kit_data()
    titles = {s["id"]: s["title"] for s in data["sections"]}
    links = []
    for number, page in enumerate(reader.pages, start=1):
        seen: list[tuple[str, list[float]]] = []
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot["/Subtype"] != "/Link":
                continue
            target = str(annot.get("/Dest") or annot["/A"]["/URI"])
            rect = [float(v) for v in annot["/Rect"]]
            for other, other_rect in seen:  # no two annotations of one link overlap
                overlap = not (
                    rect[2] < other_rect[0]
                    or other_rect[2] < rect[0]
                    or rect[3] < other_rect[1]
                    or other_rect[3] < rect[1]
                )
                assert not (other == target and overlap), (number, target)
            seen.append((target, rect))
            description = str(annot["/Contents"])
            assert description and description != target
            links.append((target, description))
    toc = {target: description for target, description in links if target in titles}
    assert set(toc) == set(titles)  # one TOC link per section
    for target, description in toc.items():
        assert titles[target] in description
    uris = dict(links)
    assert SITE.url in uris and SITE.host in uris[SITE.url]
    assert f"mailto:{SITE.email}" in uris


def test_link_annotations_belong_to_link_elements(reader):
    _, objrs = _tags(reader)
    links = [o for o in objrs if o["/Obj"].get_object()["/Subtype"] == "/Link"]
    assert links
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    parents = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    for objr in links:
        annot = objr["/Obj"].get_object()
        assert parents[int(annot["/StructParent"])]["/S"] == "/Link"


def test_no_leader_dots_and_no_split_words_in_the_text(texts):
    full = "\n".join(texts)
    assert ". . ." not in full and "...." not in full
    split = [line for line in full.splitlines() if re.search(r"[a-zàèéìòù]-$", line)]
    assert not split, split
    # Words the layout could have cut are whole.
    for word in ("strategiche", "collaborazione", "produttività", "responsabilità"):
        assert word in full or word not in " ".join(kit_data_text()), word


def kit_data_text() -> list[str]:
    return [str(v) for v in _strings(kit_data())]


def _strings(value: Any):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_the_last_page_leads_back(texts):
    last = texts[-1]
    assert SITE.host in last and SITE.email in last
    assert "il prossimo passo" in last.lower()
    assert "dicembre 2026" in last


def test_one_time_promise_on_cover_toc_and_intro(texts):
    promise = " ".join(kit_data()["document"]["promise"].split())
    for page in texts[:3]:
        assert promise[:40] in " ".join(page.split())
