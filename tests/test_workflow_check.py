"""``invoke check`` on the real built site, and on a copy broken in every way it checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from buildtools.checks import (
    LISTING_DIRS,
    SiteIndex,
    axe_pages,
    check_drafts,
    check_links,
    find_drafts,
)
from tests.sitecopy import invoke

ARTICLE = "cosa-delegare-per-primo/index.html"


def test_check_passes_on_the_built_site(built_project: Path) -> None:
    result = invoke(built_project, "check", "--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ Link e ancore" in result.stdout and "✓ Bozze" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Controlli superati: ")


@pytest.fixture(scope="module")
def broken_site(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built site with one problem of each kind."""
    broken = tmp_path_factory.mktemp("check") / "sito"
    shutil.copytree(site, broken)
    page = broken / ARTICLE
    html = page.read_text(encoding="utf-8")
    html = html.replace(
        "</main>",
        '<p><a href="#sezione-inesistente">salto</a> <a href="../pagina-sparita/">via</a></p>'
        '<p id="contenuto">doppio id</p><img src="../favicon.svg" width="16" height="16">'
        "</main>", 1)
    page.write_text(html, encoding="utf-8")
    draft = broken / "bozze" / "una-bozza" / "index.html"
    draft.parent.mkdir(parents=True)
    shutil.copy(broken / "404.html", draft)
    return broken


def test_check_reports_every_kind_of_problem_readably(built_project: Path,
                                                      broken_site: Path) -> None:
    result = invoke(built_project, "check", "--site", str(broken_site), "--all")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    lines = output.splitlines()

    def block(title: str) -> str:
        start = next(i for i, line in enumerate(lines) if line.startswith(f"✗ {title}"))
        end = next((i for i in range(start + 1, len(lines))
                    if not lines[i].startswith("    ")), len(lines))
        return "\n".join(lines[start:end])

    links = block("Link e ancore")
    assert f"{ARTICLE}: «#sezione-inesistente» (a href) punta all’ancora" in links
    assert f"{ARTICLE}: «../pagina-sparita/» (a href) porta a un indirizzo che non esiste" in links
    assert "bozze/" in block("Bozze")
    assert f"{ARTICLE}:" in block("HTML (Nu Html Checker)")
    assert "contenuto" in block("HTML (Nu Html Checker)")  # the duplicate id
    axe = block("Accessibilità")
    assert "image-alt" in axe
    assert f"{ARTICLE} [light]" in axe and f"{ARTICLE} [dark]" in axe
    assert lines[-1].startswith("Controlli NON superati: ")


def test_link_checker_understands_absolute_site_urls(tmp_path: Path) -> None:
    site = tmp_path / "sito"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<h1 id="su">x</h1><a href="https://www.esempio.it/a/#giu">ok</a>'
        '<a href="https://www.esempio.it/b/">ko</a><a href="https://altro.it/b/">esterno</a>'
        '<a href="mailto:x@y.it">mail</a><link rel="stylesheet" href="/manca.css">'
        '<img srcset="/a/img.png 1x, /a/manca.png 2x" alt="">', encoding="utf-8")
    (site / "a" / "index.html").write_text('<p id="giu">', encoding="utf-8")
    (site / "a" / "img.png").write_bytes(b"png")
    problems = check_links(site, SiteIndex(site), "https://www.esempio.it")
    assert len(problems) == 3, problems
    assert any("«https://www.esempio.it/b/»" in p for p in problems)
    assert any("«/manca.css»" in p for p in problems)
    assert any("«/a/manca.png»" in p for p in problems)


def test_draft_sources_are_found_and_their_pages_reported(tmp_path: Path) -> None:
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    (content / "b.md").write_text("Title: Una bozza\nStatus: draft\n\nTesto\n", "utf-8")
    (content / "p.md").write_text("Title: Pubblicato\nSlug: pubblicato\n\nTesto\n", "utf-8")
    assert [d.slug for d in find_drafts(tmp_path / "content")] == ["una-bozza"]
    site = tmp_path / "sito"
    (site / "una-bozza").mkdir(parents=True)
    (site / "index.html").write_text('<a href="/una-bozza/">x</a>', encoding="utf-8")
    (site / "una-bozza" / "index.html").write_text("<title>Una bozza – Sito</title>", "utf-8")
    problems = check_drafts(site, SiteIndex(site), tmp_path / "content")
    assert any(p.startswith("una-bozza/: è la bozza b.md") for p in problems)
    assert any("index.html: ha un link alla bozza b.md" in p for p in problems)
    assert any("contiene il titolo della bozza" in p for p in problems)


def test_axe_runs_on_every_article_and_one_page_per_listing(site: Path) -> None:
    index = SiteIndex(site)
    pages = axe_pages(index)
    content = [p for p in index.pages
               if p.split("/")[0] not in LISTING_DIRS and "/pagina/" not in p]
    assert set(content) <= set(pages)
    assert "sei-pronto-assistente-virtuale/index.html" in pages
    assert sum(1 for p in pages if p.startswith("tag/") and "/pagina/" not in p) == 1
    assert len([p for p in index.pages if p.startswith("tag/")]) > 1
    assert "index.html" in pages and "404.html" in pages
