"""``invoke new``: an ASCII slug, today's date, the theme's front matter, a draft."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from blog.newpost import slugify_it
from tests.sitecopy import copy_project, invoke


@pytest.mark.parametrize(("title", "slug"), [
    ("Perché delegare?", "perche-delegare"),
    ("Titolo dell'articolo", "titolo-dell-articolo"),
    ("L’agenda è già piena: così non va", "l-agenda-e-gia-piena-cosi-non-va"),
    ("Più tempo & meno stress — 10 idee", "piu-tempo-e-meno-stress-10-idee"),
    ("Città, però, perciò: àèéìòù ÀÈÉÌÒÙ", "citta-pero-percio-aeeiou-aeeiou"),
    ("  Spazi   ripetuti  ", "spazi-ripetuti"),
])
def test_slug_folds_accents_to_ascii(title: str, slug: str) -> None:
    assert slugify_it(title) == slug


def test_long_titles_are_cut_at_a_word() -> None:
    slug = slugify_it("Come preparare le istruzioni operative " * 4)
    assert len(slug) <= 70 and not slug.endswith("-")
    assert slug.startswith("come-preparare-le-istruzioni-operative-come")
    assert slug.split("-")[-1] in ["come", "preparare", "le", "istruzioni", "operative"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("new") / "project")


@pytest.mark.slow
def test_new_creates_a_draft_that_builds_only_as_a_draft(project: Path) -> None:
    rome = ZoneInfo("Europe/Rome")
    before = dt.datetime.now(rome).date()
    result = invoke(project, "new", "Perché delegare l'agenda è così difficile?")
    after = dt.datetime.now(rome).date()
    assert result.returncode == 0, result.stdout + result.stderr
    post = project / "content" / "articles" / "perche-delegare-l-agenda-e-cosi-difficile.md"
    assert post.is_file()
    assert "Bozza creata: content/articles/perche-delegare-l-agenda-e-cosi-difficile.md" in (
        result.stdout)
    assert "/bozze/perche-delegare-l-agenda-e-cosi-difficile/" in result.stdout

    head = post.read_text("utf-8").split("\n\n")[0]
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    assert meta["Title"] == "Perché delegare l'agenda è così difficile?"
    assert meta["Slug"] == "perche-delegare-l-agenda-e-cosi-difficile"
    assert meta["Status"] == "draft"
    assert meta["Category"] == "Assistente Virtuale"  # DEFAULT_CATEGORY
    assert meta["Tags"] and meta["Summary"]
    date = dt.datetime.strptime(meta["Date"], "%Y-%m-%d %H:%M").date()
    assert before <= date <= after

    built = invoke(project, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert not (project / "output" / "perche-delegare-l-agenda-e-cosi-difficile").exists()
    preview = invoke(project, "build", "--drafts")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    draft_page = project / "output" / "bozze" / "perche-delegare-l-agenda-e-cosi-difficile"
    assert "Perché delegare" in (draft_page / "index.html").read_text("utf-8")


@pytest.mark.slow
def test_new_refuses_to_overwrite_and_says_so_in_italian(project: Path) -> None:
    post = project / "content" / "articles" / "cosa-delegare-per-primo.md"
    original = post.read_bytes()
    result = invoke(project, "new", "Cosa delegare per primo")
    assert result.returncode == 1
    assert "Esiste già" in result.stderr and "Traceback" not in result.stderr
    assert post.read_bytes() == original


@pytest.mark.slow
def test_new_refuses_a_slug_already_used_by_another_file(project: Path) -> None:
    other = project / "content" / "pages" / "nome-diverso.md"
    other.write_text("Title: Altro\nSlug: un-titolo-preso\n\nTesto.\n", encoding="utf-8")
    try:
        result = invoke(project, "new", "Un titolo preso")
    finally:
        other.unlink()
    assert result.returncode == 1
    assert "già usato da" in result.stderr and "nome-diverso.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "content" / "articles" / "un-titolo-preso.md").exists()
