"""Give the theme the kit's readiness test and section order in ``KIT``.

The kit page shows the same questions and the same reading as the PDF, from the one
source in ``kit/kit.yaml``. ``kit_pdf`` exposes them in ``KIT["readiness"]``; when a
build's ``KIT`` lacks them (an older kit plugin) this plugin derives the same shape from
``kit.yaml``:

``{"title", "intro", "question_header", "answers": [{"value", "label"}],
"questions": [{"id", "number", "text"}], "guide_title",
"readings": [{"min", "max", "range", "text"}], "prompt"}``

and ``KIT["order"]`` (``[{"number", "title", "note"}]``, the sections in PDF order).
The theme renders the kit box after every article itself (``partials/kit_box.html``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kit_pdf.data import load_kit_data
from pelican import signals

RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")
ANSWERS = [{"value": "si", "label": "sì"}, {"value": "non-ancora", "label": "non ancora"}]
PROMPT = "Rispondi a tutte le domande per leggere il risultato."


def _plain(text: str) -> str:
    """kit.yaml marks emphasis with ``**``: the site shows plain text."""
    return " ".join(text.replace("**", "").split())


def order_from_data(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The exercises of ``kit.yaml`` in PDF order."""
    return [
        {"number": s["number"], "title": s.get("title", ""), "note": s.get("toc_note", "")}
        for s in data["sections"]
        if s.get("number")
    ]


def readiness_from_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """The readiness section of ``kit.yaml`` in the theme's shape, or None."""
    section = next((s for s in data["sections"] if s.get("kind") == "readiness"), None)
    if not section:
        return None
    readings = []
    for item in section.get("guide", []):
        found = RANGE.search(item["range"])
        if not found:
            continue
        low, high = sorted(int(x) for x in found.groups())
        readings.append({"min": low, "max": high, "range": item["range"], "text": item["text"]})
    questions = [
        {"id": q["id"], "number": i, "text": q["text"]}
        for i, q in enumerate(section.get("questions", []), start=1)
    ]
    return {
        "title": section.get("title", "Sei pronto?"),
        "intro": _plain(section.get("intro", "")),
        "question_header": section.get("questions_header", "Domanda"),
        "answers": ANSWERS,
        "questions": questions,
        "guide_title": section.get("guide_title", "Come leggere le risposte"),
        "readings": sorted(readings, key=lambda r: -r["max"]),
        "prompt": PROMPT,
    }


def _fill(pelican: Any) -> None:
    settings = pelican.settings
    kit = settings.get("KIT")
    if not isinstance(kit, dict) or not kit or (kit.get("readiness") and kit.get("order")):
        return
    root = Path(settings["PATH"]).resolve().parent
    source = Path(settings.get("KIT_SOURCE") or root / "kit")
    if not source.is_absolute():
        source = root / source
    data = load_kit_data(source)
    readiness = readiness_from_data(data)
    if readiness and not kit.get("readiness"):
        kit["readiness"] = readiness
    if not kit.get("order"):
        kit["order"] = order_from_data(data)


def register() -> None:
    """Run after kit_pdf has set ``KIT`` (it is listed before this plugin)."""
    signals.initialized.connect(_fill)
    signals.get_generators.connect(_fill)
