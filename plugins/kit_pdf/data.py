"""Load and check ``kit.yaml``: the workbook's words, structure and fixed dates.

Every mistake an author can make in the file ends in a :class:`KitBuildError` with the
file, the line (from the YAML node where there is one) and the reason in Italian.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .errors import KitBuildError, read_utf8
from .fields import name_fields, section_fields

DATA_FILE = "kit.yaml"
REQUIRED_DOCUMENT_KEYS = ("title", "author", "subject", "keywords", "created", "modified")
# The W3C date profile WeasyPrint accepts for dcterms.created / dcterms.modified.
W3C_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$"
)
MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip

TOP_LEVEL = {
    "document": dict,
    "labels": dict,
    "cover": dict,
    "toc": dict,
    "back": dict,
    "sections": list,
}
# What each kind of section needs, and of which type (the templates read these keys).
KINDS: dict[str, dict[str, type]] = {
    "intro": {"paragraphs": list, "steps": list, "tips": list},
    "readiness": {"questions": list, "guide": list, "prompt": str},
    "worksheet": {"blocks": list},
    "inventory": {"rows": int, "columns": dict, "total": dict},
    "schedule": {"rows": int, "columns": dict, "notes": dict},
    "procedure": {"copies": int, "fields": list, "example": dict},
    "plan": {"rows": int, "columns": dict, "split": list, "total": dict},
    "profile": {"groups": list, "details": list, "notes": dict},
    "feedback": {"copies": int, "fields": list, "tips": list},
    "summary": {"items": list, "commitment": list},
}
BLOCK_TYPES = {
    "subhead": ("text",),
    "text": ("text",),
    "panel": ("text",),
    "area": ("id", "label"),
    "line": ("id", "label"),
    "choice": ("id", "label", "options"),
    "checklist": ("id", "items"),
}
TYPE_NAMES = {dict: "una mappa (chiave: valore)", list: "un elenco (righe con «-»)",
              str: "un testo", int: "un numero intero"}  # fmt: skip


class _Lines:
    """Line numbers of the YAML nodes, looked up by a path of keys and indexes."""

    def __init__(self, text: str):
        try:
            self.root = yaml.compose(text)
        except yaml.YAMLError:
            self.root = None

    def __call__(self, *path: str | int) -> int | None:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                found = next((v for k, v in node.value if k.value == step), None)
                if found is None:
                    return line
                line = next(k for k, v in node.value if v is found).start_mark.line + 1
                node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return line
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def load_kit_data(source: Path, site: dict[str, str] | None = None) -> dict[str, Any]:
    """Read ``source/kit.yaml``, check its shape and add derived values.

    Adds ``dates`` (created / modified, as written), the
    ``edition`` label, ``site`` (the production address and contact e-mail the last
    page prints), a ``number`` to each section that is an exercise (every kind but
    ``intro``) and every form field's name (:mod:`.fields`).
    """
    path = source / DATA_FILE
    text = read_utf8(path, "il file dei testi del kit")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise KitBuildError(
            f"YAML non valido ({problem}): controlla rientri, due punti e virgolette", path, line
        ) from exc
    lines = _Lines(text)
    if not isinstance(data, dict):
        raise KitBuildError(
            "il file deve essere una mappa con document, labels, cover, toc, back e sections",
            path,
            1,
        )
    for key, kind in TOP_LEVEL.items():
        if key not in data:
            raise KitBuildError(f"manca la sezione «{key}:» al primo livello", path)
        _expect(data[key], kind, key, path, lines(key))
    document = data["document"]
    for key in REQUIRED_DOCUMENT_KEYS:
        if not document.get(key):
            raise KitBuildError(f"manca document.{key}", path, lines("document"))

    data["dates"] = _dates(document, path, lines)
    data["edition"] = _edition(document, path, lines)
    data["site"] = dict(site or {})
    _check_sections(data["sections"], path, lines)
    name_fields(data)
    _check_names(data["sections"], path, lines)
    return data


def _expect(value: Any, kind: type, where: str, path: Path, line: int | None) -> None:
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise KitBuildError(f"«{where}» deve essere {TYPE_NAMES[kind]}", path, line)


def _dates(document: dict[str, Any], path: Path, lines: _Lines) -> dict[str, str]:
    """The PDF's dates: the edition's own, from kit.yaml.

    Not SOURCE_DATE_EPOCH: a production build must make the same PDF as a development
    build, and a commit that does not touch kit/ must not re-render it.
    """
    dates = {}
    for key in ("created", "modified"):
        value = document[key]
        if isinstance(value, date):  # datetime is a date too
            value = value.isoformat()
        value = str(value)
        if not W3C_DATE.match(value):
            raise KitBuildError(
                f"document.{key} «{value}» non è una data come 2026-12-01T09:00:00+01:00",
                path,
                lines("document", key),
            )
        dates[key] = value
    return dates


def _edition(document: dict[str, Any], path: Path, lines: _Lines) -> str:
    """«Seconda edizione · dicembre 2026» from ``document.edition`` (name and date)."""
    edition = document.get("edition")
    line = lines("document", "edition")
    if not isinstance(edition, dict) or not edition.get("name"):
        raise KitBuildError("document.edition deve avere name e date", path, line)
    when = edition.get("date")
    if not isinstance(when, date):
        raise KitBuildError(
            f"document.edition.date «{when}» non è una data come 2026-12-01", path, line
        )
    return f"{edition['name']} · {MONTHS[when.month - 1]} {when.year}"


def _check_sections(sections: list[Any], path: Path, lines: _Lines) -> None:
    if not sections:
        raise KitBuildError("«sections» non può essere vuoto", path, lines("sections"))
    seen: set[str] = set()
    number = 0
    for index, section in enumerate(sections):
        line = lines("sections", index)
        if not isinstance(section, dict):
            raise KitBuildError(
                f"la sezione {index + 1} deve essere una mappa con id, kind e title", path, line
            )
        for key in ("id", "kind", "title"):
            if not section.get(key):
                raise KitBuildError(f"alla sezione {index + 1} manca «{key}»", path, line)
        if not isinstance(section["id"], str) or not re.fullmatch(
            r"[a-z0-9][a-z0-9-]*", section["id"]
        ):
            raise KitBuildError(
                f"l’id di sezione «{section['id']}» può contenere solo lettere minuscole, "
                "cifre e «-»",
                path,
                lines("sections", index, "id"),
            )
        if section["id"] in seen:
            raise KitBuildError(
                f"l’id di sezione «{section['id']}» è ripetuto", path, lines("sections", index)
            )
        seen.add(section["id"])
        kind = section["kind"]
        if kind not in KINDS:
            raise KitBuildError(
                f"kind «{kind}» sconosciuto: usa uno di {', '.join(sorted(KINDS))}",
                path,
                lines("sections", index, "kind"),
            )
        for key, expected in KINDS[kind].items():
            where = f"{section['id']}.{key}"
            if key not in section:
                raise KitBuildError(f"alla sezione «{section['id']}» manca «{key}»", path, line)
            _expect(section[key], expected, where, path, lines("sections", index, key))
        if kind == "worksheet":
            _check_blocks(section, path, lambda *p, i=index: lines("sections", i, "blocks", *p))
        if kind == "readiness":
            _check_readiness(section, path, lambda *p, i=index: lines("sections", i, *p))
        if kind != "intro":
            number += 1
            section["number"] = number
        else:
            section["number"] = None


def _check_names(sections: list[dict[str, Any]], path: Path, lines: _Lines) -> None:
    """Two fields with one name would share one answer: name the section of the second."""
    seen: dict[str, str] = {}
    for index, section in enumerate(sections):
        for field in section_fields(section):
            if field.name in seen:
                raise KitBuildError(
                    f"il campo «{field.name}» di «{section['id']}» ha lo stesso nome di un "
                    f"campo di «{seen[field.name]}»: cambia uno degli id",
                    path,
                    lines("sections", index),
                )
            seen[field.name] = section["id"]


def _check_blocks(section: dict[str, Any], path: Path, line: Any) -> None:
    for index, block in enumerate(section["blocks"]):
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            raise KitBuildError(
                f"blocco {index + 1} di «{section['id']}»: type deve essere uno di "
                f"{', '.join(sorted(BLOCK_TYPES))}",
                path,
                line(index),
            )
        for key in BLOCK_TYPES[block["type"]]:
            if not block.get(key):
                raise KitBuildError(
                    f"al blocco {index + 1} di «{section['id']}» ({block['type']}) manca «{key}»",
                    path,
                    line(index),
                )


def _check_readiness(section: dict[str, Any], path: Path, line: Any) -> None:
    for index, question in enumerate(section["questions"]):
        if not isinstance(question, dict) or not question.get("id") or not question.get("text"):
            raise KitBuildError(
                f"la domanda {index + 1} deve avere id e text", path, line("questions", index)
            )
    first: dict[str, int] = {}
    for index, question in enumerate(section["questions"]):
        if question["id"] in first:  # one answer for two questions (and WeasyPrint's
            raise KitBuildError(  # English «Anchor defined twice» against kit.css)
                f"l’id «{question['id']}» della domanda {index + 1} è già quello della "
                f"domanda {first[question['id']] + 1}: ogni domanda vuole un id suo",
                path,
                line("questions", index, "id"),
            )
        first[question["id"]] = index
    covered: set[int] = set()
    for index, reading in enumerate(section["guide"]):
        ok = isinstance(reading, dict) and all(
            isinstance(reading.get(k), int) for k in ("min", "max")
        )
        if not ok or not reading.get("text") or not reading.get("range"):
            raise KitBuildError(
                "ogni lettura di «guide» deve avere min e max (numeri), range e text",
                path,
                line("guide", index),
            )
        covered |= set(range(reading["min"], reading["max"] + 1))
    missing = sorted(set(range(len(section["questions"]) + 1)) - covered)
    if missing:
        raise KitBuildError(
            f"nessuna lettura di «guide» per {', '.join(map(str, missing))} «sì»",
            path,
            line("guide"),
        )
