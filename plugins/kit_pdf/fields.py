"""Every form field of the kit as data: its name, its kind and a radio group's values.

A field's name is the PDF field's name (``/T``) and the ``name=`` of the web edition's
control, so one set of answers fills both. Names are made here once, from kit.yaml's
ids, and written into the sections as ``name`` keys (and ``table``, ``table_keys``,
``sheets``, ``choices``, ``answers``, ``options``) that the PDF's templates and the
site's web edition both lay out; no template makes a name of its own. :func:`kit_fields`
lists every field in the PDF's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

TEXT, AREA, CHECK, RADIO = "text", "area", "check", "radio"

# The three tables: one row of fields per line, named «<section>-<row>-<suffix>».
# (column key in kit.yaml's «columns», name suffix, kind, holds a number of hours)
TABLE_COLUMNS: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    "inventory": (
        ("task", "attivita", TEXT, False),
        ("hours", "ore", TEXT, True),
        ("type", "tipo", RADIO, False),  # «strategica» or «marginale», one group a row
        ("delegate", "delegare", CHECK, False),
    ),
    "schedule": (
        ("task", "attivita", TEXT, False),
        ("start", "dal", TEXT, False),
        ("review", "revisione", TEXT, False),
        ("ready", "pronte", CHECK, False),
    ),
    "plan": (
        ("task", "attivita", TEXT, False),
        ("hours", "ore", TEXT, True),
        ("goals", "obiettivi", TEXT, False),
        ("review", "revisione", TEXT, False),
        ("freed", "liberate", TEXT, True),
    ),
}
# The inventory's either-or: export value and the column whose heading labels it. The
# total adds up the hours of the rows marked with SUMMED_TYPE.
INVENTORY_TYPES = (("strategica", "strategic"), ("marginale", "marginal"))
SUMMED_TYPE = "marginale"
# The readiness test's answers: export value and the label in kit.yaml's «labels».
READINESS_ANSWERS = (("si", "answer_yes"), ("non-ancora", "answer_not_yet"))


@dataclass(frozen=True)
class Field:
    """One field of the form."""

    name: str
    kind: str  # text | area | check | radio
    values: tuple[str, ...] = ()  # a radio group's export values
    hours: bool = False  # a number of hours (the web edition checks and adds them up)


def name_fields(data: dict[str, Any]) -> None:
    """Write every field's name into ``data["sections"]`` (see the module docstring)."""
    labels = data["labels"]
    for section in data["sections"]:
        namer = _NAMERS.get(section["kind"])
        if namer is not None:
            namer(section, labels)


def kit_fields(data: dict[str, Any]) -> list[Field]:
    """Every field of a named kit (:func:`name_fields`), in the PDF's order."""
    return [field for section in data["sections"] for field in section_fields(section)]


def section_fields(section: dict[str, Any]) -> Iterator[Field]:
    """The fields of one named section, in the order the page shows them."""
    kind = section["kind"]
    if kind == "readiness":
        values = tuple(answer["value"] for answer in section["answers"])
        for question in section["questions"]:
            yield Field(question["name"], RADIO, values)
    elif kind == "worksheet":
        for block in section["blocks"]:
            yield from _block_fields(block)
    elif kind in TABLE_COLUMNS:
        for row in section["table"]:
            for key in section["table_keys"]:
                yield _cell_field(row["cells"][key])
        for key in ("total", "notes"):
            if key in section:
                yield Field(section[key]["name"], _kind(section[key]))
    elif kind in ("procedure", "feedback"):
        for sheet in section["sheets"]:
            for field in sheet["fields"]:
                yield Field(field["name"], _kind(field))
    elif kind == "profile":
        for group in section["groups"]:
            for choice in group["choices"]:
                yield Field(choice["name"], CHECK)
            yield Field(group["other_name"], TEXT)
        for detail in section["details"]:
            yield Field(detail["name"], TEXT)
        yield Field(section["notes"]["name"], AREA)
    elif kind == "summary":
        for item in section["items"]:
            yield Field(item["name"], CHECK)
        for field in section["commitment"]:
            yield Field(field["name"], TEXT)


