"""Is this file a sound Isso database? The checks a backup passes and a restore demands.

In order, each with an Italian reason when it fails (:class:`NotUsable`): the file exists
and is not empty, it starts like every SQLite database, SQLite's ``PRAGMA integrity_check``
says ``ok``, it has Isso's tables with their columns, and its schema is not newer than the
installed Isso understands. The file is opened read-only: checking never changes it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SQLITE_HEADER = b"SQLite format 3\x00"
# Isso's tables and the columns every version of its schema has (isso/db/*.py; the later
# ones, such as ``notification``, Isso adds itself when it opens an older database).
ISSO_TABLES = {
    "threads": {"id", "uri", "title"},
    "comments": {"tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text",
                 "author", "email", "website", "likes", "voters"},
    "preferences": {"key", "value"},
}


class NotUsable(Exception):
    """The file is not a sound Isso database; the message (Italian) says why."""


@dataclass(frozen=True)
class Facts:
    """What a sound database holds, for the summary lines."""

    comments: int
    pending: int
    threads: int
    size: int

    def label(self) -> str:
        from blog.report import plural, size_it

        text = (f"{plural(self.comments, 'commento', 'commenti')} in "
                f"{plural(self.threads, 'discussione', 'discussioni')}")
        if self.pending:
            text += f", {self.pending} in attesa di moderazione"
        return f"{text}, {size_it(self.size)}"


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def inspect(path: Path, *, isso: bool = True) -> Facts:
    """Check ``path`` (``isso=False``: only that it is a sound SQLite database)."""
    if not path.exists():
        raise NotUsable(f"{path} non esiste")
    if not path.is_file():
        raise NotUsable(f"{path} non è un file")
    size = path.stat().st_size
    if size == 0:
        raise NotUsable(f"{path} è vuoto (0 byte)")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotUsable(f"{path} non è un database SQLite (non comincia come uno di loro)")
    try:
        with contextlib.closing(_read_only(path)) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise NotUsable(f"{path} è danneggiato: SQLite segnala «{'; '.join(problems)}»")
            if not isso:
                return Facts(0, 0, 0, size)
            _isso_schema(path, db)
            comments, pending = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(mode = 2), 0) FROM comments").fetchone()
            threads = db.execute("SELECT COUNT(*) FROM threads").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise NotUsable(f"{path} è danneggiato: SQLite non lo legge ({exc})") from None
    return Facts(comments, pending, threads, size)


def _isso_schema(path: Path, db: sqlite3.Connection) -> None:
    from isso.db import SQLite3

    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = sorted(set(ISSO_TABLES) - tables)
    if missing:
        names = ", ".join(f"«{name}»" for name in missing)
        raise NotUsable(f"{path} non è un database di Isso: mancano le tabelle {names}")
    for table, needed in ISSO_TABLES.items():
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if needed - columns:
            names = ", ".join(sorted(needed - columns))
            raise NotUsable(f"{path} non è un database di Isso: alla tabella «{table}» "
                            f"mancano le colonne {names}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SQLite3.MAX_VERSION:
        raise NotUsable(f"{path} viene da una versione di Isso più recente (schema {version}; "
                        f"quella installata arriva al {SQLite3.MAX_VERSION})")
