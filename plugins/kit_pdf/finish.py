"""Finish WeasyPrint's PDF before it is written: forms every reader draws, one described link each.

Runs as WeasyPrint's documented ``finisher`` hook (``Document.write_pdf(finisher=…)``) on
the in-memory ``pydyf.PDF``, after the structure tree exists and before the bytes are
written: no monkeypatch, no second parse, the PDF/UA tags stay, and the output stays
byte-identical from build to build. It fills the gaps of WeasyPrint 70's form writer
(``weasyprint/pdf/anchors.py``):

- check boxes and radio buttons get an ``/Off`` appearance beside the ``on`` one, both
  drawing the box itself (so the click target is the drawn box), a ``/DA`` and ``/MK``
  for readers that redraw fields, and readable state names (``/Yes``, ``/si``…);
- radio kids lose their own ``/T`` and their place in ``/AcroForm /Fields`` (a reader
  would otherwise treat each as a field of its own);
- text fields get a ``/DA`` that names a simple TrueType font with WinAnsiEncoding made
  from the same embedded program: every reader can type ’ « » … with it (pdfium draws
  the Identity-H font of WeasyPrint with wrong widths for glyphs the page never used),
  at a fixed size, never ``0`` (automatic: iOS's viewers are reported to hide those);
- ``/NeedAppearances`` goes: every button carries its appearances, readers that fill
  text fields write their own;
- link annotations that WeasyPrint makes for every box of one link are merged into one
  annotation per link, with a description (``/Contents``) instead of the anchor id.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pydyf
from fontTools.ttLib import TTFont

from .marks import BORDER, BOX_COLOR, MARK_COLOR, TEXT_COLOR, box, dot, fmt, rgb, ring, tick

FIELD_FONT_KEY = "KitCampi"
CHECK_ON = "Yes"
# What a reader types in Italian must be in the field font: letters, accents, quotes.
TYPED_CHECK = "aàèéìòù’‘“”«»…–€AÈ0123456789"


@dataclass
class FinishReport:
    """What the finisher changed (for tests and the build summary)."""

    checkboxes: int = 0
    radio_groups: int = 0
    radio_buttons: int = 0
    text_fields: int = 0
    links: int = 0
    dropped_links: int = 0
    problems: list[str] = field(default_factory=list)


def _number(reference: Any) -> int:
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _get(pdf: pydyf.PDF, reference: Any) -> Any:
    return pdf.objects[_number(reference)]


def _rect(values: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in values)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _free(pdf: pydyf.PDF, number: int) -> None:
    """Replace an object nothing refers to any more by an empty dictionary (a few bytes)."""
    empty = pydyf.Dictionary({})
    empty.number = number
    pdf.objects[number] = empty


def _appearance(pdf: pydyf.PDF, width: float, height: float, content: str) -> bytes:
    stream = pydyf.Stream(
        [content.encode("ascii")],
        pydyf.Dictionary(
            {
                "Type": "/XObject",
                "Subtype": "/Form",
                "BBox": pydyf.Array([0, 0, round(width, 3), round(height, 3)]),
                "Resources": pydyf.Dictionary({}),
            }
        ),
        compress=True,
    )
    pdf.add_object(stream)
    return stream.reference


def _state_name(value: str) -> str:
    """A PDF name from an export value: letters, digits and '-' only."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in value)
    return cleaned.strip("-") or CHECK_ON


