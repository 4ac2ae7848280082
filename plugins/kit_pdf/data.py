"""Load and check ``kit.yaml``: the workbook's words, structure and fixed dates."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import KitBuildError

DATA_FILE = "kit.yaml"
REQUIRED_DOCUMENT_KEYS = ("title", "author", "subject", "keywords", "created", "modified")
# The W3C date profile WeasyPrint accepts for dcterms.created / dcterms.modified.
W3C_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$"
)


def load_kit_data(source: Path) -> dict[str, Any]:
    """Read ``source/kit.yaml``, check its shape and add derived values.

    Adds ``dates`` (created / modified, replaced by SOURCE_DATE_EPOCH when set)
    and a ``number`` to each section that is an exercise (every kind but ``intro``).
    """
    path = source / DATA_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KitBuildError("file not found", path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise KitBuildError(f"invalid YAML: {problem}", path, line) from exc

    if not isinstance(data, dict):
        raise KitBuildError("expected a mapping at the top level", path)
    for key in ("document", "labels", "cover", "toc", "sections"):
        if key not in data:
            raise KitBuildError(f"missing top-level key {key!r}", path)
    document = data["document"]
    for key in REQUIRED_DOCUMENT_KEYS:
        if not document.get(key):
            raise KitBuildError(f"missing document.{key}", path)

    data["dates"] = _dates(document, path)
    _check_sections(data["sections"], path)
    return data


def _dates(document: dict[str, Any], path: Path) -> dict[str, str]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            stamp = datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise KitBuildError(f"SOURCE_DATE_EPOCH is not an integer: {epoch!r}") from None
        fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"created": fixed, "modified": fixed}
    dates = {}
    for key in ("created", "modified"):
        value = document[key]
        if isinstance(value, date):  # datetime is a date too
            value = value.isoformat()
        value = str(value)
        if not W3C_DATE.match(value):
            raise KitBuildError(f"document.{key} is not a W3C date: {value!r}", path)
        dates[key] = value
    return dates


def _check_sections(sections: Any, path: Path) -> None:
    if not isinstance(sections, list) or not sections:
        raise KitBuildError("'sections' must be a non-empty list", path)
    seen: set[str] = set()
    number = 0
    for index, section in enumerate(sections, start=1):
        for key in ("id", "kind", "title"):
            if not isinstance(section, dict) or not section.get(key):
                raise KitBuildError(f"section {index} has no {key!r}", path)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", section["id"]):
            raise KitBuildError(
                f"section id {section['id']!r}: use lowercase letters, digits and '-'", path
            )
        if section["id"] in seen:
            raise KitBuildError(f"duplicate section id {section['id']!r}", path)
        seen.add(section["id"])
        if section["kind"] != "intro":
            number += 1
            section["number"] = number
        else:
            section["number"] = None
