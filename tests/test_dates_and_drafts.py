"""Italian dates without a system locale; drafts never reach public output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.sitecopy import copy_project, invoke

ROOT = Path(__file__).resolve().parent.parent


def test_data_it_formats_in_italian() -> None:
    from blog.build.settings import local_plugin

    data_it = local_plugin("italian_dates").data_it

    assert data_it(dt.date(2026, 11, 27)) == "27 novembre 2026"
    assert data_it(dt.datetime(2026, 8, 1, 9, 30)) == "1 agosto 2026"


@pytest.mark.slow
def test_article_dates_are_italian_under_lang_c(site: Path) -> None:
    # `site` is built with LANG=C LC_ALL=C: no Italian locale is available.
    page = BeautifulSoup(
        (site / "sei-pronto-assistente-virtuale" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    time = page.select_one("article .post-meta time")
    assert time["datetime"].startswith("2026-09-15")
    assert time.get_text(strip=True) == "15 settembre 2026"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "September" not in index and "settembre" in index


@pytest.mark.slow
def test_html_is_italian(site: Path) -> None:
    for page in site.rglob("*.html"):
        assert '<html lang="it">' in page.read_text(encoding="utf-8"), page


@pytest.mark.slow
def test_a_draft_appears_in_no_public_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    token = "Zibaldone-segreto-4711"
    (project / "content" / "articles" / "bozza.md").write_text(
        f"""Title: Bozza {token}
Date: 2026-11-20 10:00
Category: Assistente Virtuale
Tags: delega, bozza-{token.lower()}
Slug: bozza-{token.lower()}
Summary: Riassunto {token}.
Status: draft

Corpo della bozza {token}.
""",
        encoding="utf-8",
    )
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    output = project / "output"
    leaks = [
        p.relative_to(output).as_posix()
        for p in output.rglob("*")
        if p.is_file()
        and (
            token.lower() in p.as_posix().lower()
            or token.encode() in p.read_bytes()
            or token.lower().encode() in p.read_bytes()
        )
    ]
    assert leaks == []
    assert (output / "sei-pronto-assistente-virtuale" / "index.html").exists()
