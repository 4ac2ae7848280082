"""Fail the build on a dead ``{filename}``/``{static}`` link, naming file and line.

Pelican only warns ``Unable to find '…'`` without saying which source holds the
link, and leaves a literal ``href="{filename}/x.md"`` in the page. We check every
intra-site link as soon as a document is read, before Pelican resolves anything,
and log an error (with ``extra={"problem": …}`` for the build engine) that fails the
build.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from pelican import signals

logger = logging.getLogger(__name__)

LINK = re.compile(
    r"""(?P<attr>href|src)\s*=\s*(?P<q>["'])\{(?P<what>filename|static|attach)\}"""
    r"""(?P<target>[^"'#?]*)"""
)


def _target_path(content_root: Path, source: Path, target: str) -> Path:
    target = unquote(target)
    if target.startswith("/"):
        return content_root / target.lstrip("/")
    rel_dir = source.parent.relative_to(content_root).as_posix()
    return content_root / posixpath.normpath(posixpath.join(rel_dir, target))


def _line_of(source: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        return None
    return None


def dead_links(content) -> list[tuple[str, int | None]]:
    """Return ``(link, line)`` for each intra-site link whose target file is missing."""
    raw = getattr(content, "_content", None) or ""
    summary = content.metadata.get("summary") or ""
    source = Path(content.source_path)
    root = Path(content.settings["PATH"])
    dead = []
    for match in LINK.finditer(raw + summary):
        target = match.group("target")
        if not target:
            continue
        if not _target_path(root, source, target).exists():
            link = "{" + match.group("what") + "}" + target
            dead.append((link, _line_of(source, link)))
    return dead


def check(content) -> None:
    if not getattr(content, "source_path", None):
        return
    for link, line in dead_links(content):
        where = os.path.relpath(content.source_path)
        if line:
            where = f"{where}:{line}"
        reason = f"link interno rotto {link} (il file non esiste)"
        logger.error("%s: %s", where, reason, extra={"problem": {
            "file": str(content.source_path), "line": line, "reason": reason}})


def register() -> None:
    signals.content_object_init.connect(check)
