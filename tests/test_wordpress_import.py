"""The import itself, without building: safe on bad input, idempotent, respectful of edits.

Each test imports into its own copy of the project (no build: a copy and an import take
about a second). What a reader sees after the build is in tests/test_wordpress.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from blog.wordpress import ImportFailed, run_import
from blog.wordpress.body import Resolvers, convert
from blog.wordpress.slugs import ascii_slug, title_key
from tests.sitecopy import copy_project, invoke, tree_digest
from tests.wordpress_support import DB, EXPORT, LANG_C, UPLOADS, comment_rows


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def state(project: Path) -> dict[str, str]:
    """Every file the import may touch, with its hash (content, deploy, Isso database)."""
    digest = {}
    for folder in ("content", "deploy", str(Path(DB).parent)):
        if (project / folder).is_dir():
            digest |= {f"{folder}/{k}": v for k, v in tree_digest(project / folder).items()}
    return digest


@pytest.mark.slow
def test_second_import_changes_nothing(project: Path):
    first = run_import(EXPORT, project, uploads=UPLOADS)
    assert first.written and first.comments_added == {DB: 12}
    after_first = {k: v for k, v in state(project).items() if "/backup/" not in k}
    rows = comment_rows(project / DB)
    second = run_import(EXPORT, project, uploads=UPLOADS)
    assert {k: v for k, v in state(project).items() if "/backup/" not in k} == after_first
    assert comment_rows(project / DB) == rows
    assert second.written == [] and second.comments_added == {DB: 0}
    assert second.text().endswith("Nessuna modifica: l’import era già aggiornato.")


@pytest.mark.slow
def test_an_edited_file_is_never_overwritten(project: Path):
    run_import(EXPORT, project, uploads=UPLOADS)
    post = project / "content/articles/le-tre-regole.md"
    edited = post.read_text(encoding="utf-8").replace("Terza regola", "Terza regola (rivista)")
    post.write_text(edited, encoding="utf-8")
    # A changed export would rewrite the file: the author's edit wins, and is named.
    changed = EXPORT.read_text(encoding="utf-8").replace("misura i risultati", "misura tutto")
    export = project.parent / "export-modificato.xml"
    export.write_text(changed, encoding="utf-8")
    report = run_import(export, project, uploads=UPLOADS)
    assert post.read_text(encoding="utf-8") == edited
    assert any(line.startswith("content/articles/le-tre-regole.md (modificato dopo l’ultimo "
                               "import") for line in report.protected)
    assert "Non sovrascritto: content/articles/le-tre-regole.md" in report.text()


@pytest.mark.slow
def test_without_uploads_lists_files_and_keeps_alt_text(project: Path):
    report = run_import(EXPORT, project)
    text = report.text()
    assert "Immagini e file copiati: 0" in text
    assert "2019/05/inbox.jpg: da copiare: rilancia con --uploads" in text  # the original
    post = (project / "content/articles/come-delegare-la-posta.md").read_text(encoding="utf-8")
    assert "{static}" not in post and "wp-content" not in post and "<img" not in post
    assert "Una casella di posta in ordine" in post  # the alternative text
    assert "La casella dopo una settimana di delega" in post  # the caption
    assert not (project / "content/images").exists()
    # Later, with the uploads: the same import adds the images (an update, no duplicate).
    run_import(EXPORT, project, uploads=UPLOADS)
    post = (project / "content/articles/come-delegare-la-posta.md").read_text(encoding="utf-8")
    assert '<img src="{static}/images/wordpress/2019/05/inbox.jpg"' in post  # the original
    assert len(list((project / "content/articles").glob("come-delegare*"))) == 1


@pytest.mark.slow
def test_production_database_from_the_isso_settings(project: Path, tmp_path: Path):
    import shutil

    from tests.sitecopy import ROOT

    shutil.copytree(ROOT / "isso", project / "isso")
    with pytest.raises(ImportFailed, match="ISSO_DBPATH"):
        run_import(EXPORT, project, uploads=UPLOADS, production_db=True, environ={})
    assert not (project / "content/articles/le-tre-regole.md").exists()  # nothing written
    production = tmp_path / "prod" / "comments.db"
    report = run_import(EXPORT, project, uploads=UPLOADS, production_db=True,
                        environ={"ISSO_DBPATH": str(production)})
    assert report.comments_added[str(production)] == 12
    assert comment_rows(production) == comment_rows(project / DB)


@pytest.mark.parametrize("breakage, message", [
    (lambda xml: xml[: len(xml) * 2 // 3], "non è un XML valido"),
    (lambda xml: xml.replace('xmlns:wp="http://wordpress.org/export/1.2/"', "")
     .replace("wp:", ""), "non è un export di WordPress|è un feed RSS|non è un XML valido"),
    (lambda xml: xml.replace("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>",
                             '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'),
     "entità"),
    (lambda xml: xml.replace("<wp:post_id>102</wp:post_id>", ""), "non ha wp:post_id"),
])
@pytest.mark.slow
def test_malformed_export_stops_in_italian_and_writes_nothing(project: Path, breakage, message):
    broken = project.parent / "rotto.xml"
    broken.write_text(breakage(EXPORT.read_text(encoding="utf-8")), encoding="utf-8")
    before = state(project)
    result = invoke(project, "import-wordpress", str(broken), "--uploads", str(UPLOADS),
                    env=LANG_C)
    assert result.returncode == 1
    assert "Import da WordPress non riuscito: rotto.xml" in result.stderr
    assert "Non ho scritto nulla." in result.stderr
    import re

    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert state(project) == before


@pytest.mark.slow
def test_truncated_export_names_the_line(project: Path):
    broken = project.parent / "troncato.xml"
    broken.write_text(EXPORT.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"troncato\.xml:\d+: l’export non è un XML valido"):
        run_import(broken, project)


def test_slugs_are_short_ascii_in_every_script():
    assert ascii_slug("%ce%ba%ce%b1%ce%bb%ce%b7%ce%bc%ce%ad%cf%81%ce%b1") == "kalemera"
    assert ascii_slug("делегирование-задач") == "delegirovanie-zadach"
    assert ascii_slug("perch%c3%a9-delegare") == "perche-delegare"
    long = ascii_slug("parola-" * 60)
    assert len(long) <= 60 and not long.endswith("-") and long.startswith("parola-parola")
    assert ascii_slug("„…“") == ""
    assert title_key("Sei pronto ad assumere un’assistente?") == \
        title_key("Sei pronto ad assumere un'Assistente")


def _plain(html: str) -> str:
    return convert(html, Resolvers(link=lambda h: h, media=lambda s: None, attachments={})).markdown


def test_body_cleanup_units():
    md = _plain("<!-- wp:paragraph -->\n<p>Uno &amp; due &#8211; tre</p>\n<!-- /wp:paragraph -->")
    assert md == "Uno & due – tre\n"
    md = _plain("Prima<!--nextpage-->Seconda")
    assert "Prima" in md and "Seconda" in md and "nextpage" not in md
    md = _plain('Testo [contact-form-7 id="5"] e [nota]dentro[/nota] e [1] resta.')
    assert md.strip() == "Testo e dentro e [1] resta."
    md = _plain("<p>https://www.youtube.com/watch?v=x</p>")
    assert md.strip() == "[Guarda il video su YouTube](https://www.youtube.com/watch?v=x)"
    md = _plain('<iframe src="https://player.vimeo.com/video/1"></iframe><script>x()</script>')
    assert "iframe" not in md and "x()" not in md and "Vimeo" in md
    body = convert("Sopra<!--more-->Sotto",
                   Resolvers(link=lambda h: h, media=lambda s: None, attachments={}))
    assert body.more_text == "Sopra" and "Sotto" in body.markdown


@pytest.mark.slow
def test_isso_schema_is_isso_own(project: Path):
    run_import(EXPORT, project, uploads=UPLOADS)
    with sqlite3.connect(project / DB) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    from isso.db import SQLite3

    assert version == SQLite3.MAX_VERSION
    assert {"threads", "comments", "preferences"} <= tables


def test_redirect_to_a_page_that_is_gone_is_a_build_warning(tmp_path: Path, caplog):
    """An imported post the author later removed or made a draft again: the build (where
    warnings are fatal) names the data file, the line and what to do."""
    import logging
    from types import SimpleNamespace

    from blog.build.settings import local_plugin

    write_redirects = local_plugin("wordpress_redirects").write_redirects

    content, output = tmp_path / "content", tmp_path / "output"
    (output / "nuovo").mkdir(parents=True)
    (output / "nuovo" / "index.html").write_text("<!doctype html>", encoding="utf-8")
    content.mkdir()
    (content / "wordpress-redirects.json").write_text(json.dumps({
        "paths": {"/2019/01/01/vecchio/": "/nuovo/", "/2019/01/02/tolto/": "/tolto/"},
        "queries": {"p": {"7": "/nuovo/", "8": "/tolto/"}},
    }, indent=1), encoding="utf-8")
    pelican = SimpleNamespace(settings={"PATH": str(content), "OUTPUT_PATH": str(output),
                                        "SITEURL": "https://www.example.it", "SITENAME": "S"})
    with caplog.at_level(logging.WARNING):
        write_redirects(pelican)
    (record,) = caplog.records
    assert record.getMessage().endswith(
        "wordpress-redirects.json:4: il vecchio indirizzo /2019/01/02/tolto/ porta a /tolto/, "
        "che nel sito non c’è (articolo tolto o tornato bozza?): correggi o togli la riga")
    redirects = (output / "_redirects").read_text(encoding="utf-8").splitlines()
    assert redirects[1:-1] == ["/2019/01/01/vecchio/ /nuovo/ 301", "/ p=7 /nuovo/ 301"]
    # Built again into the same folder (`pelican -r`): our block replaced, not repeated;
    # somebody else's lines kept.
    (output / "_redirects").write_text("/altro /nuovo/ 302\n" + "\n".join(redirects) + "\n",
                                       encoding="utf-8")
    write_redirects(pelican)
    again = (output / "_redirects").read_text(encoding="utf-8").splitlines()
    assert again == ["/altro /nuovo/ 302", *redirects]
    refresh = (output / "2019/01/01/vecchio/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://www.example.it/nuovo/">' in refresh
    assert '<meta http-equiv="refresh" content="0; url=../../../../nuovo/">' in refresh
    assert not (output / "2019/01/02/tolto").exists()


@pytest.mark.slow
def test_wxr_1_1_and_unsafe_links(project: Path):
    xml = EXPORT.read_text(encoding="utf-8").replace("export/1.2/", "export/1.1/").replace(
        "<p>Perché il tuo tempo vale più di quanto pensi.</p>",
        '<p>Perché il tuo <a href="javascript:alert(1)">tempo</a> vale più di quanto pensi.</p>')
    export = project.parent / "wxr-1.1.xml"
    export.write_text(xml, encoding="utf-8")
    report = run_import(export, project, uploads=UPLOADS)
    assert report.counts == {"article": 8, "page": 3, "draft": 5}
    post = (project / "content/articles/perche-delegare.md").read_text(encoding="utf-8")
    assert "javascript" not in post and "Perché il tuo tempo vale più" in post
    assert "tolto (indirizzo non sicuro)" in report.text()
    # The excerpt lives in the 1.1 namespace too.
    assert "\nSummary: Le tre regole che uso con ogni cliente, è semplice.\n" in (
        project / "content/articles/le-tre-regole.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_reserved_and_taken_addresses_get_another_slug(project: Path):
    xml = EXPORT.read_text(encoding="utf-8").replace(
        "<wp:post_name><![CDATA[perch%c3%a9-delegare]]>", "<wp:post_name><![CDATA[archivio]]>"
    ).replace("<wp:post_name><![CDATA[le-tre-regole]]>", "<wp:post_name><![CDATA[contatti]]>")
    export = project.parent / "riservati.xml"
    export.write_text(xml, encoding="utf-8")
    report = run_import(export, project, uploads=UPLOADS)
    articles = project / "content/articles"
    assert (articles / "archivio-2.md").is_file()  # /archivio/ is the site's archive page
    assert "\nSlug: archivio-2\n" in (articles / "archivio-2.md").read_text(encoding="utf-8")
    # Same slug as an existing page but another post: never dropped, never two /contatti/.
    post = (articles / "contatti-2.md").read_text(encoding="utf-8")
    assert post.startswith("Title: Le tre regole della delega & altro\n")
    assert not any("contatti" in line for line in report.kept)
    text = report.text()
    assert "«archivio» è riservato alla build (l’archivio)" in text
    assert "«contatti» è già l’indirizzo di un’altra pagina" in text
    redirects = json.loads((project / "content/wordpress-redirects.json").read_text())
    assert redirects["paths"]["/2019/06/03/le-tre-regole/"] == "/contatti-2/"


@pytest.mark.slow
def test_a_post_without_wp_dates_takes_the_rss_date(project: Path):
    xml = EXPORT.read_text(encoding="utf-8").replace(
        "<wp:post_date><![CDATA[2019-07-03 10:00:00]]></wp:post_date>", "").replace(
        "<wp:post_modified><![CDATA[2019-07-03 10:00:00]]></wp:post_modified>", "")
    export = project.parent / "senza-date.xml"
    export.write_text(xml, encoding="utf-8")
    run_import(export, project, uploads=UPLOADS)
    post = (project / "content/articles/perche-delegare.md").read_text(encoding="utf-8")
    assert "\nDate: 2019-07-03 08:00\n" in post  # pubDate, in UTC


@pytest.mark.slow
def test_child_pages_follow_their_parent_new_address(project: Path):
    xml = EXPORT.read_text(encoding="utf-8").replace(
        "<wp:post_name><![CDATA[servizi]]>", "<wp:post_name><![CDATA[tag]]>").replace(
        "<wp:post_parent>302</wp:post_parent>", "<wp:post_parent>305</wp:post_parent>")
    export = project.parent / "genitori.xml"
    export.write_text(xml, encoding="utf-8")
    run_import(export, project, uploads=UPLOADS)
    pages = project / "content/pages"
    # /tag/ is the site's tag index: the parent becomes tag-2, its child follows it.
    assert "\nUrl: tag-2/gestione-agenda/\n" in (pages / "tag-gestione-agenda.md").read_text()
    assert (pages / "tag-2.md").is_file()
    # A child of a page kept from content/ (chi-sono) lives under that page's address.
    assert "\nUrl: chi-sono/tariffe/\n" in (pages / "chi-sono-tariffe.md").read_text()
