"""Moving in from any real export (issue 24), without building: every WXR WordPress
writes, the build's rules applied before anything is written, the originals of the
uploads, and comment threads that keep their parents.

Each test imports into its own copy of the project (about a second); the whole-site
builds are in tests/test_wordpress.py (the test export) and tests/test_wordpress_scale.py
(a generated export at the author's scale).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from blog.build.settings import read_settings
from blog.wordpress import ImportFailed, preflight, run_import
from blog.wordpress.redirects import rules
from tests.sitecopy import copy_project, tree_digest
from tests.wordpress_exports import variant
from tests.wordpress_support import DB, EXPORT, UPLOADS, comment_rows

pytestmark = pytest.mark.slow

VARIANTS = {
    "1.0": dict(version="1.0"),
    "1.1": dict(version="1.1"),
    "1.1 https": dict(version="1.1", scheme="https"),
    "1.2 https": dict(scheme="https"),
    "altro prefisso": dict(scheme="https", prefix="wordpress"),
    "senza excerpt": dict(excerpt=False),
    "WordPress.com": dict(wpcom=True, scheme="https"),
    "1.0 https, senza excerpt, altro prefisso": dict(version="1.0", scheme="https",
                                                     prefix="x", excerpt=False),
}


def imported(folder: Path, export: Path = EXPORT, uploads: Path | None = UPLOADS):
    project = copy_project(folder / "project")
    return project, run_import(export, project, uploads=uploads)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory):
    project, report = imported(tmp_path_factory.mktemp("baseline"))
    return project, report


def content_files(project: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(project / "content").items()
            if k.startswith(("articles/", "pages/", "images/"))}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_wxr_wordpress_writes_reads_as_the_same_blog(name, baseline, tmp_path):
    """WXR 1.0/1.1/1.2, http and https namespaces, any prefix, no excerpt namespace,
    WordPress.com: the same posts, pages, images and comments as the test export."""
    export = tmp_path / "export.xml"
    export.write_text(variant(EXPORT.read_text(encoding="utf-8"), **VARIANTS[name]),
                      encoding="utf-8")
    project, report = imported(tmp_path, export)
    base_project, base_report = baseline
    assert report.counts == base_report.counts
    assert report.comments == base_report.comments
    assert comment_rows(project / DB) == comment_rows(base_project / DB)
    expected, found = content_files(base_project), content_files(project)
    if not VARIANTS[name].get("excerpt", True):
        summary = "\nSummary: Le tre regole che uso con ogni cliente, è semplice.\n"
        assert summary not in (project / "content/articles/le-tre-regole.md").read_text()
        expected.pop("articles/le-tre-regole.md")
        found.pop("articles/le-tre-regole.md")
    assert found == expected
    if VARIANTS[name].get("wpcom"):  # the contact form's answers are not content
        assert "TESTO-SEGRETO-MODULO" not in json.dumps(
            {k: (project / "content" / k).read_text(errors="replace") for k in found})
        assert "tipo «feedback» 1" in report.text()


def test_a_feed_is_still_not_an_export(tmp_path):
    xml = re.sub(r'\s*xmlns:wp="[^"]*"', "", EXPORT.read_text(encoding="utf-8"))
    xml = xml.replace("<wp:", "<").replace("</wp:", "</")
    export = tmp_path / "feed.xml"
    export.write_text(xml, encoding="utf-8")
    project = copy_project(tmp_path / "project")
    with pytest.raises(ImportFailed, match="è un feed RSS, non un export di WordPress"):
        run_import(export, project)


def predicted(project: Path):
    settings = read_settings(project / "pelicanconf.py")
    return preflight.predict(settings, project / "content", {}, set())


def test_redirects_point_only_at_pages_the_build_makes(baseline):
    project, report = baseline
    data = json.loads((project / "content/wordpress-redirects.json").read_text())
    site = predicted(project)
    for old, new in data["paths"].items():
        assert rules().old_address(old) == old  # one leading slash, WordPress's encoding
        assert site.builds(new), (old, new)
        assert not site.builds(old), old  # no old address hides a page of the new site
    for values in data["queries"].values():
        assert all(site.builds(new) for new in values.values())
    paths = data["paths"]
    # A category that became a tag (no article has it first) → that tag's page.
    assert paths["/category/strumenti-digitali/"] == "/tag/strumenti-digitali/"
    assert paths["/category/delega/"] == "/categoria/delega/"
    # Served with a double slash by WordPress, written with one.
    assert paths["/2019/08/10/perche-script-non-basta/"] == "/perche-script-non-basta/"
    assert not [old for old in paths if old.startswith("//")]
    assert paths["/2019/07/03/perch%c3%a9-delegare/"] == "/perche-delegare/"
    text = report.text()
    assert "Cambiato rispetto a WordPress, perché il sito nuovo lo richiede:" in text
    assert ("//2019/08/10/perche-script-non-basta/ → /2019/08/10/perche-script-non-basta/"
            in text)
    assert "«Strumenti digitali»" in text and "categorie diventate tag" in text
    assert "il tag «🎉» è tolto" in text


def test_without_tag_pages_a_category_turned_tag_goes_to_the_archive(tmp_path):
    project = copy_project(tmp_path / "project")
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nTAG_SAVE_AS = ""\nTAGS_SAVE_AS = ""\n')
    report = run_import(EXPORT, project, uploads=UPLOADS)
    paths = json.loads((project / "content/wordpress-redirects.json").read_text())["paths"]
    assert paths["/category/strumenti-digitali/"] == "/archivio/"
    assert paths["/tag/email/"] == "/archivio/"
    assert "/category/strumenti-digitali/ → /archivio/ (l’archivio)" in report.text()
    assert "la build non fa la pagina del tag" in report.text()
    site = predicted(project)
    assert all(site.builds(new) for new in paths.values())
    # No body links to a tag page that is not built.
    assert "{tag}" not in "".join(p.read_text() for p in (project / "content").rglob("*.md"))


def test_titles_of_every_kind_are_plain_text_pelican_reads():
    from blog.wordpress.body import title_text

    assert title_text("Le <em>tre</em> regole della delega &amp; altro") == \
        "Le tre regole della delega & altro"
    literal = "Perché <script> non basta & “altro”"
    assert title_text(literal) == literal
    assert title_text("Il tag &lt;title&gt; in HTML") == "Il tag <title> in HTML"
    assert title_text("<br />") == "" and title_text("   ") == ""
    assert title_text("Sconti < 10% &amp; più") == "Sconti < 10% & più"


def test_the_build_rules_run_before_anything_is_written(baseline, tmp_path):
    """A file the build would refuse stops the import, naming file, line and rule."""
    project, _ = baseline
    settings = read_settings(project / "pelicanconf.py")
    planned = {
        "articles/a.md": b"Title: Uno\nDate: 2020-01-01\nSlug: pagefind\n\nTesto.\n",
        "articles/b.md": "Title: \nDate: 2020-01-01\nSlug: b\nTags: 🎉\n\nTesto.\n".encode(),
        "articles/c.md": b"Title: Tre\nDate: 2020-13-45\nSlug: c\n\n"
                         b'<a href="{filename}/x.md">x</a>\n',
        "articles/d.md": b"Title: Quattro\nDate: 2020-01-01\nSlug: a-doppio\n"
                         b"Save_as: le-tre-regole/index.html\n\nTesto.\n",
        "articles/e.md": b"Title: Cinque\nDate: 2020-01-01\nSlug: perche-delegare\n"
                         b"Save_as: altrove/index.html\n\nTesto.\n",
    }
    site = preflight.predict(settings, project / "content", planned, set())
    found = [str(f) for f in preflight.check_documents(site, project / "content", planned, set())]
    assert any(f.startswith("content/articles/a.md:3: l’indirizzo «pagefind/» è riservato")
               for f in found), found
    assert "content/articles/b.md:1: manca il titolo" in found
    assert "content/articles/b.md:4: «🎉» non dà un indirizzo" in found
    assert any(f.startswith("content/articles/c.md:2: date: Pelican non lo legge") for f in found)
    assert "content/articles/c.md: link interno rotto {filename}/x.md" in found
    assert any("content/articles/d.md" in f and "le-tre-regole/index.html" in f for f in found)
    assert ("content/articles/e.md: lo slug «perche-delegare» è anche quello di "
            "content/articles/perche-delegare.md") in found
    with pytest.raises(ImportFailed, match="Non ho scritto nulla"):
        preflight.refuse([preflight.Finding("articles/b.md", 1, "manca il titolo")])


def test_an_importer_slip_is_caught_before_writing(tmp_path, monkeypatch):
    from blog.wordpress import body

    project = copy_project(tmp_path / "project")
    before = tree_digest(project)
    real = body.convert

    def broken(content, resolvers):
        converted = real(content, resolvers)
        converted.markdown += '\n<a href="{filename}/articles/non-esiste.md">x</a>\n'
        return converted

    monkeypatch.setattr(body, "convert", broken)
    with pytest.raises(ImportFailed, match=r"link interno rotto \{filename\}/articles/non-esiste"):
        run_import(EXPORT, project, uploads=UPLOADS)
    assert tree_digest(project) == before


def test_uploads_bring_the_originals_only(tmp_path):
    """Year/month folders with WordPress's sizes beside each original: the posts point at
    the originals, one copy each; a missing original is listed and its biggest size
    stands in for it."""
    uploads = tmp_path / "uploads"
    shutil.copytree(UPLOADS, uploads)
    desk = uploads / "2019/06/scrivania.jpg"
    data = desk.read_bytes()
    desk.unlink()
    (uploads / "2019/06/scrivania-1024x683.jpg").write_bytes(data + b"grande")
    (uploads / "2019/06/scrivania-300x200.jpg").write_bytes(data + b"piccola")
    (uploads / "2019/06/agenda-scaled.jpg").write_bytes(b"ridotta da WordPress")
    (uploads / "2019/06/agenda-150x150.jpg").write_bytes(b"miniatura")
    xml = EXPORT.read_text(encoding="utf-8").replace(
        "wp-content/uploads/2019/06/agenda.jpg", "wp-content/uploads/2019/06/agenda-scaled.jpg")
    export = tmp_path / "export.xml"
    export.write_text(xml, encoding="utf-8")
    project, report = imported(tmp_path, export, uploads)
    images = project / "content/images/wordpress"
    copied = sorted(p.relative_to(images).as_posix() for p in images.rglob("*") if p.is_file())
    assert copied == ["2019/05/inbox.jpg", "2019/06/agenda.jpg", "2019/06/caffe-e-appunti.png",
                      "2019/06/intervista.mp3", "2019/06/scrivania.jpg"]
    original = (uploads / "2019/06/agenda.jpg").read_bytes()
    assert (images / "2019/06/agenda.jpg").read_bytes() == original
    assert (images / "2019/06/scrivania.jpg").read_bytes() == data + b"grande"
    post = (project / "content/articles/come-delegare-la-posta.md").read_text()
    assert "{static}/images/wordpress/2019/05/inbox.jpg" in post and "300x200" not in post
    text = report.text()
    assert "2019/06/scrivania.jpg: manca l’originale: al suo posto 2019/06/scrivania-1024x683.jpg" \
        in text
    assert "2018/01/manca.jpg: manca nella cartella --uploads" in text
    listed = (project / "content/.wordpress-mancanti.txt").read_text()
    assert "2018/01/manca.jpg\tmanca nella cartella --uploads\n" in listed
    paths = json.loads((project / "content/wordpress-redirects.json").read_text())["paths"]
    assert paths["/wp-content/uploads/2019/05/inbox-300x200.jpg"] == \
        "/images/wordpress/2019/05/inbox.jpg"


def test_replies_deeper_than_one_level_keep_their_parent(baseline):
    """Isso shows one level of replies: a deeper reply hangs under the top comment and
    names its real parent with a link to it; a reply to a comment readers do not see
    (pending, spam) is never hidden under it."""
    project, report = baseline
    with sqlite3.connect(project / DB) as db:
        rows = {author: (cid, parent, mode, text, uri) for cid, parent, mode, author, text, uri in
                db.execute("SELECT c.id, c.parent, c.mode, c.author, c.text, t.uri FROM comments c "
                           "JOIN threads t ON t.id = c.tid WHERE t.uri='/come-delegare-la-posta/'")}
    marta, giulia, paolo = rows["Marta"], rows["Giulia"], rows["Paolo"]
    assert giulia[1] == marta[0] and paolo[1] == marta[0] and rows["Lucia"][1] == marta[0]
    assert paolo[3].startswith(f"*In risposta a [Giulia](#isso-{giulia[0]})*\n\n")
    assert rows["Lucia"][3].startswith(f"*In risposta a [Paolo](#isso-{paolo[0]})*\n\n")
    assert not giulia[3].startswith("*In risposta")  # a direct reply needs no mention
    anna = rows["Anna"]  # approved, replying to the pending comment
    assert anna[1] is None and anna[2] == 1
    assert anna[3].startswith("*In risposta a Lettore in attesa*\n\n")
    bruno = rows["Bruno"]  # replying to spam, which is not imported
    assert bruno[1] is None and not bruno[3].startswith("*In risposta")
    assert rows["Lettore in attesa"][2] == 2
    threads = {uri for (uri, *_rest) in comment_rows(project / DB)}
    assert {"/servizi/", "/le-tre-regole/", "/chi-sono/"} <= threads  # a page, an attachment
    assert "\nComments: true\n" in (project / "content/pages/servizi.md").read_text()
    assert ("pagina /chi-sono/: ha commenti importati, ma content/pages/chi-sono.md non li "
            "mostra: aggiungi «Comments: true» alla sua intestazione") in report.text()


def test_isso_renders_the_mention_as_a_link(baseline):
    from isso.html import Markup

    from isso import config

    project, _ = baseline
    with sqlite3.connect(project / DB) as db:
        (text,) = db.execute("SELECT text FROM comments WHERE author='Paolo'").fetchone()
    conf = config.load(config.default_file(), str(Path("isso/isso.cfg").resolve()))
    rendered = Markup(conf).render(text)
    assert re.search(r'<em>In risposta a <a href="#isso-\d+" rel="nofollow noopener">Giulia</a>'
                     r"</em>", rendered), rendered


def test_an_old_address_that_is_now_a_page_of_the_site_stays_that_page(tmp_path):
    """WordPress's «Archivio» page lived at /archivio/, the new site's archive: the
    redirect would send readers away from the archive, so there is none."""
    xml = EXPORT.read_text(encoding="utf-8").replace(
        "https://www.inassistentevirtuale.example/servizi/</link>",
        "https://www.inassistentevirtuale.example/archivio/</link>").replace(
        "<wp:post_name><![CDATA[servizi]]>", "<wp:post_name><![CDATA[archivio]]>")
    export = tmp_path / "archivio.xml"
    export.write_text(xml, encoding="utf-8")
    project, report = imported(tmp_path, export)
    paths = json.loads((project / "content/wordpress-redirects.json").read_text())["paths"]
    assert "/archivio/" not in paths
    assert (project / "content/pages/archivio-2.md").is_file()
    assert "/archivio/ (" in report.text() and "resta la pagina del sito" in report.text()


def test_a_blog_in_a_folder_keeps_its_folder_in_every_old_address(baseline, tmp_path):
    """WordPress at https://x.example/blog: the archives, feed, uploads and ?p= lived
    under /blog/ too."""
    host = "https://www.inassistentevirtuale.example"
    xml = EXPORT.read_text(encoding="utf-8").replace(f"{host}/", f"{host}/blog/").replace(
        f"<wp:base_blog_url>{host}</wp:base_blog_url>",
        f"<wp:base_blog_url>{host}/blog</wp:base_blog_url>").replace('href="/', 'href="/blog/')
    export = tmp_path / "cartella.xml"
    export.write_text(xml, encoding="utf-8")
    project, _ = imported(tmp_path, export)
    data = json.loads((project / "content/wordpress-redirects.json").read_text())
    paths = data["paths"]
    assert paths["/blog/2019/05/12/come-delegare-la-posta/"] == "/come-delegare-la-posta/"
    assert paths["/blog/category/delega/"] == "/categoria/delega/"
    assert paths["/blog/feed/"] == "/feeds/tutti.atom.xml"
    assert paths["/blog/wp-content/uploads/2019/05/inbox.jpg"] == \
        "/images/wordpress/2019/05/inbox.jpg"
    assert not [old for old in paths if not old.startswith("/blog/")]
    assert data["base"] == "/blog/"
    assert '"/blog/|101|" "/come-delegare-la-posta/";' in (
        project / "deploy/wordpress-redirects.map").read_text()
    base_project, _ = baseline
    assert content_files(project) == content_files(base_project)  # links resolved the same


def test_the_authors_draft_never_hides_a_post_wordpress_published(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "content/articles/mia-bozza.md").write_text(
        "Title: Perché delegare\nDate: 2024-01-01\nStatus: draft\n\nLa mia bozza.\n",
        encoding="utf-8")
    report = run_import(EXPORT, project, uploads=UPLOADS)
    post = (project / "content/articles/perche-delegare-2.md").read_text(encoding="utf-8")
    assert post.startswith("Title: Perché delegare\n") and "Status: draft" not in post
    assert "c’è già una bozza con lo stesso titolo, content/articles/mia-bozza.md" in report.text()
    assert (project / "content/articles/mia-bozza.md").read_text().endswith("La mia bozza.\n")
