"""The kit's editions and the day each began, from ``kit/kit.yaml`` and its git history.

The PDF keeps one address across editions (``/kit/kit-sulla-delega.pdf``), so a
download's edition is the one in force on its day. ``kit.yaml`` names the current one
(``document.edition``: ``name`` and ``date``); earlier commits of the file name the
earlier ones (the first kit wrote them as one string, «Prima edizione · gennaio 2025»).
"""

from __future__ import annotations

import bisect
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

KIT_YAML = "kit/kit.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it
_MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre")


@dataclass(frozen=True, order=True)
class Edition:
    """An edition of the kit and its first day."""

    since: date
    name: str


def edition_of(document: Any) -> Edition | None:
    """The edition ``kit.yaml``'s ``document`` names, in either form it has had."""
    value = document.get("edition") if isinstance(document, dict) else None
    if isinstance(value, dict) and value.get("name") and isinstance(value.get("date"), date):
        return Edition(value["date"], str(value["name"]))
    if isinstance(value, str) and "·" in value:  # «Prima edizione · gennaio 2025»
        name, _, when = (part.strip() for part in value.partition("·"))
        month, _, year = when.partition(" ")
        if month.lower() in _MONTHS and year.isdigit():
            return Edition(date(int(year), _MONTHS.index(month.lower()) + 1, 1), name)
    return None


def _documents(texts: Iterable[str]) -> Iterable[Any]:
    for text in texts:
        try:
            data = yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            yield data.get("document")


def _history(root: Path) -> list[str]:
    """Every committed version of ``kit.yaml`` (none outside a git checkout)."""
    try:
        commits = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%H", "--", KIT_YAML],
            capture_output=True, text=True, check=True, timeout=30).stdout.split()
        if not commits:
            return []
        batch = subprocess.run(
            ["git", "-C", str(root), "cat-file", "--batch"],
            input="".join(f"{commit}:{KIT_YAML}\n" for commit in commits).encode(),
            capture_output=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    texts, rest = [], batch
    while rest:  # «<sha> blob <bytes>\n<content>\n», or «<name> missing\n»
        header, _, rest = rest.partition(b"\n")
        fields = header.split()
        if len(fields) != 3 or not fields[2].isdigit():
            continue
        size = int(fields[2])
        texts.append(rest[:size].decode("utf-8", errors="replace"))
        rest = rest[size + 1:]
    return texts


def kit_editions(root: Path) -> tuple[Edition, ...]:
    """The editions, oldest first, each with the earliest day any version gives it."""
    texts = _history(root)
    current = root / KIT_YAML
    if current.is_file():
        texts.append(current.read_text(encoding="utf-8"))
    first: dict[str, Edition] = {}
    for document in _documents(texts):
        edition = edition_of(document)
        if edition and (edition.name not in first or edition < first[edition.name]):
            first[edition.name] = edition
    return tuple(sorted(first.values()))


class EditionOfDay:
    """``name(day)``: the edition in force on a day (the first one before any began)."""

    def __init__(self, editions: Sequence[Edition]) -> None:
        self._starts = [edition.since for edition in editions]
        self._names = [edition.name for edition in editions]

    def name(self, day: date) -> str:
        if not self._names:
            return "Kit"
        return self._names[max(0, bisect.bisect_right(self._starts, day) - 1)]
