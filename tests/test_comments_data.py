"""Comments are the author's data: they survive ``invoke clean``, back up, and come back.

- with the real Isso of ``invoke comments`` (127.0.0.1, isso/isso.cfg): a comment posted
  and approved, one waiting; ``invoke clean``; both still there and served again; a
  backup; the database damaged; ``invoke comments-restore``; all back, the damaged one
  kept aside;
- a backup is SQLite's snapshot of what is committed, even while a write is open;
- a restore refuses anything but a sound Isso database (not SQLite, empty, cut short,
  damaged inside, no Isso tables, a newer Isso's schema) and then changes nothing;
- the daily production backup (deploy/isso-backup.service) runs as written, keeps the
  newest 30, leaves other files alone; the units pass ``systemd-analyze verify``;
- a database that an older version kept in ``.cache/isso/`` is moved out, with one line,
  before ``invoke clean`` could remove it; ``invoke import-wordpress`` backs up first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from blog.comments.backup import backup, main, prune
from blog.comments.check import NotUsable, inspect
from blog.comments.restore import RestoreRefused, restore
from blog.wordpress.isso_import import _create_schema
from tests.sitecopy import ROOT, copy_project, invoke
from tests.systemd_support import verify_units
from tests.workflow_support import wait_for

ARTICLE = "/un-articolo/"
BACKUP_NAME = re.compile(r"commenti/backup/(commenti-\d{4}-\d{2}-\d{2}-\d{6}\.db)")


def _rows(database: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return db.execute("SELECT id, tid, parent, mode, author, text FROM comments "
                          "ORDER BY id").fetchall()


def _database(path: Path, comments: int = 2) -> Path:
    """An Isso database (Isso's own schema) with ``comments`` comments in one thread."""
    _create_schema(path)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO threads (uri, title) VALUES (?, ?)", (ARTICLE, "Un articolo"))
        for n in range(comments):
            db.execute("INSERT INTO comments (tid, created, mode, remote_addr, text, author, "
                       "voters) VALUES (1, ?, 1, '127.0.0.0', ?, 'Eva', x'00')",
                       (1_700_000_000 + n, f"<p>Commento {n}</p>"))
    return path


def _damage(path: Path) -> None:
    """What a crash or a bad disk leaves: garbage over the pages after the first."""
    data = bytearray(path.read_bytes())
    data[4096:12288] = bytes(range(256)) * 32
    path.write_bytes(bytes(data))


def _request(url: str, payload: dict | None = None, method: str | None = None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.read().decode("utf-8")


@contextlib.contextmanager
def running_comments(project: Path) -> Iterator[tuple[str, list[str]]]:
    """``invoke comments --port 0 --isso-port 0`` in ``project``: (site URL, its output)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "comments", "--port", "0", "--isso-port", "0"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1", "ISSO_ADMIN_PASSWORD": "segreta-di-prova"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        def started() -> re.Match | None:
            assert process.poll() is None, "".join(lines)
            return re.search(r"Sito con i commenti: (http://127\.0\.0\.1:\d+)/", "".join(lines))
        yield wait_for(started, 60, "invoke comments non parte")[1], lines
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)


def _published(url: str) -> list[str]:
    status, body = _request(f"{url}/isso/?uri={ARTICLE}")
    assert status in (200, 404), body  # 404: a thread with nothing published
    return [reply["text"] for reply in json.loads(body)["replies"]] if status == 200 else []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project copy with Isso's configuration and a tiny built site (no build needed)."""
    project = copy_project(tmp_path / "project")
    shutil.copytree(ROOT / "isso", project / "isso")
    page = project / "output" / ARTICLE.strip("/") / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<title>Un articolo</title><p>Testo</p>", encoding="utf-8")
    (project / "output" / "index.html").write_text("<p>Blog</p>", encoding="utf-8")
    return project


def test_comments_survive_clean_and_come_back_from_a_backup(project: Path) -> None:
    database = project / "commenti" / "comments.db"
    with running_comments(project) as (url, lines):
        first = {"text": "Grazie, mi è servito.", "author": "Eva", "title": "Un articolo"}
        status, body = _request(f"{url}/isso/new?uri={ARTICLE}", first)
        assert status == 202, body
        comment = json.loads(body)["id"]
        link = wait_for(lambda: re.search(rf"Activate comment: (\S+/id/{comment}/activate/\S+)",
                                          "".join(lines)), 30, "nessun link di attivazione")[1]
        assert _request(link, {}, method="POST")[0] == 200
        second = {"text": "Una domanda in attesa.", "title": "Un articolo"}
        assert _request(f"{url}/isso/new?uri={ARTICLE}", second)[0] == 202
        assert _published(url) == ["<p>Grazie, mi è servito.</p>"]
    assert "database commenti/comments.db" in "".join(lines)
    rows = _rows(database)
    assert [row[3] for row in rows] == [1, 2]  # one published, one waiting

    cleaned = invoke(project, "clean")
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert "i commenti in commenti/ restano" in cleaned.stdout
    assert not (project / ".cache").exists() and not (project / "output").exists()
    assert _rows(database) == rows

    made = invoke(project, "comments-backup")
    assert made.returncode == 0, made.stdout + made.stderr
    name = BACKUP_NAME.search(made.stdout)
    assert name, made.stdout
    assert "2 commenti in 1 discussione, 1 in attesa di moderazione" in made.stdout
    copy = project / "commenti" / "backup" / name[1]
    assert inspect(copy).comments == 2 and _rows(copy) == rows

    _damage(database)
    failed = invoke(project, "comments-backup")  # a damaged database writes no backup
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "è danneggiato" in failed.stderr and "invoke comments-restore" in failed.stderr
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]

    refused = invoke(project, "comments-restore", "isso/isso.cfg")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "non è un database SQLite" in refused.stderr
    assert "Il database dei commenti non è cambiato" in refused.stderr

    restored = invoke(project, "comments-restore", f"commenti/backup/{copy.name}")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"Commenti ripristinati da commenti/backup/{copy.name}" in restored.stdout
    kept = re.search(r"Il database di prima è in (commenti/backup/\S+-danneggiato\.db)\.",
                     restored.stdout)
    assert kept, restored.stdout
    assert (project / kept[1]).read_bytes()[4096:4100] == bytes(range(4))  # as it was
    assert _rows(database) == rows

    (project / "output" / ARTICLE.strip("/")).mkdir(parents=True)
    (project / "output" / ARTICLE.strip("/") / "index.html").write_text("<p>Testo</p>", "utf-8")
    (project / "output" / "index.html").write_text("<p>Blog</p>", encoding="utf-8")
    with running_comments(project) as (url, _):
        assert _published(url) == ["<p>Grazie, mi è servito.</p>"]


def test_a_backup_holds_what_is_committed_even_while_a_write_is_open(tmp_path: Path) -> None:
    database = _database(tmp_path / "comments.db", comments=1)
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE comments SET text = '<p>a metà</p>'")
        writer.execute("INSERT INTO comments (tid, created, mode, text, voters) "
                       "VALUES (1, 1, 1, 'non ancora salvato', x'00')")
        during = backup(database)
        writer.execute("COMMIT")
    finally:
        writer.close()
    after = backup(database)
    assert [row[5] for row in _rows(during.path)] == ["<p>Commento 0</p>"]
    assert [row[5] for row in _rows(after.path)] == ["<p>a metà</p>", "non ancora salvato"]
    assert during.path.parent == tmp_path / "backup" and during.path != after.path
    assert not list(during.path.parent.glob(".*"))  # no half-written file left


def test_a_restore_refuses_anything_but_a_sound_isso_database(tmp_path: Path) -> None:
    database = _database(tmp_path / "commenti" / "comments.db")
    before = database.read_bytes()
    good = _database(tmp_path / "buono.db", comments=3)
    cases = {"testo.db": (b"non un database\n", "non è un database SQLite"),
             "vuoto.db": (b"", "è vuoto (0 byte)"),
             "tagliato.db": (good.read_bytes()[:6000], "è danneggiato"),
             "rovinato.db": (None, "è danneggiato")}
    for name, (data, says) in cases.items():
        path = tmp_path / name
        if data is None:
            shutil.copy(good, path)
            _damage(path)
        else:
            path.write_bytes(data)
        cases[name] = (path, says)
    other = tmp_path / "altro.db"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE comments (id INTEGER)")
    cases["altro.db"] = (other, "non è un database di Isso: mancano le tabelle «preferences», "
                                "«threads»")
    newer = tmp_path / "nuovo.db"
    shutil.copy(good, newer)
    with contextlib.closing(sqlite3.connect(newer)) as db:
        db.execute("PRAGMA user_version = 99")
    cases["nuovo.db"] = (newer, "viene da una versione di Isso più recente")
    cases["manca.db"] = (tmp_path / "manca.db", "non esiste")

    for name, (path, says) in cases.items():
        with pytest.raises(RestoreRefused) as refused:
            restore(path, database)
        assert says in str(refused.value), (name, str(refused.value))
        assert str(refused.value).endswith("Il database dei commenti non è cambiato.")
        assert database.read_bytes() == before, name
    assert not (database.parent / "backup").exists()  # nothing was replaced, nothing kept

    done = restore(good, database)
    assert done.facts.comments == 3 and len(_rows(database)) == 3
    assert done.replaced is not None and _rows(done.replaced) == _rows(good)[:2]
    assert done.replaced.name.endswith("-prima-del-ripristino.db")


def test_the_daily_production_backup_runs_as_written_and_keeps_the_newest_30(
    tmp_path: Path,
) -> None:
    unit = (ROOT / "deploy" / "isso-backup.service").read_text(encoding="utf-8")
    command = shlex.split(re.search(r"^ExecStart=(.+)$", unit, re.M)[1])
    assert command[:3] == ["/srv/giulia-blog/.venv/bin/python", "-m", "blog.comments.backup"]
    database = _database(tmp_path / "isso" / "comments.db")
    folder = database.parent / "backup"
    folder.mkdir()
    for night in range(35):  # 35 earlier nights, and a file that is not a backup
        day = dt.date(2026, 1, 1) + dt.timedelta(days=night)
        (folder / f"commenti-{day.isoformat()}-031500.db").touch()
    old = sorted(folder.iterdir())
    (folder / "appunti.txt").write_text("non toccare", encoding="utf-8")
    result = subprocess.run([sys.executable, *command[1:]], cwd=ROOT, capture_output=True,
                            text=True, env=os.environ | {"ISSO_DBPATH": str(database)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tolti i 6 più vecchi (ne restano 30)" in result.stdout
    left = sorted(p.name for p in folder.iterdir() if p.name != "appunti.txt")
    assert len(left) == 30 and (folder / "appunti.txt").exists()
    assert left[:-1] == [p.name for p in old[6:]]  # the oldest went, the newest stayed
    assert inspect(folder / left[-1]).comments == 2

    _damage(database)  # a damaged database: the job fails, no good backup is removed
    assert main(["backup", "--keep", "1"], {"ISSO_DBPATH": str(database)}) == 1
    assert sorted(p.name for p in folder.iterdir() if p.name != "appunti.txt") == left
    assert prune(folder, 30) == []


def test_the_backup_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # The service's program must exist to verify: this machine's Python instead.
    verify_units(tmp_path, ("isso-backup.service", "isso-backup.timer"),
                 {"/srv/giulia-blog/.venv/bin/python": sys.executable})


def test_a_database_left_in_the_cache_is_moved_out_before_clean(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    legacy = _database(project / ".cache" / "isso" / "comments.db")
    rows = _rows(legacy)
    result = invoke(project, "clean")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("Commenti spostati da .cache/isso/comments.db a commenti/comments.db: invoke clean "
            "non li tocca più") in result.stdout
    assert _rows(project / "commenti" / "comments.db") == rows
    assert not (project / ".cache").exists()

    # Both there (never merged, never overwritten): the old one goes among the backups.
    _database(project / ".cache" / "isso" / "comments.db", comments=1)
    result = invoke(project, "clean")
    assert result.returncode == 0, result.stdout + result.stderr
    moved = re.search(r"lo sposto in (commenti/backup/commenti-\S+-da-cache\.db)", result.stdout)
    assert moved, result.stdout
    assert len(_rows(project / moved[1])) == 1
    assert _rows(project / "commenti" / "comments.db") == rows


def test_import_wordpress_backs_up_the_comments_before_it_writes(tmp_path: Path) -> None:
    from blog.wordpress import run_import
    from tests.wordpress_support import EXPORT, UPLOADS

    project = copy_project(tmp_path / "project")
    legacy = _database(project / ".cache" / "isso" / "comments.db", comments=1)
    before = _rows(legacy)
    run_import(EXPORT, project, uploads=UPLOADS)
    database = project / "commenti" / "comments.db"
    assert not legacy.exists() and len(_rows(database)) > len(before)
    kept = list((project / "commenti" / "backup").glob("*-prima-di-import-wordpress.db"))
    assert len(kept) == 1 and _rows(kept[0]) == before


def test_check_names_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(NotUsable, match="non è un file"):
        inspect(tmp_path)
    facts = inspect(_database(tmp_path / "comments.db", comments=2))
    assert facts.label().startswith("2 commenti in 1 discussione, ")
