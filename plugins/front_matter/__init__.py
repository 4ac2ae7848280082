"""Check front-matter values other plugins read blindly, naming file, line and reason.

``Series_index: abc`` used to end the build in the series plugin's ``int()`` with a
``ValueError`` naming no file. This plugin checks the value as soon as a document is
read, logs an Italian error with file and line (which fails the build) and drops the
value, so that nothing later trips over it.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from pelican import signals

logger = logging.getLogger(__name__)

_FIELD = re.compile(r"^\s*(?P<key>[A-Za-z_][A-Za-z0-9_ -]*?)\s*:")


def field_line(source: Path, key: str) -> int | None:
    """Line of ``Key: value`` in the front matter of ``source`` (case-insensitive)."""
    try:
        lines = source.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            return None
        match = _FIELD.match(line)
        if match and match["key"].lower() == key.lower():
            return number
    return None


def report(content: Any, key: str, reason: str) -> None:
    """Log an error for ``content``'s ``key`` with file and line (fails the build)."""
    source = Path(content.source_path)
    line = field_line(source, key)
    where = os.path.relpath(source)
    where = f"{where}:{line}" if line else where
    logger.error("%s: %s", where, reason,
                 extra={"problem": {"file": str(source), "line": line, "reason": reason}})


def check_series_index(content: Any) -> None:
    """``Series_index`` must be a whole number from 1."""
    raw = content.metadata.get("series_index")
    if raw is None or not getattr(content, "source_path", None):
        return
    value = str(raw).strip()
    if value.isdigit() and int(value) >= 1:
        return
    report(content, "series_index",
           f"Series_index «{value}» non è un numero: scrivi la posizione nella serie, "
           "come 1, 2, 3…")
    content.metadata.pop("series_index", None)
    if hasattr(content, "series_index"):
        delattr(content, "series_index")


def register() -> None:
    signals.content_object_init.connect(check_series_index)
