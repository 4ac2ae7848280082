"""How much typed text each text field of the PDF shows: lines and characters a line.

Read from the finished PDF (WeasyPrint's ``finisher`` hook, after :mod:`.finish`): a
field's rectangle, its font size (``/DA``) and the widths of the field font. The lines
are those a viewer lays out, 1.35 × the font size apart (pdf.js: as many as fit the
height, rounded); the characters a line are the width over the font's mean advance on
Italian prose. The web edition tells the reader when an answer is longer than its box in
the PDF (the answer is kept whole; the printed page would cut it).
"""

from __future__ import annotations

from typing import Any

import pydyf

from .finish import FIELD_FONT_KEY, _bytes, _font_size, _get, _rect, _string_value

LINE_FACTOR = 1.35  # pdf.js: line height = font size × 1.35
MULTILINE = 1 << 12
PADDING = 4.0  # pdf.js leaves 2 pt on each side
# What the mean advance is measured on: Italian prose, as a reader types it.
SAMPLE = (
    "Rispondere alle email di routine entro un giorno lavorativo, con il tono dello "
    "studio: prezzi, orari e disponibilità dai modelli della cartella «Risposte»."
)


def text_field_fits(pdf: pydyf.PDF) -> dict[str, tuple[int, int]]:
    """``{field name: (lines, characters a line)}`` for every text field."""
    acroform = pdf.catalog.get("AcroForm")
    if acroform is None:
        return {}
    advance = _mean_advance(pdf, acroform)
    fits = {}
    for reference in acroform["Fields"]:
        field = _get(pdf, reference)
        if field.get("FT") != "/Tx":
            continue
        x1, y1, x2, y2 = _rect(field["Rect"])
        size = _font_size(field.get("DA"))
        lines = 1
        if int(field.get("Ff", 0)) & MULTILINE:
            lines = max(1, round((y2 - y1) / (LINE_FACTOR * size)))
        chars = max(1, int((x2 - x1 - PADDING) / (advance * size)))
        fits[_string_value(field["T"])] = (lines, chars)
    return fits


def _mean_advance(pdf: pydyf.PDF, acroform: Any) -> float:
    """The field font's mean advance on :data:`SAMPLE`, in em (0.5 without the font)."""
    try:
        resources = acroform["DR"]
        resources = _get(pdf, resources) if isinstance(resources, bytes) else resources
        fonts = resources["Font"]
        fonts = _get(pdf, fonts) if isinstance(fonts, bytes) else fonts
        font = _get(pdf, fonts[FIELD_FONT_KEY])
        first = int(font["FirstChar"])
        widths = [float(_bytes(w)) if not isinstance(w, (int, float)) else w
                  for w in font["Widths"]]
    except (KeyError, TypeError, ValueError):
        return 0.5
    total = 0.0
    for char in SAMPLE:
        code = char.encode("cp1252", "replace")[0]
        total += widths[code - first] if 0 <= code - first < len(widths) else 500
    return total / len(SAMPLE) / 1000