def _kind(field: dict[str, Any]) -> str:
    """A sheet field or a notes box: ruled area or one line."""
    return AREA if field.get("kind") == "area" or "lines" in field else TEXT


def _cell_field(cell: dict[str, Any]) -> Field:
    values = tuple(option["value"] for option in cell.get("options", ()))
    return Field(cell["name"], cell["kind"], values, cell.get("hours", False))


def _block_fields(block: dict[str, Any]) -> Iterator[Field]:
    kind = block["type"]
    if kind == "area":
        yield Field(block["name"], AREA)
    elif kind == "line":
        yield Field(block["name"], TEXT)
    elif kind == "choice":
        yield Field(block["name"], RADIO, tuple(str(o["value"]) for o in block["options"]))
    elif kind == "checklist":
        for item in block["items"]:
            yield Field(item["name"], CHECK)


def _readiness(section: dict[str, Any], labels: dict[str, Any]) -> None:
    section["answers"] = [
        {"value": value, "label": labels[label]} for value, label in READINESS_ANSWERS
    ]
    for question in section["questions"]:
        question["name"] = f"{section['id']}-{question['id']}"


def _worksheet(section: dict[str, Any], labels: dict[str, Any]) -> None:
    for block in section["blocks"]:
        if "id" not in block:
            continue
        block["name"] = f"{section['id']}-{block['id']}"
        if block["type"] == "checklist":
            for item in block["items"]:
                item["name"] = f"{block['name']}-{item['id']}"


def _table(section: dict[str, Any], labels: dict[str, Any]) -> None:
    columns = section["columns"]
    rows = []
    for number in range(1, section["rows"] + 1):
        cells = {}
        for key, suffix, kind, hours in TABLE_COLUMNS[section["kind"]]:
            cell: dict[str, Any] = {
                "name": f"{section['id']}-{number}-{suffix}",
                "kind": kind,
                "label": columns.get(key, ""),
                "hours": hours,
            }
            if kind == RADIO:
                cell["label"] = f"{columns['strategic']} o {columns['marginal'].lower()}"
                cell["options"] = [
                    {"value": value, "label": columns[column], "summed": value == SUMMED_TYPE}
                    for value, column in INVENTORY_TYPES
                ]
            cells[key] = cell
        rows.append({"number": number, "cells": cells})
    section["table"] = rows
    # The columns in the PDF's order (a mapping's order does not survive the JSON cache).
    section["table_keys"] = [key for key, *_ in TABLE_COLUMNS[section["kind"]]]
    for key in ("total", "notes"):
        if key in section:
            section[key]["name"] = section[key]["id"]


def _sheets(section: dict[str, Any], labels: dict[str, Any]) -> None:
    section["sheets"] = [
        {
            "number": number,
            "id": f"{section['id']}-{number}",
            "title": f"{section['copy_title']} {number}",
            "fields": [
                {**field, "name": f"{section['id']}-{number}-{field['id']}"}
                for field in section["fields"]
            ],
        }
        for number in range(1, section["copies"] + 1)
    ]


def _profile(section: dict[str, Any], labels: dict[str, Any]) -> None:
    for group in section["groups"]:
        prefix = f"{section['id']}-{group['id']}"
        group["choices"] = [
            {"name": f"{prefix}-{index}", "text": option}
            for index, option in enumerate(group["options"], start=1)
        ]
        group["other_name"] = f"{prefix}-altro"
    for detail in section["details"]:
        detail["name"] = f"{section['id']}-{detail['id']}"
    section["notes"]["name"] = section["notes"]["id"]


def _summary(section: dict[str, Any], labels: dict[str, Any]) -> None:
    for item in section["items"]:
        item["name"] = f"{section['id']}-{item['id']}"
    for field in section["commitment"]:
        field["name"] = f"{section['id']}-{field['id']}"


_NAMERS = {
    "readiness": _readiness,
    "worksheet": _worksheet,
    "inventory": _table,
    "schedule": _table,
    "plan": _table,
    "procedure": _sheets,
    "feedback": _sheets,
    "profile": _profile,
    "summary": _summary,
}
