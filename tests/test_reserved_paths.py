"""A post, page or draft whose address is one the build uses (search index, feeds, theme,
kit, social cards, drafts preview, comments, taxonomies, pagination) stops the build
with an Italian message naming the file and line; output/ stays as it was.

Before: a post with ``Slug: pagefind`` was written, then deleted by the search index
step; the build exited 0 and the listings linked a page that did not exist.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.sitecopy import ROOT, copy_project, invoke, tree_digest

POST = """Title: Un articolo con un indirizzo sbagliato
Date: 2026-10-01 10:00
Category: Delega
Tags: prova
Slug: {slug}
Summary: Un articolo scritto per il test.
{status}
Testo dell’articolo.
"""
PAGE = """Title: Una pagina con un indirizzo sbagliato
Slug: {slug}

Testo della pagina.
"""
# file → (front matter, folder) for one build that must name every one of them.
CLASHES = {
    "ricerca.md": (POST.format(slug="pagefind", status=""), "articles"),
    "feed.md": (POST.format(slug="feeds", status=""), "articles"),
    "tema.md": (POST.format(slug="theme", status=""), "articles"),
    "kit.md": (POST.format(slug="kit", status=""), "articles"),
    "social.md": (POST.format(slug="og", status=""), "articles"),
    "commenti.md": (POST.format(slug="isso", status="Status: hidden\n"), "articles"),
    "bozza.md": (POST.format(slug="bozze", status="Status: draft\n"), "articles"),
    "pagina-tag.md": (PAGE.format(slug="tag"), "pages"),
    "pagina-2.md": (PAGE.format(slug="pagina"), "pages"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with one good build already in output/."""
    project = copy_project(tmp_path_factory.mktemp("reserved") / "project")
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def build_with(project: Path, files: dict[str, tuple[str, str]]):
    written = []
    for name, (text, folder) in files.items():
        path = project / "content" / folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    try:
        return invoke(project, "build")
    finally:
        for path in written:
            path.unlink()


@pytest.mark.slow
def test_slug_pagefind_stops_the_build_naming_the_post(project: Path) -> None:
    before = tree_digest(project / "output")
    result = build_with(project, {"ricerca.md": CLASHES["ricerca.md"]})
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "content/articles/ricerca.md:5" in output, output  # the Slug: line
    assert "l’indirizzo «pagefind/» è riservato" in output
    assert "indice della ricerca" in output
    assert "Traceback" not in output
    assert tree_digest(project / "output") == before
    assert (project / "output" / "pagefind" / "pagefind.js").is_file()


@pytest.mark.slow
def test_every_reserved_address_is_named_in_one_build(project: Path) -> None:
    before = tree_digest(project / "output")
    result = build_with(project, CLASHES)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for name, (_text, folder) in CLASHES.items():
        assert f"content/{folder}/{name}:" in output, f"{name} non è nel messaggio:\n{output}"
    for slug in ("pagefind", "feeds", "theme", "kit", "og", "isso", "bozze", "tag", "pagina"):
        assert f"«{slug}/» è riservato" in output, slug
    assert tree_digest(project / "output") == before


def test_reserved_names_come_from_the_settings() -> None:
    from blog.build.settings import read_settings

    sys.path.insert(0, str(ROOT / "plugins"))
    from reserved_paths import reserved_paths

    for settings_file in ("pelicanconf.py", "publishconf.py"):
        reserved = reserved_paths(read_settings(ROOT / settings_file))
        for name in ("pagefind", "feeds", "theme", "kit", "og", "bozze", "isso", "tag",
                     "categoria", "categorie", "autore", "archivio", "pagina", "404.html",
                     "robots.txt", "sitemap.xml"):
            assert name in reserved, (settings_file, name)
        assert "sei-pronto-assistente-virtuale" not in reserved
        assert "images" not in reserved and "chi-sono" not in reserved


def test_an_ordinary_slug_is_not_refused() -> None:
    sys.path.insert(0, str(ROOT / "plugins"))
    from reserved_paths import clashes

    class Post:
        source_path = str(ROOT / "content" / "articles" / "sei-pronto-assistente-virtuale.md")

    reserved = {"pagefind": "l’indice della ricerca", "tag": "le pagine dei tag"}
    assert clashes([(Post(), "tagliare-i-costi/index.html")], reserved) == []
    assert clashes([(Post(), "pagefind-e-altro/index.html")], reserved) == []
    ((_file, line, reason),) = clashes([(Post(), "tag/index.html")], reserved)
    assert line == 5 and "«tag/»" in reason and "cambia lo Slug" in reason  # its Slug: line

    class Image:  # a static file mapped (EXTRA_PATH_METADATA) into the search bundle
        source_path = str(ROOT / "content" / "extra" / "favicon.svg")

    ((_file, line, reason),) = clashes([(Image(), "pagefind/favicon.svg")], reserved)
    assert line is None and "sposta o rinomina il file" in reason
