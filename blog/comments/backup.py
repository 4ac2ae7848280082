"""Backups of Isso's database: consistent, dated, checked, and pruned by a retention rule.

A backup is made with SQLite's online backup API (``sqlite3.Connection.backup``), never a
file copy: it is a snapshot of the committed state even while Isso writes. It is written
under a temporary name, checked (:mod:`.check`), then renamed into place, so a backup that
exists is whole. Backups go to ``backup/`` beside the database, named by local time:
``commenti-2026-05-01-031500.db`` (with the reason when one is given:
``…-prima-di-import-wordpress.db``). A damaged database writes no backup and removes none.

- ``invoke comments-backup`` and ``invoke comments-restore FILE`` for the local database;
- :func:`backup_before` for a step about to write comments (``invoke import-wordpress``);
- ``python -m blog.comments.backup backup --keep 30`` on the server (``ISSO_DBPATH``),
  daily from ``deploy/isso-backup.timer``: the newest 30 stay.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from blog.comments.check import Facts, NotUsable, inspect
from blog.comments.store import backups_folder, local_database, project_of, rescue_legacy, stamp
from blog.paths import ROOT, relative

NAME = re.compile(r"^commenti-\d{4}-\d{2}-\d{2}-\d{6}(?:-[a-z0-9-]+)?\.db$")


class BackupFailed(Exception):
    """No backup was written; the message (Italian) says why and what to do."""


@dataclass(frozen=True)
class Backup:
    """A backup that exists, whole and checked."""

    path: Path
    facts: Facts


def _new_name(folder: Path, reason: str, now: dt.datetime | None) -> Path:
    base = f"commenti-{stamp(now)}" + (f"-{reason}" if reason else "")
    target, n = folder / f"{base}.db", 1
    while target.exists():  # two backups in the same second
        n += 1
        target = folder / f"{base}-{n}.db"
    return target


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def copy_database(source: Path, target: Path) -> None:
    """``source`` into ``target`` with SQLite's online backup, all pages in one step."""
    # mode=rw: never creates a missing source (it opens read-only where the OS says so).
    address = f"file:{quote(str(source.resolve()))}?mode=rw"
    with contextlib.closing(sqlite3.connect(address, uri=True)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    _fsync(target)


def backup(database: Path, folder: Path | None = None, *, reason: str = "",
           now: dt.datetime | None = None) -> Backup:
    """Write a checked, dated backup of ``database`` into ``folder`` (default ``backup/``
    beside it); raise :class:`BackupFailed` and leave ``folder`` as it was otherwise."""
    if not database.is_file():
        raise BackupFailed(f"{database} non esiste: non c’è nessun commento da salvare")
    folder = backups_folder(database) if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    target = _new_name(folder, reason, now)
    partial = folder / f".{target.name}.parziale"
    try:
        try:
            copy_database(database, partial)
            facts = inspect(partial)
        except NotUsable as exc:
            raise BackupFailed(
                f"Il database dei commenti {database} "
                f"{str(exc).removeprefix(str(partial) + ' ')}. Nessun backup scritto, quelli "
                "di prima restano: rimetti l’ultimo buono con invoke comments-restore FILE "
                "(sul server: python -m blog.comments.backup restore FILE).") from None
        except sqlite3.DatabaseError as exc:
            raise BackupFailed(f"Il database dei commenti {database} non si legge ({exc}): "
                               "nessun backup scritto, quelli di prima restano.") from None
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _fsync(folder)
    return Backup(target, facts)


def keep_aside(database: Path, reason: str) -> Path:
    """Save ``database`` as it is before it is replaced or written: a checked backup, or,
    when it is damaged, a plain copy of its bytes named ``…-danneggiato.db``."""
    try:
        return backup(database, reason=reason).path
    except BackupFailed:
        folder = backups_folder(database)
        target = _new_name(folder, f"{reason}-danneggiato", None)
        shutil.copyfile(database, target)
        _fsync(target)
        return target


def _age(path: Path) -> tuple[str, int]:
    """Newest last: the time in the name, then the file's (two in one second)."""
    return path.name[len("commenti-"):][:len("2026-05-01-031500")], path.stat().st_mtime_ns


def prune(folder: Path, keep: int, made: Path | None = None) -> list[Path]:
    """Remove all but the newest ``keep`` backups in ``folder`` (only files named like
    ours; never ``made``, the one just written); return the removed ones."""
    ours = sorted((p for p in folder.iterdir()
                   if p.is_file() and NAME.match(p.name) and p != made),
                  key=_age, reverse=True)
    removed = ours[max(keep, 1) - (made is not None):]
    for path in removed:
        path.unlink()
    return removed


def backup_before(reason: str, database: Path | None = None,
                  say: Callable[[str], None] | None = print) -> Path | None:
    """Keep a copy of the comments before ``reason`` (e.g. ``"import-wordpress"``) writes
    into ``database`` (default: the project's local one); None when there is none yet."""
    if database is None:
        database = local_database(say=say)
    elif (root := project_of(database)) is not None:
        rescue_legacy(root, say)
    if not database.is_file():
        return None
    kept = keep_aside(database, f"prima-di-{reason}")
    if say is not None:
        say(f"Backup dei commenti prima di {reason}: {relative(kept)}")
    return kept


# ------------------------------------------------------------------ tasks and command line


def backup_local(dest: str = "", root: Path = ROOT) -> str:
    """``invoke comments-backup``: the summary line; raise :class:`BackupFailed`."""
    database = local_database(root)
    if not database.is_file():
        raise BackupFailed(f"Nessun commento da salvare: {relative(database, root)} non esiste "
                           "ancora (lo creano invoke comments e invoke import-wordpress).")
    made = backup(database, Path(dest).expanduser() if dest else None)
    return f"Backup dei commenti: {relative(made.path, root)} ({made.facts.label()})"


def _database_from(value: str, environ: Mapping[str, str]) -> Path:
    chosen = value or environ.get("ISSO_DBPATH", "")
    if not chosen:
        raise BackupFailed("Quale database? Indica --database oppure la variabile ISSO_DBPATH "
                           "(come in /etc/giulia-blog/isso.env).")
    return Path(chosen).expanduser()


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    from blog.comments.restore import RestoreRefused, restore

    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m blog.comments.backup",
        description="Backup e ripristino del database di Isso (predefinito: ISSO_DBPATH).")
    sub = parser.add_subparsers(dest="command", required=True)
    made = sub.add_parser("backup", help="scrive un backup datato in backup/ accanto al database")
    made.add_argument("--to", default="", help="cartella dei backup (predefinita: backup/ "
                                              "accanto al database)")
    made.add_argument("--keep", type=int, default=0,
                      help="poi tiene solo gli ultimi N backup (0: tutti)")
    back = sub.add_parser("restore", help="rimette un backup dopo averlo controllato")
    back.add_argument("file", type=Path)
    looked = sub.add_parser("check", help="controlla un file senza toccarlo")
    looked.add_argument("file", type=Path)
    for command in (made, back):
        command.add_argument("--database", default="", help="predefinito: ISSO_DBPATH")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            print(f"{args.file}: database di Isso sano, {inspect(args.file).label()}")
            return 0
        database = _database_from(args.database, environ)
        if args.command == "restore":
            print(restore(args.file, database).summary(Path.cwd()))
            return 0
        done = backup(database, Path(args.to) if args.to else None)
        line = f"Backup dei commenti: {done.path} ({done.facts.label()})"
        if args.keep:
            removed = prune(done.path.parent, args.keep, made=done.path)
            if removed:
                line += ("; tolto il più vecchio" if len(removed) == 1 else
                         f"; tolti i {len(removed)} più vecchi") + f" (ne restano {args.keep})"
        print(line)
        return 0
    except (BackupFailed, NotUsable, RestoreRefused) as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
