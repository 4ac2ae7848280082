"""Zero axe-core violations (light and dark) and zero Nu Html Checker errors on the whole
site, a page-weight budget, and proof that each checker does catch what it looks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools import validate
from tests.test_theme_browser import PAGE_TYPES

pytestmark = pytest.mark.browser

ARTICLE_BUDGET = 15 * 1024  # HTML + CSS + JS before any interaction, brotli
FONT_BUDGET = 40 * 1024


def _rel(path: str) -> str:
    return path + "index.html" if path == "" or path.endswith("/") else path


def test_nu_html_checker_finds_no_error_in_any_page(site: Path) -> None:
    assert validate.html_errors(site) == []


def test_axe_finds_no_violation_on_any_page_light_and_dark(site: Path, browser) -> None:
    pages = validate.html_pages(site)
    assert {_rel(p) for p in PAGE_TYPES.values()} <= set(pages)
    assert validate.axe_violations(site, pages, browser=browser) == []


def test_page_weight_of_every_page_type_is_within_budget(site: Path, browser) -> None:
    loads = validate.page_loads(site, [_rel(p) for p in PAGE_TYPES.values()], browser)
    over = {}
    for page, load in loads.items():
        weights = load.weights()
        assert load.third_party_urls == [], page
        assert weights["html"] > 0 and weights["css"] > 0, page
        if weights["initial"] > ARTICLE_BUDGET or weights["font"] > FONT_BUDGET:
            over[page] = weights
    assert over == {}


# -- the checkers catch what they look for ---------------------------------------------


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("broken")
    (site / "sub").mkdir()
    (site / "sub" / "index.html").write_text(
        '<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Rotta</title>'
        '<link rel="stylesheet" href="https://fonts.example.net/a.css"></head>'
        '<body><main><img src="x.png"><p><div>blocco</div></p>'
        '<a href="#"></a><p style="color:#ccc">grigio</p></main></body></html>',
        encoding="utf-8",
    )
    return site


def test_html_errors_reports_file_line_and_message(broken_site: Path) -> None:
    errors = validate.html_errors(broken_site)
    assert errors and all(e.startswith("sub/index.html:1: ") for e in errors)
    assert any("alt" in e for e in errors)


def test_axe_violations_reports_rule_and_element_per_scheme(broken_site: Path, browser) -> None:
    lines = validate.axe_violations(broken_site, ["sub/index.html"], browser=browser)
    rules = {line.split("] ", 1)[1].split(" ", 1)[0] for line in lines}
    assert {"image-alt", "link-name"} <= rules
    assert any("[light]" in line for line in lines) and any("[dark]" in line for line in lines)


def test_page_weight_counts_third_party_requests(broken_site: Path, browser) -> None:
    weights = validate.page_weight(broken_site, "sub/index.html", browser)
    assert weights["third_party"] == 1
    assert weights["html"] > 0 and weights["initial"] == weights["html"]