def _field_font(pdf: pydyf.PDF, fonts: pydyf.Dictionary, campi_key: str | None) -> str | None:
    """Add a simple WinAnsi TrueType font that shares the form font's embedded program."""
    if campi_key is None:
        return None
    type0 = _get(pdf, fonts[campi_key]) if isinstance(fonts[campi_key], bytes) else fonts[campi_key]
    descendant = _get(pdf, type0["DescendantFonts"][0])
    descriptor = _get(pdf, descendant["FontDescriptor"])
    program_ref = descriptor["FontFile2"]
    program = _get(pdf, program_ref)
    raw = b"".join(_bytes(part) for part in program.stream)
    font = TTFont(io.BytesIO(raw), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    missing = [c for c in TYPED_CHECK if ord(c) not in cmap]
    if missing:  # WeasyPrint embeds form fonts whole; a subset would lack what readers type
        raise ValueError(f"il font dei campi non ha i caratteri {' '.join(missing)}")
    hmtx = font["hmtx"]
    widths = []
    for code in range(32, 256):
        try:
            char = codecs.decode(bytes([code]), "cp1252")
        except UnicodeDecodeError:
            char = ""
        glyph = cmap.get(ord(char)) if char else None
        widths.append(round(hmtx[glyph][0] * scale) if glyph else 0)
    simple_descriptor = pydyf.Dictionary(
        {
            "Type": "/FontDescriptor",
            "FontName": "/Kit-Campi",
            "Flags": 32,
            "FontBBox": descriptor["FontBBox"],
            "ItalicAngle": 0,
            "Ascent": descriptor["Ascent"],
            "Descent": descriptor["Descent"],
            "CapHeight": descriptor.get("CapHeight", descriptor["Ascent"]),
            "StemV": descriptor.get("StemV", 80),
            "FontFile2": program_ref,
        }
    )
    pdf.add_object(simple_descriptor)
    simple = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/TrueType",
            "BaseFont": "/Kit-Campi",
            "FirstChar": 32,
            "LastChar": 255,
            "Widths": pydyf.Array(widths),
            "Encoding": "/WinAnsiEncoding",
            "FontDescriptor": simple_descriptor.reference,
        }
    )
    pdf.add_object(simple)
    fonts[FIELD_FONT_KEY] = simple.reference
    return FIELD_FONT_KEY


def _bytes(part: Any) -> bytes:
    if isinstance(part, bytes):
        return part
    if isinstance(part, pydyf.String):
        raw = part.string
        return raw if isinstance(raw, bytes) else str(raw).encode("latin-1", "replace")
    if isinstance(part, pydyf.Object):
        return part.data
    return str(part).encode()


def _font_size(da: Any) -> float:
    """The size a text field's ``/DA`` names; never 0 («auto»: iOS hides such fields)."""
    words = _bytes(da).decode("latin-1").split() if da is not None else []
    for index, word in enumerate(words):
        if word == "Tf" and index >= 2 and float(words[index - 1]) > 0:
            return float(words[index - 1])
    return 10.0


def _da_font_key(da: Any) -> str | None:
    words = _bytes(da).decode("latin-1").split() if da is not None else []
    for index, word in enumerate(words):
        if word == "Tf" and index >= 2:
            return words[index - 2].lstrip("/")
    return None


