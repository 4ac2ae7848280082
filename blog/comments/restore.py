"""Put a backup of the comments back, after checking it, keeping what it replaces.

1. the file must be a sound Isso database (:func:`blog.comments.check.inspect`): SQLite's
   header, ``PRAGMA integrity_check``, Isso's tables; otherwise nothing is touched;
2. the database in use, if any, is kept as a backup first (``…-prima-del-ripristino.db``;
   a damaged one as a plain copy, ``…-danneggiato.db``);
3. the backup is copied with SQLite's backup API beside the database, checked again, and
   renamed over it in one step; the journal files of the replaced database go with it, so
   SQLite never replays them onto the restored one.

Isso opens the database anew for every request: a running Isso reads the restored comments
from its next request on (on the server, stopping it first is still the tidy way).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from blog.comments.backup import copy_database, keep_aside
from blog.comments.check import Facts, NotUsable, inspect
from blog.comments.store import SIBLINGS, local_database
from blog.paths import ROOT, relative


class RestoreRefused(Exception):
    """Nothing was restored and nothing changed; the message (Italian) says why."""


@dataclass(frozen=True)
class Restored:
    """What a restore did, for the summary line."""

    source: Path
    database: Path
    facts: Facts
    replaced: Path | None  # where the database it replaced was kept

    def summary(self, root: Path) -> str:
        line = (f"Commenti ripristinati da {relative(self.source, root)} in "
                f"{relative(self.database, root)}: {self.facts.label()}.")
        if self.replaced is not None:
            line += f" Il database di prima è in {relative(self.replaced, root)}."
        return line


def restore(source: Path, database: Path) -> Restored:
    """Replace ``database`` with the backup ``source``; raise :class:`RestoreRefused`."""
    unchanged = "Il database dei commenti non è cambiato."
    try:
        inspect(source)
    except NotUsable as exc:
        raise RestoreRefused(f"Non ripristino: {exc}. {unchanged}") from None
    if database.exists() and source.resolve() == database.resolve():
        raise RestoreRefused(f"Non ripristino: {source} è il database in uso, non un backup.")
    database.parent.mkdir(parents=True, exist_ok=True)
    replaced = keep_aside(database, "prima-del-ripristino") if database.exists() else None
    partial = database.with_name(f".{database.name}.ripristino-{os.getpid()}")
    try:
        copy_database(source, partial)
        try:
            facts = inspect(partial)
        except NotUsable as exc:  # the disk, not the backup: it passed a moment ago
            raise RestoreRefused(f"Non ripristino: la copia di {source} non è riuscita ({exc}). "
                                 f"{unchanged}") from None
        for suffix in SIBLINGS:
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(partial, database)
    finally:
        partial.unlink(missing_ok=True)
    descriptor = os.open(database.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return Restored(source, database, facts, replaced)


def restore_local(file: str, root: Path = ROOT) -> str:
    """``invoke comments-restore FILE``: the summary line; raise :class:`RestoreRefused`."""
    return restore(Path(file).expanduser().absolute(), local_database(root)).summary(root)
