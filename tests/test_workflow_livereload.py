"""``invoke livereload`` for real: Chromium on the served page, edits on disk.

One server for the module, in a project copy. Every wait is bounded.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from blog.headers import SECURITY_HEADERS
from tests.sitecopy import copy_project
from tests.workflow_support import LiveServer, wait_for

ARTICLE = "content/articles/sei-pronto-assistente-virtuale.md"
PAGE = "/sei-pronto-assistente-virtuale/"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    project = copy_project(tmp_path_factory.mktemp("livereload") / "project")
    server = LiveServer(project)
    try:
        yield server
    finally:
        log = server.stop()
        assert "livereload fermato" in log, log


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kit_pdf(project: Path) -> Path:
    pdfs = sorted((project / "output" / "kit").glob("*.pdf"))
    assert pdfs, "nessun PDF del kit in output/kit/"
    return pdfs[0]


@pytest.mark.slow
def test_serves_the_site_with_the_reload_script_and_the_security_headers(live: LiveServer):
    with urllib.request.urlopen(live.url + PAGE, timeout=30) as response:
        body = response.read().decode("utf-8")
        csp = response.headers["Content-Security-Policy"]
    tag = r'<script src="/__livereload/client\.js\?v=[0-9a-f]+-[0-9]+" defer></script></head>'
    assert re.search(tag, body)
    assert csp == SECURITY_HEADERS["Content-Security-Policy"]
    # The built files stay clean: only the dev server adds the script.
    on_disk = (live.project / "output" / PAGE.strip("/") / "index.html").read_text("utf-8")
    assert "livereload" not in on_disk


@pytest.mark.browser
@pytest.mark.slow
def test_editing_an_article_refreshes_the_open_page(live: LiveServer, page) -> None:
    kit_cache = sorted((live.project / ".cache" / "kit").glob("*.pdf"))
    kit_before = {p: p.stat().st_mtime_ns for p in kit_cache}
    since = len(live.lines)
    page.goto(live.url + PAGE)
    live.wait_line(r"Browser collegato", since, timeout=60)
    assert "Aggiornato dal vivo" not in page.content()

    since = len(live.lines)
    version = os.readlink(live.project / "output")
    article = live.project / ARTICLE
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nParagrafo «Aggiornato dal vivo» aggiunto dal test.\n",
                       encoding="utf-8")
    # No page.reload(): the change must arrive by itself.
    page.wait_for_function(
        "() => document.body.innerText.includes('Aggiornato dal vivo')", timeout=120_000)
    summary = live.wait_line(r"^Sito aggiornato", since)
    assert "kit invariato" in summary
    # An article edit reuses the kit: the cached PDF was not rendered again.
    assert {p: p.stat().st_mtime_ns for p in kit_cache} == kit_before
    # The search index follows right after the reload (a line after that build's).
    built = max(i for i, line in enumerate(live.lines) if line.startswith("Sito aggiornato"))
    live.wait_line(r"^Indice di ricerca aggiornato", built)
    assert "Aggiornato dal vivo" in _indexed_text(live.project / "output")
    # The live version was updated in place (no new version folder for one edit), and
    # what the update wrote is all in it: its staging folder holds no file.
    assert os.readlink(live.project / "output") == version
    staging = list((live.project / ".output.versions").glob(".*.aggiornamento"))
    assert staging and not [p for p in staging[0].rglob("*")
                            if p.is_file() and p.name != ".pronta"]


@pytest.mark.browser
@pytest.mark.slow
def test_the_open_page_is_rendered_first_then_the_site_and_an_undo_is_not_reused(
        live: LiveServer, page) -> None:
    """The edited page shows before the full rebuild (instant preview); reverting the
    edit brings the old text back everywhere (the render memo must not reuse the
    previewed file as if it were the last build's)."""
    other = "content/articles/cosa-delegare-per-primo.md"
    address = "/cosa-delegare-per-primo/"
    article = live.project / other
    original = article.read_text(encoding="utf-8")
    since = len(live.lines)
    page.goto(live.url + address)
    live.wait_line(r"Browser collegato", since, timeout=60)

    since = len(live.lines)
    article.write_text(original + "\nRiga «Vista in anteprima» dal test.\n", encoding="utf-8")
    page.wait_for_function(
        "() => document.body.innerText.includes('Vista in anteprima')", timeout=120_000)
    preview = live.wait_line(rf"^Anteprima di {re.escape(address)} in ", since)
    rebuilt = live.wait_line(r"^Sito aggiornato", since)
    assert live.lines.index(preview, since) < live.lines.index(rebuilt, since)
    on_disk = live.project / "output" / address.strip("/") / "index.html"
    assert "Vista in anteprima" in on_disk.read_text(encoding="utf-8")

    since = len(live.lines)
    article.write_text(original, encoding="utf-8")
    page.wait_for_function(
        "() => !document.body.innerText.includes('Vista in anteprima')", timeout=120_000)
    live.wait_line(r"^Sito aggiornato", since)
    assert "Vista in anteprima" not in on_disk.read_text(encoding="utf-8")
    assert "Vista in anteprima" not in _fetch(live.url + address)


def _indexed_text(site: Path) -> str:
    from blog.build.search_read import fragments

    return "\n".join(record["content"] for record in fragments(site))


@pytest.mark.browser
@pytest.mark.slow
def test_a_broken_article_keeps_the_last_good_page_and_prints_the_error(
    live: LiveServer, page
) -> None:
    article = live.project / ARTICLE
    since = len(live.lines)
    good = article.read_text(encoding="utf-8").replace("Aggiornato dal vivo", "Versione buona")
    good += "\nParagrafo «Versione buona» scritto dal test.\n"
    article.write_text(good, encoding="utf-8")
    live.wait_line(r"^Sito aggiornato", since)
    page.goto(live.url + PAGE)
    assert "Versione buona" in page.content()
    since = len(live.lines)
    article.write_text(
        good + "\nVedi [questo]({filename}/articles/articolo-che-non-esiste.md).\n",
        encoding="utf-8")
    failure = live.wait_line(r"^Build fallita", since)
    log = live.log(since)
    assert "sei-pronto-assistente-virtuale.md" in log and "articolo-che-non-esiste.md" in log
    assert "continuo a servire" in failure
    served = _fetch(live.url + PAGE)
    assert "Versione buona" in served and "articolo-che-non-esiste" not in served
    assert "Versione buona" in page.content()
    # The open page says so too, naming the file, on top of the last good version.
    banner = page.locator("#livereload-errore")
    banner.wait_for(timeout=30_000)
    assert "sei-pronto-assistente-virtuale.md" in banner.inner_text()
    assert banner.get_attribute("role") == "alert"

    # Fixing the file brings the next good version, without a restart.
    since = len(live.lines)
    article.write_text(good.replace("Versione buona", "Corretto dal vivo"), encoding="utf-8")
    page.wait_for_function(
        "() => document.body.innerText.includes('Corretto dal vivo')", timeout=120_000)
    live.wait_line(r"^Sito aggiornato", since)


@pytest.mark.slow
def test_a_change_in_kit_rebuilds_the_pdf(live: LiveServer) -> None:
    pdf = _kit_pdf(live.project)
    before = _digest(pdf)
    since = len(live.lines)
    stylesheet = live.project / "kit" / "kit.css"
    stylesheet.write_text(
        stylesheet.read_text(encoding="utf-8") + "\n@page { margin-bottom: 21mm; }\n",
        encoding="utf-8")
    summary = live.wait_line(r"^Sito aggiornato", since, timeout=240)
    assert "kit rigenerato" in summary, live.log(since)
    wait_for(lambda: _digest(_kit_pdf(live.project)) != before, 30, "un PDF nuovo in output/kit")


SUBTITLE = 'SITESUBTITLE = "Delegare bene, lavorare meglio"'


@pytest.mark.browser
@pytest.mark.slow
def test_a_settings_or_plugin_change_restarts_the_process_and_the_page_follows(
    live: LiveServer, page
) -> None:
    """Settings and plugins are imported once per process: a change to either re-executes
    livereload in place (same process, same address) and the open page reloads by itself."""
    settings = live.project / "pelicanconf.py"
    original = settings.read_text(encoding="utf-8")
    assert SUBTITLE in original
    since = len(live.lines)
    page.goto(live.url + "/")
    live.wait_line(r"Browser collegato", since, timeout=60)
    try:
        since = len(live.lines)
        settings.write_text(original.replace(SUBTITLE, 'SITESUBTITLE = "Riavviato dal test"'),
                            encoding="utf-8")
        live.wait_line(r"^pelicanconf\.py è cambiato: riavvio livereload", since)
        live.wait_line(r"^Riavviato \(pelicanconf\.py è cambiato\)", since)
        _wait_title(live, page, "title.includes('Riavviato dal test')", since)
        again = live.wait_line(r"In ascolto su ", since)
        assert f"In ascolto su {live.url}/" in again  # the same socket, the same address
        assert live.proc.poll() is None  # exec: the same process, still ours to stop

        # A plugin's code: the same restart.
        since = len(live.lines)
        plugin = live.project / "plugins" / "reading_time" / "__init__.py"
        plugin.write_text(plugin.read_text(encoding="utf-8") + "\n# modificato dal test\n",
                          encoding="utf-8")
        live.wait_line(r"^plugins/reading_time/__init__\.py è cambiato: riavvio", since)
        live.wait_line(r"^Sito pronto", since, timeout=180)
    finally:
        since = len(live.lines)
        settings.write_text(original, encoding="utf-8")
        live.wait_line(r"^Sito pronto", since, timeout=180)
    _wait_title(live, page, "!title.includes('Riavviato dal test')", since)


def _wait_title(live: LiveServer, page, condition: str, since: int) -> None:
    try:
        page.wait_for_function(f"() => {{ const title = document.title; return {condition}; }}",
                               timeout=180_000)
    except Exception as exc:
        raise AssertionError(
            f"{exc}\ntitolo: {page.title()}\n--- log ---\n{live.log(since)}") from None


@pytest.mark.slow
def test_pages_fetched_during_a_rebuild_are_always_complete(live: LiveServer) -> None:
    """While a rebuild writes and switches the site, every request gets a whole page of
    one version: the old one or the new one, never a missing or half-written file."""
    import threading

    article = live.project / ARTICLE
    answers: list[tuple[int, str]] = []
    stop = threading.Event()

    def fetch_forever() -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(live.url + PAGE, timeout=30) as response:
                    answers.append((response.status, response.read().decode("utf-8")))
            except urllib.error.HTTPError as error:
                answers.append((error.code, ""))

    reader = threading.Thread(target=fetch_forever, daemon=True)
    reader.start()
    try:
        for number in range(2):
            since = len(live.lines)
            article.write_text(article.read_text(encoding="utf-8")
                               + f"\nParagrafo «Durante la build {number}».\n", encoding="utf-8")
            live.wait_line(r"^Sito aggiornato", since)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert len(answers) > 10
    for status, body in answers:
        assert status == 200
        assert body.rstrip().endswith("</html>") and "</main>" in body
    assert "Durante la build 1" in answers[-1][1] or "Durante la build 1" in _fetch(live.url + PAGE)


def test_a_symlink_out_of_the_project_stops_livereload_before_it_watches(tmp_path: Path) -> None:
    """watchfiles follows links: one to a home folder would be watched whole. livereload
    refuses first, naming the link, as the build does."""
    from blog.serve.watch import UnsafeLinks, refuse_unsafe_links

    (tmp_path / "content" / "extra").mkdir(parents=True)
    (tmp_path / "theme").mkdir()
    (tmp_path / "content" / "extra" / "casa").symlink_to(tmp_path.parent)
    with pytest.raises(UnsafeLinks, match=r"content/extra/casa"):
        refuse_unsafe_links(tmp_path)
    (tmp_path / "content" / "extra" / "casa").unlink()
    refuse_unsafe_links(tmp_path)
