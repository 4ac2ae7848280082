"""The card files: checked in the cache, copied into the site, never linked to the cache.

A cached card is used only if it is a whole image: a PNG with its signature and its
``IEND`` end, a JPEG (a card with the post's photo) with its start and end markers; an
empty, cut or foreign file is removed and the card drawn again, with one line on the
``og_image.cache`` logger. The site never shares bytes with the cache (a card
damaged in ``.cache/og-images/`` cannot change the live site): each card is a copy, or,
when the live version already holds that very copy (same size and time as the cached
card, which a copy is given), a hard link to the live version's file (a finished version
is never written in place) and, when the build updates the live version in place, not
written at all but kept (``kept``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

logger = logging.getLogger("og_image.cache")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


JPEG_START, JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"  # a card with the post's photo


def is_whole(path: Path) -> bool:
    """``path`` is a PNG with its signature and its end (a JPEG with its start and end)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(PNG_SIGNATURE))
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            if size < len(PNG_SIGNATURE) + len(PNG_END):
                return False
            handle.seek(size - len(PNG_END))
            tail = handle.read()
            if head.startswith(JPEG_START):
                return tail.endswith(JPEG_END)
            return head == PNG_SIGNATURE and tail == PNG_END
    except OSError:
        return False


def usable(cache: Path, files: dict[str, Path]) -> set[Path]:
    """The cached cards that can be used as they are; the damaged ones are removed
    (and said, once)."""
    good, damaged = set(), 0
    for path in set(files.values()):
        if not os.path.lexists(path):
            continue
        if path.is_file() and is_whole(path):
            good.add(path)
            continue
        damaged += 1
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if damaged:
        shown = f"{cache.parent.name}/{cache.name}"
        logger.info("La cache %s aveva %d immagini social danneggiate: le ridisegno.",
                    shown, damaged)
    return good


def _same_file(source: Path, live: Path) -> bool:
    """``live`` is the copy of ``source`` a build made (:func:`place` gives each copy its
    source's size and time; a card drawn again, or a live file written over, has a
    different time): two ``stat`` calls instead of reading 40 kB per card."""
    try:
        one, other = source.stat(), live.stat()
    except OSError:
        return False
    return (one.st_size, one.st_mtime_ns) == (other.st_size, other.st_mtime_ns)


def place(source: Path, output: Path, rel: str, live: Path | None = None,
          in_place: bool = False, kept: set[str] | None = None) -> None:
    """Put the cached card ``source`` at ``output/rel``: kept or linked from the live
    version when it holds the same bytes, else copied."""
    dest = output / rel
    if live is not None and _same_file(source, live / rel):
        if in_place:
            if kept is not None:
                kept.add(rel)
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            dest.unlink()
        try:
            os.link(live / rel, dest)
            return
        except OSError:
            pass  # another file system: copied below
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temporary)
        info = source.stat()
        os.utime(temporary, ns=(info.st_atime_ns, info.st_mtime_ns))
        os.replace(temporary, dest)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