class KitFinisher:
    """The ``finisher`` callable: ``document.write_pdf(finisher=KitFinisher(descriptions))``.

    ``descriptions`` maps a link target (an anchor id, or a URI) to the words a screen
    reader says for it. A link with no description keeps its visible text as the only
    name and is reported in :attr:`report`.
    """

    def __init__(self, descriptions: Mapping[str, str]):
        self.descriptions = dict(descriptions)
        self.report = FinishReport()
        self._appearances: dict[tuple[bool, float, float], tuple[bytes, bytes]] = {}

    def __call__(self, document: Any, pdf: pydyf.PDF) -> None:
        acroform = pdf.catalog.get("AcroForm")
        if acroform is not None:
            self._forms(pdf, acroform)
        self._links(pdf)

    # ---------- forms ----------

    def _forms(self, pdf: pydyf.PDF, acroform: pydyf.Dictionary) -> None:
        acroform.pop("NeedAppearances", None)
        resources = acroform["DR"]
        resources = _get(pdf, resources) if isinstance(resources, bytes) else resources
        fonts = resources.get("Font")
        fonts = _get(pdf, fonts) if isinstance(fonts, bytes) else fonts
        fields = [_get(pdf, ref) for ref in acroform["Fields"]]
        campi = next((_da_font_key(f.get("DA")) for f in fields if f.get("FT") == "/Tx"), None)
        font_key = _field_font(pdf, fonts, campi) if fonts is not None else None
        da_font = f"/{font_key or campi or 'Helv'}"

        kids: set[int] = set()
        for item in fields:
            if item.get("FT") != "/Btn" or "Kids" not in item:
                continue
            self.report.radio_groups += 1
            options = [_string_value(option) for option in item.get("Opt", [])]
            item.pop("Opt", None)
            item["DA"] = pydyf.String(f"{da_font} 0 Tf {rgb(MARK_COLOR)}")
            names = [_string_value(_get(pdf, ref).get("TU", "")) for ref in item["Kids"]]
            question = _common_question(names)
            if question:  # «Domanda – sì» and «Domanda – non ancora» → «Domanda»
                item["TU"] = pydyf.String(question)
            selected = None
            for index, ref in enumerate(item["Kids"]):
                kids.add(_number(ref))
                widget = _get(pdf, ref)
                widget.pop("T", None)
                state = _state_name(options[index] if index < len(options) else str(index))
                self._button(pdf, widget, state, radio=True)
                if widget.get("AS") not in (None, "/Off"):
                    selected = state
                self.report.radio_buttons += 1
            item["V"] = f"/{selected}" if selected else "/Off"

        kept = pydyf.Array()
        for ref in acroform["Fields"]:
            if _number(ref) in kids:
                continue
            kept.append(ref)
            item = _get(pdf, ref)
            if item.get("FT") == "/Btn" and "Kids" not in item:
                self._button(pdf, item, CHECK_ON, radio=False)
                item["DA"] = pydyf.String(f"{da_font} 0 Tf {rgb(MARK_COLOR)}")
                item["V"] = item["AS"]
                self.report.checkboxes += 1
            elif item.get("FT") == "/Tx":
                size = _font_size(item.get("DA"))
                item["DA"] = pydyf.String(f"{da_font} {fmt(size)} Tf {rgb(TEXT_COLOR)}")
                item["MK"] = pydyf.Dictionary({})
                self.report.text_fields += 1
        acroform["Fields"] = kept
        acroform["DA"] = pydyf.String(f"{da_font} 10 Tf {rgb(TEXT_COLOR)}")

    def _button(self, pdf: pydyf.PDF, widget: pydyf.Dictionary, state: str, radio: bool) -> None:
        x1, y1, x2, y2 = _rect(widget["Rect"])
        widget["Rect"] = pydyf.Array([round(v, 3) for v in (x1, y1, x2, y2)])
        width, height = round(x2 - x1, 2), round(y2 - y1, 2)
        for old in widget["AP"]["N"].values():
            _free(pdf, _number(old))  # WeasyPrint's "on" stream, replaced below
        key = (radio, width, height)
        if key not in self._appearances:
            empty = ring(width, height) if radio else box(width, height)
            mark = dot(width, height) if radio else tick(width, height)
            self._appearances[key] = (
                _appearance(pdf, width, height, f"{empty} {mark}"),
                _appearance(pdf, width, height, empty),
            )
        on_ref, off_ref = self._appearances[key]
        checked = widget.get("AS") not in (None, "/Off")
        widget["AP"] = pydyf.Dictionary({"N": pydyf.Dictionary({state: on_ref, "Off": off_ref})})
        widget["AS"] = f"/{state}" if checked else "/Off"
        widget["MK"] = pydyf.Dictionary(
            {
                "BC": pydyf.Array(BOX_COLOR),
                "BG": pydyf.Array((1, 1, 1)),
                "CA": pydyf.String("l" if radio else "4"),
            }
        )
        widget.pop("Border", None)
        widget["BS"] = pydyf.Dictionary({"W": BORDER, "S": "/S"})

    # ---------- links ----------

    def _links(self, pdf: pydyf.PDF) -> None:
        dropped: set[int] = set()
        for page_ref in pdf.page_references:
            page = _get(pdf, page_ref)
            annots = page.get("Annots")
            if not annots:
                continue
            groups: list[tuple[str, list[float], pydyf.Dictionary]] = []
            kept = pydyf.Array()
            for ref in annots:
                annot = _get(pdf, ref)
                if annot.get("Subtype") != "/Link":
                    kept.append(ref)
                    continue
                target = _link_target(annot)
                rect = list(_rect(annot["Rect"]))
                for other_target, other_rect, other in groups:
                    if other_target == target and _touch(rect, other_rect):
                        other_rect[:] = _union(rect, other_rect)
                        other["Rect"] = pydyf.Array([round(v, 3) for v in other_rect])
                        dropped.add(_number(ref))
                        break
                else:
                    groups.append((target, rect, annot))
                    annot["Rect"] = pydyf.Array([round(v, 3) for v in rect])
                    kept.append(ref)
                    description = self.descriptions.get(target.lstrip("#"))
                    if description:
                        annot["Contents"] = pydyf.String(description)
                    else:
                        annot.pop("Contents", None)
                        self.report.problems.append(f"nessuna descrizione per «{target}»")
            page["Annots"] = kept
            self.report.links += len(groups)
        self.report.dropped_links = len(dropped)
        if dropped:
            _drop_from_structure(pdf, dropped)


