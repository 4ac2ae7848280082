"""The flagship article keeps every sentence of the author's export, with its structure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.textnorm import normalise

pytestmark = pytest.mark.slow

# The author's export of the old page, kept verbatim in the repository.
SEED = Path(__file__).resolve().parent / "data" / "seed-sei-pronto-assistente-virtuale.txt"
SLUG = "sei-pronto-assistente-virtuale"
WIDGETS_START = "Potrebbero interessarti anche"


def seed_body_lines() -> list[str]:
    """The article's own lines: without category, title and the old page's widgets."""
    lines = [line.strip(" \u00a0\t•") for line in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    category, _title, *body = lines
    assert category.startswith("In ")
    end = next(i for i, line in enumerate(body) if line.startswith(WIDGETS_START))
    return body[:end]


def is_heading(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and line == line.upper() and len(line) < 80


def sentences(line: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?…])\s+", line.strip()) if s]


@pytest.fixture(scope="module")
def article(site: Path) -> BeautifulSoup:
    html = (site / SLUG / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def article_text(article: BeautifulSoup) -> str:
    return normalise(article.select_one("article").get_text(" "))


def test_every_sentence_of_the_seed_is_in_the_article(article_text: str) -> None:
    missing = [
        s for line in seed_body_lines() for s in sentences(line) if normalise(s) not in article_text
    ]
    assert not missing, f"{len(missing)} frasi mancanti, ad esempio: {missing[:3]}"


def test_capitalised_headings_are_sentence_case_h2_in_order(article: BeautifulSoup) -> None:
    # Short capitalised lines are headings; the long one at the end is the call to action.
    seed_headings = [line for line in seed_body_lines() if is_heading(line)]
    assert len(seed_headings) == 8

    h2s = [h.get_text(" ", strip=True) for h in article.select("article .prose h2")]
    assert [normalise(h) for h in h2s] == [normalise(h) for h in seed_headings]
    for heading in h2s:
        assert heading != heading.upper(), f"«{heading}» è ancora tutto maiuscolo"
        assert heading[0].isupper()


def test_call_to_action_links_the_kit(article: BeautifulSoup) -> None:
    # The seed's closing call to action stays in the text; the theme's kit box follows it.
    closing = article.select("article .prose > p")[-1]
    assert "kit sulla delega" in closing.get_text().lower()
    links = [a["href"].rstrip("/") for a in closing.select("a[href]")]
    assert any(href.endswith("kit-sulla-delega") for href in links)
    assert article.select_one("main > article + section.kit-box") is not None


def test_interviews_mention_links_the_series(article: BeautifulSoup) -> None:
    link = next(a for a in article.select(".prose a[href]") if "Arte della Delega" in a.get_text())
    assert "arte-della-delega" in link["href"]


def test_lists_are_restored(article: BeautifulSoup) -> None:
    items = article.select(".prose ul > li")
    seed_bullets = [
        line
        for line in SEED.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("•")
    ]
    assert len(items) == len(seed_bullets) == 12
