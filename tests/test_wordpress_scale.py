"""The author's scale (issue 24): a generated export of 500 posts, 60 pages, 5,000
comments (threads, pending, spam) and 2,000 attachments with a ``wp-content/uploads``
tree, imported once and built strictly once (``invoke build``), then read back.

The export is made here (tests/wordpress_exports.py), never copied from a public one.
The import's time is measured by ``benchmarks/bench_wordpress.py``; this module checks
counts and pages, not seconds.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from types import SimpleNamespace

import pytest

from blog.wordpress import run_import
from blog.wordpress.body import title_text
from blog.wordpress.redirects import rules
from tests.sitecopy import copy_project, invoke
from tests.wordpress_exports import SPECIAL_TITLES, big_export
from tests.wordpress_support import DB, LANG_C

pytestmark = pytest.mark.slow

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
MENTION = re.compile(r"^\*In risposta a \[(.+?)\]\(#isso-(\d+)\)\*\n\n")


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    folder = tmp_path_factory.mktemp("scala")
    made = big_export(folder / "wordpress")
    project = copy_project(folder / "project")
    report = run_import(made.path, project, uploads=made.uploads)
    build = invoke(project, "build", env=LANG_C)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    files = {}
    for path in (project / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^Wordpress_id: (\d+)$", text, re.M)
        if found:
            files[int(found.group(1))] = text
    return SimpleNamespace(made=made, project=project, report=report, files=files,
                           site=(project / "output").resolve())


def front(text: str, key: str) -> str | None:
    found = re.search(rf"^{key}: (.*)$", text.split("\n\n", 1)[0], re.M)
    return found.group(1) if found else None


def test_everything_public_is_counted(blog):
    made, report = blog.made, blog.report
    assert report.counts["article"] == sum(s == "publish" for s in made.posts.values())
    assert report.counts["page"] == sum(s == "publish" for s in made.pages.values())
    assert report.counts["draft"] == sum(s != "publish" for s in [*made.posts.values(),
                                                                  *made.pages.values()])
    kinds = [(approved, kind) for _item, _parent, approved, kind in made.comments.values()]
    assert report.comments["approved"] == kinds.count(("1", "comment"))
    assert report.comments["pending"] == kinds.count(("0", "comment"))
    assert report.comments["spam"] == kinds.count(("spam", "comment"))
    assert report.comments["pingback"] + report.comments["trackback"] == sum(
        kind != "comment" for _a, kind in kinds)
    assert report.kept == []  # a post that only shares a slug with a page is another post


def test_every_published_post_and_page_is_readable_under_its_title(blog):
    made = blog.made
    public = [pid for pid, status in {**made.posts, **made.pages}.items() if status == "publish"]
    for pid in public:
        text = blog.files[pid]
        title = front(text, "Title")
        expected = title_text(made.titles[pid])
        assert title and (title == expected or not expected), (pid, title, expected)
        address = front(text, "Url") or front(text, "Slug") + "/"
        page = (blog.site / address / "index.html").read_text(encoding="utf-8")
        assert html.unescape(H1.search(page).group(1)) == title, pid
    titles = {front(text, "Title") for text in blog.files.values()}
    assert {"Le tre regole della delega & altro", "Perché <script> non basta & “altro”",
            "Il tag <title> spiegato a chi delega", SPECIAL_TITLES[-1]} <= titles
    for text in blog.files.values():  # file names within any file system's limits
        assert len(front(text, "Slug").encode()) <= 60


def test_every_approved_comment_is_on_a_live_page(blog):
    made = blog.made
    public = {pid for pid, status in {**made.posts, **made.pages}.items() if status == "publish"}
    approved = [cid for cid, (item, _p, state, kind) in made.comments.items()
                if state == "1" and kind == "comment"]
    with sqlite3.connect(blog.project / DB) as db:
        rows = db.execute("SELECT t.uri, c.mode FROM comments c JOIN threads t ON t.id = c.tid"
                          ).fetchall()
    assert sum(mode == 1 for _uri, mode in rows) == len(approved)
    by_item = {}
    for pid in public:
        text = blog.files[pid]
        by_item[pid] = "/" + (front(text, "Url") or front(text, "Slug") + "/")
    live = {by_item[made.comments[cid][0]] for cid in approved if made.comments[cid][0] in public}
    for uri in live:
        page = (blog.site / uri.strip("/") / "index.html").read_text(encoding="utf-8")
        assert f'data-isso-id="{uri}"' in page, uri
    assert {uri for uri, mode in rows if mode == 1} >= live


def test_replies_deeper_than_one_level_keep_their_parent(blog):
    with sqlite3.connect(blog.project / DB) as db:
        rows = {cid: (parent, author, text) for cid, parent, author, text in db.execute(
            "SELECT id, parent, author, text FROM comments")}
    mentions = 0
    for parent, _author, text in rows.values():
        found = MENTION.match(text)
        if found:
            mentions += 1
            named = int(found.group(2))
            assert rows[named][1] == found.group(1)  # the link names the real parent
            assert parent is not None and rows[parent][0] is None  # shown under the top one
    assert mentions > 100
    assert all(rows[p][0] is None for p, _a, _t in rows.values() if p is not None)  # as Isso


def test_redirects_lead_to_pages_the_build_made(blog):
    made = blog.made
    data = json.loads((blog.project / "content/wordpress-redirects.json").read_text())
    lines = (blog.site / "_redirects").read_text(encoding="utf-8").splitlines()
    targets = [line.split()[-2] for line in lines if line and not line.startswith("#")]
    assert len(targets) == sum(len(v) for v in data["queries"].values()) + len(data["paths"])
    for target in targets:
        path = blog.site / target.lstrip("/")
        assert (path / "index.html").is_file() or path.is_file(), target
    for pid, status in made.posts.items():
        if status == "publish" and "?" not in made.links[pid]:
            old = rules().old_address(made.links[pid].split("example", 1)[1])
            assert data["paths"][old] == "/" + front(blog.files[pid], "Slug") + "/", pid
    assert not [old for old in data["paths"] if old.startswith("//") or "%C" in old]


def test_uploads_brought_the_originals_and_listed_what_was_missing(blog):
    made = blog.made
    images = blog.project / "content/images/wordpress"
    copied = [p for p in images.rglob("*") if p.is_file()]
    assert copied and not [p for p in copied if re.search(r"-\d+x\d+\.|-scaled\.", p.name)]
    listed = dict(line.split("\t", 1) for line in
                  (blog.project / "content/.wordpress-mancanti.txt").read_text().splitlines())
    assert listed and set(listed) <= made.missing | made.variant_only
    assert all(listed[name].startswith("manca l’originale") for name in listed
               if name in made.variant_only)
    assert all(listed[name] == "manca nella cartella --uploads" for name in listed
               if name in made.missing)
    text = blog.report.text()
    assert "(l’elenco completo è in content/.wordpress-mancanti.txt)" in text
    for text in blog.files.values():
        assert "wp-content" not in text and "300x200" not in text


def test_the_import_predicted_the_site_the_build_made(blog):
    from blog.build.settings import read_settings
    from blog.wordpress.preflight import predict

    settings = read_settings(blog.project / "pelicanconf.py")
    site = predict(settings, blog.project / "content", {}, set())
    predicted = {path for path in site.outputs if path.endswith(".html")}
    built = set()
    for path in blog.site.rglob("*.html"):
        relative = path.relative_to(blog.site).as_posix()
        if "/pagina/" in f"/{relative}":
            continue
        if 'content="wordpress_redirects"' not in path.read_text(encoding="utf-8")[:800]:
            built.add(relative)
    assert predicted == built