def _common_question(names: list[str]) -> str:
    """The part before « – option» that every option's accessible name shares."""
    heads = {name.rsplit(" – ", 1)[0] for name in names if " – " in name}
    return heads.pop() if len(heads) == 1 and len(names) > 1 else ""


def _link_target(annot: pydyf.Dictionary) -> str:
    if "Dest" in annot:
        return _string_value(annot["Dest"])
    action = annot.get("A")
    if action is not None and "URI" in action:
        return _string_value(action["URI"])
    return ""


def _string_value(value: Any) -> str:
    if isinstance(value, pydyf.String):
        raw = value.string
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    return str(value)


def _touch(a: list[float], b: list[float], slack: float = 1.0) -> bool:
    return not (
        a[2] + slack < b[0] or b[2] + slack < a[0] or a[3] + slack < b[1] or b[3] + slack < a[1]
    )


def _union(a: list[float], b: list[float]) -> list[float]:
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def _drop_from_structure(pdf: pydyf.PDF, dropped: set[int]) -> None:
    """Remove the merged annotations from the structure tree and its parent tree."""
    objrs: set[int] = set()
    struct_parents: set[int] = set()
    for obj in pdf.objects:
        is_objr = isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/OBJR"
        if is_objr and _number(obj["Obj"]) in dropped:
            objrs.add(obj.number)
    for number in dropped:
        annot = pdf.objects[number]
        if "StructParent" in annot:
            struct_parents.add(int(annot["StructParent"]))
        _free(pdf, number)
    for number in objrs:
        _free(pdf, number)
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"):
            continue
        kids = obj.get("K")
        if not isinstance(kids, list):
            continue
        remaining = [k for k in kids if not (isinstance(k, bytes) and _number(k) in objrs)]
        if len(remaining) != len(kids):
            obj["K"] = pydyf.Array(remaining)
        if obj.get("S") == "/Link" and not any(
            isinstance(k, bytes) and pdf.objects[_number(k)].get("Type") == "/OBJR"
            for k in obj["K"]
        ):
            obj["S"] = "/Span"
    root = pdf.catalog.get("StructTreeRoot")
    if root is None:
        return
    parent_tree = _get(pdf, _get(pdf, root)["ParentTree"])
    nums = parent_tree["Nums"]
    cleaned = pydyf.Array()
    for index in range(0, len(nums), 2):
        if nums[index] in struct_parents:
            continue
        cleaned.extend(nums[index : index + 2])
    parent_tree["Nums"] = cleaned
