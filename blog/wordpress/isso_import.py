"""WordPress comments into Isso's SQLite database, keyed by the NEW addresses.

Isso's own ``isso import`` keys threads by the old WordPress paths and imports spam,
pingbacks and trackbacks too, so we write Isso's schema ourselves: ``isso.db.SQLite3``
creates (or migrates) the tables, and the rows are the ones Isso's ``Comments.add``
writes, with the thread URI the theme uses (``data-isso-id``: the page path).

- approved comments (mode 1) keep their date and their thread; Isso shows one level of
  replies, so a reply to a reply hangs under the top comment of its thread, as in Isso;
- pending comments (mode 2) wait for the author's moderation; they are dated at the
  import, because Isso deletes pending comments older than ``purge-after`` (30 days);
- spam, trash, pingbacks and trackbacks are not imported, only counted.

Re-running adds nothing: a comment already in the thread (same author and text) is
recognised and reused as a parent.
"""

from __future__ import annotations

import calendar
import contextlib
import html
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from blog.wordpress.wxr import Comment


@dataclass
class Thread:
    uri: str
    title: str
    comments: list[Comment]


@dataclass
class CommentPlan:
    threads: list[Thread] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # approved, pending, spam, pingback, …


def sort_comments(comments: list[Comment], plan: CommentPlan) -> list[Comment]:
    """Keep what Isso should get, count the rest."""
    kept = []
    for comment in comments:
        if comment.type in {"pingback", "trackback"}:
            plan.counts[comment.type] += 1
        elif comment.approved == "1":
            plan.counts["approved"] += 1
            kept.append(comment)
        elif comment.approved == "0":
            plan.counts["pending"] += 1
            kept.append(comment)
        else:
            plan.counts["spam" if comment.approved == "spam" else "trash"] += 1
    return kept


def _epoch(comment: Comment) -> float:
    for value, utc in ((comment.date_gmt, True), (comment.date, False)):
        try:
            moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        if moment.year < 1971:
            continue
        return float(calendar.timegm(moment.timetuple())) if utc else moment.timestamp()
    return time.time()


def comment_text(raw: str) -> str:
    """WordPress comment HTML → the Markdown Isso renders (links and emphasis kept)."""
    if "<" in raw:
        from markdownify import markdownify

        return markdownify(raw.replace("\n", "<br>\n"), escape_misc=False).strip()
    return html.unescape(raw).strip()


def _create_schema(database: Path) -> None:
    """Isso's own tables, triggers and schema version (``isso.db.SQLite3``)."""
    from isso.db import SQLite3

    from isso import config

    database.parent.mkdir(parents=True, exist_ok=True)
    SQLite3(str(database), config.load(config.default_file()))


def write_comments(database: Path, threads: list[Thread]) -> int:
    """Add the comments of ``threads`` to ``database``; return how many were new.

    The rows are those ``isso.db.comments.Comments.add`` writes (same columns, the
    voters Bloom filter, a reply to a reply attached to the top comment), but in ONE
    transaction: Isso's own ``add`` opens and commits a connection per statement, which
    takes minutes for a blog with thousands of comments.
    """
    import sqlite3

    from isso.utils import Bloomfilter, anonymize

    _create_schema(database)
    added = 0
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        for thread in threads:
            row = db.execute("SELECT id FROM threads WHERE uri=?", (thread.uri,)).fetchone()
            if row is None:
                row = (db.execute("INSERT INTO threads (uri, title) VALUES (?, ?)",
                                  (thread.uri, thread.title)).lastrowid,)
            tid = row[0]
            remap: dict[int, int] = {}  # WordPress id → Isso id
            top: dict[int, int | None] = {}  # Isso id → its Isso parent (one level, as Isso)
            pending = sorted(thread.comments, key=lambda c: c.id)
            known = {c.id for c in pending}
            while pending:
                ready = [c for c in pending if c.parent not in known or c.parent in remap]
                if not ready:  # a parent loop: attach the rest to the thread
                    ready = pending[:1]
                for comment in ready:
                    pending.remove(comment)
                    text = comment_text(comment.content)
                    found = db.execute(
                        "SELECT id, parent FROM comments WHERE tid=? AND author IS ? AND text=?",
                        (tid, comment.author or None, text),
                    ).fetchone()
                    if found:
                        remap[comment.id], top[found[0]] = found[0], found[1]
                        continue
                    parent = remap.get(comment.parent)
                    if parent is not None and top.get(parent) is not None:
                        parent = top[parent]
                    address = anonymize(comment.ip or "127.0.0.1")
                    isso_id = db.execute(
                        "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr,"
                        " text, author, email, website, voters, notification)"
                        " VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 0)",
                        (tid, parent,
                         _epoch(comment) if comment.approved == "1" else time.time(),
                         1 if comment.approved == "1" else 2, address, text,
                         comment.author or None, comment.email or None, comment.url or None,
                         memoryview(Bloomfilter(iterable=[address]).array)),
                    ).lastrowid
                    remap[comment.id], top[isso_id] = isso_id, parent
                    added += 1
    return added
