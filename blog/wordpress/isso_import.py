"""WordPress comments into Isso's SQLite database, keyed by the NEW addresses.

Isso's own ``isso import`` keys threads by the old WordPress paths and imports spam,
pingbacks and trackbacks too, so we write Isso's schema ourselves: ``isso.db.SQLite3``
creates (or migrates) the tables, and the rows are the ones Isso's ``Comments.add``
writes, with the thread URI the theme uses (``data-isso-id``: the page path).

- approved comments (mode 1) keep their date and their thread; Isso shows one level of
  replies (its own ``Comments.add`` attaches a reply to a reply to the top comment), so
  a deeper reply hangs under the top comment of its thread and keeps its real parent in
  its first line, «*In risposta a [Paolo](#isso-12)*», a link to that comment;
- an approved reply to a comment that is not shown (pending, spam, deleted) hangs under
  the nearest shown one above it, or starts a thread: it is never hidden;
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
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from blog.wordpress.wxr import Comment

# Comment types readers write; others (``order_note``, ``webhook_delivery``…) are private.
READER_TYPES = {"", "comment", "review"}


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
        elif comment.type not in READER_TYPES:  # WooCommerce's order notes and the like
            plan.counts["other"] += 1
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
    """WordPress comment HTML → the Markdown Isso renders (links and emphasis kept; text
    that only looks like HTML, «scrivi &lt;b&gt;», stays text)."""
    from blog.wordpress.body import REFERENCE, TAG_START, to_markdown

    if "<" in raw:
        return to_markdown(raw.replace("\n", "<br>\n")).strip()
    text = TAG_START.sub("&lt;", REFERENCE.sub("&amp;", html.unescape(raw).strip()))
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", text.replace("\r\n", "\n"))  # as wpautop


def _create_schema(database: Path) -> None:
    """Isso's own tables, triggers and schema version (``isso.db.SQLite3``)."""
    from isso.db import SQLite3

    from isso import config

    database.parent.mkdir(parents=True, exist_ok=True)
    SQLite3(str(database), config.load(config.default_file()))


def mention(author: str, isso_id: int | None) -> str:
    """The line that names a flattened reply's real parent (a link when it is shown)."""
    name = author.strip() or "un commento"
    for char in "\\`*_[]<>#":
        name = name.replace(char, "\\" + char)
    who = f"[{name}](#isso-{isso_id})" if isso_id is not None else name
    return f"*In risposta a {who}*\n\n"


def write_comments(database: Path, threads: list[Thread]) -> int:
    """Add the comments of ``threads`` to ``database``; return how many were new.

    The rows are those ``isso.db.comments.Comments.add`` writes (same columns, the
    voters Bloom filter, a reply to a reply attached to the top comment), but in ONE
    transaction: Isso's own ``add`` opens and commits a connection per statement, which
    takes minutes for a blog with thousands of comments.
    """
    import sqlite3

    _create_schema(database)
    added = 0
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        for thread in threads:
            row = db.execute("SELECT id FROM threads WHERE uri=?", (thread.uri,)).fetchone()
            if row is None:
                row = (db.execute("INSERT INTO threads (uri, title) VALUES (?, ?)",
                                  (thread.uri, thread.title)).lastrowid,)
            added += _write_thread(db, row[0], thread.comments)
    return added


def _write_thread(db, tid: int, comments: list[Comment]) -> int:
    from isso.utils import Bloomfilter, anonymize

    # What an earlier import wrote, by (author, text): each row stands for one comment
    # (two «Grazie!» of the same reader are two comments).
    existing: dict[tuple[str | None, str], list[tuple[int, int | None]]] = {}
    for cid, parent, author, text in db.execute(
            "SELECT id, parent, author, text FROM comments WHERE tid=? ORDER BY id", (tid,)):
        existing.setdefault((author, text), []).append((cid, parent))
    by_id = {c.id: c for c in comments}
    remap: dict[int, int] = {}  # WordPress id → Isso id
    top: dict[int, int | None] = {}  # Isso id → its Isso parent (one level, as Isso)
    added = 0
    for comment in _parents_first(comments):
        approved = comment.approved == "1"
        parent = by_id.get(comment.parent)
        shown = parent
        seen = set()
        while shown is not None and approved and shown.approved != "1" and shown.id not in seen:
            seen.add(shown.id)
            shown = by_id.get(shown.parent)  # hang under the nearest comment readers see
        isso_parent = remap.get(shown.id) if shown is not None else None
        if isso_parent is not None and top.get(isso_parent) is not None:
            isso_parent = top[isso_parent]
        text = comment_text(comment.content)
        if parent is not None and remap.get(parent.id) != isso_parent:
            text = mention(parent.author, remap.get(parent.id) if parent.approved == "1"
                           else None) + text
        found = existing.get((comment.author or None, text))
        if found:
            isso_id, isso_parent = found.pop(0)
            remap[comment.id], top[isso_id] = isso_id, isso_parent
            continue
        address = anonymize(comment.ip or "127.0.0.1")
        isso_id = db.execute(
            "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr,"
            " text, author, email, website, voters, notification)"
            " VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 0)",
            (tid, isso_parent, _epoch(comment) if approved else time.time(),
             1 if approved else 2, address, text,
             comment.author or None, comment.email or None, comment.url or None,
             memoryview(Bloomfilter(iterable=[address]).array)),
        ).lastrowid
        remap[comment.id], top[isso_id] = isso_id, isso_parent
        added += 1
    return added


def _parents_first(comments: list[Comment]) -> list[Comment]:
    """The comments ordered so that each comes after its parent (a loop: by id)."""
    by_id = {c.id: c for c in comments}
    ordered: list[Comment] = []
    placed: set[int] = set()

    def place(comment: Comment, chain: set[int]) -> None:
        if comment.id in placed:
            return
        parent = by_id.get(comment.parent)
        if parent is not None and parent.id not in chain:
            place(parent, chain | {comment.id})
        placed.add(comment.id)
        ordered.append(comment)

    for comment in sorted(comments, key=lambda c: c.id):
        place(comment, set())
    return ordered
