"""Where the local comments live, and moving them out of ``.cache/`` where they once were.

The comments are the author's data: ``commenti/comments.db`` (``blog.paths.COMMENTS_DB``),
outside ``.cache/`` and everything ``invoke clean`` removes. Earlier versions kept them in
``.cache/isso/comments.db``; :func:`rescue_legacy` moves such a database out, with one
Italian line, before anything could delete it (``invoke clean``, ``invoke comments``,
the backup tasks and ``invoke import-wordpress`` all call it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from blog.paths import CACHE, COMMENTS_DB, ROOT

LEGACY_DB = CACHE / "isso" / "comments.db"
# Files SQLite keeps beside a database (a rollback journal, a write-ahead log).
SIBLINGS = ("-journal", "-wal", "-shm")
BACKUP_FOLDER = "backup"


def local_database(root: Path = ROOT, say: Callable[[str], None] | None = print) -> Path:
    """The project's local comment database (after moving an old one out of ``.cache/``)."""
    rescue_legacy(root, say)
    return root / COMMENTS_DB.relative_to(ROOT)


def backups_folder(database: Path) -> Path:
    """Where the backups of ``database`` go: ``backup/`` beside it."""
    return database.parent / BACKUP_FOLDER


def project_of(database: Path) -> Path | None:
    """The project root whose local database ``database`` is, or None."""
    relative = COMMENTS_DB.relative_to(ROOT)
    if database.parts[-len(relative.parts):] != relative.parts:
        return None
    return database.parents[len(relative.parts) - 1]


def stamp(now: dt.datetime | None = None) -> str:
    """``2026-05-01-031500``: local time, sorts as it happened."""
    return (now or dt.datetime.now()).strftime("%Y-%m-%d-%H%M%S")


def move_database(source: Path, target: Path) -> None:
    """Move ``source`` and the files SQLite keeps beside it to ``target`` (renamed alike)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", *SIBLINGS):
        moved = Path(f"{source}{suffix}")
        if moved.exists():
            try:
                os.replace(moved, f"{target}{suffix}")
            except OSError:  # another filesystem (.cache/ on a separate disk)
                shutil.move(moved, f"{target}{suffix}")


def rescue_legacy(root: Path = ROOT, say: Callable[[str], None] | None = print) -> Path | None:
    """Move ``.cache/isso/comments.db`` out of the cache; return where it went, or None.

    Into ``commenti/comments.db`` when that does not exist yet; otherwise (both exist:
    never merged, never overwritten) into ``commenti/backup/`` as a dated file."""
    legacy = root / LEGACY_DB.relative_to(ROOT)
    if not legacy.is_file():
        return None
    current = root / COMMENTS_DB.relative_to(ROOT)
    shown_legacy = legacy.relative_to(root).as_posix()
    shown_current = current.relative_to(root).as_posix()
    if current.exists():
        target = backups_folder(current) / f"commenti-{stamp()}-da-cache.db"
        line = (f"Commenti: c’era ancora un vecchio database in {shown_legacy}, lo sposto in "
                f"{target.relative_to(root).as_posix()} (quello in uso resta {shown_current})")
    else:
        target = current
        line = (f"Commenti spostati da {shown_legacy} a {shown_current}: "
                "invoke clean non li tocca più")
    move_database(legacy, target)
    with contextlib.suppress(OSError):  # something else is in .cache/isso/: left alone
        legacy.parent.rmdir()
    if say is not None:
        say(line)
    return target
