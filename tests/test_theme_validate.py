"""Zero axe-core violations (light and dark), zero Nu Html Checker errors and nothing the
production CSP would block on the whole site, every page type within the page budgets,
and proof that each checker does catch what it looks for.

The whole-site checks come from one session-wide run of ``invoke check``'s checkers
(the ``site_report`` fixture): vnu and axe go over the site once per test session."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from blog.checks import PAGE_BUDGETS, SiteIndex, axe_pages, axe_violations, html_errors
from blog.checks.a11y import LISTING_DIRS, template_of
from blog.checks.budget import over_budget, page_loads, page_weight
from blog.checks.runner import AXE, CSP, DRAFTS, LINKS, NU, STATIC, WEIGHT
from tests.sitecopy import ROOT, invoke
from tests.test_theme_browser import PAGE_TYPES

pytestmark = pytest.mark.browser


def _rel(path: str) -> str:
    return path + "index.html" if path == "" or path.endswith("/") else path


@pytest.mark.slow
def test_every_check_ran_on_the_whole_site(site_report, site: Path) -> None:
    names = [result.name for result in site_report.results]
    assert names == [LINKS, DRAFTS, CSP, STATIC, WEIGHT, NU, AXE]
    assert site_report.pages == len(SiteIndex(site).pages) > 30
    assert not [r.name for r in site_report.results if r.skipped]


@pytest.mark.slow
def test_nu_html_checker_finds_no_error_in_any_page(site_report) -> None:
    assert [str(p) for p in site_report.result(NU).problems] == []


@pytest.mark.slow
def test_axe_finds_no_violation_on_any_page_light_and_dark(site_report, site: Path) -> None:
    pages = axe_pages(SiteIndex(site))
    covered = {template_of(p) or p for p in pages}
    assert {template_of(_rel(p)) or _rel(p) for p in PAGE_TYPES.values()} <= covered
    assert [str(p) for p in site_report.result(AXE).problems] == []


@pytest.mark.slow
def test_links_drafts_csp_static_files_and_weight_are_clean(site_report) -> None:
    for name in (LINKS, DRAFTS, CSP, STATIC, WEIGHT):
        assert [str(p) for p in site_report.result(name).problems] == [], name


@pytest.mark.slow
def test_page_weight_of_every_page_type_is_within_budget(site: Path, browser) -> None:
    loads = page_loads(site, [_rel(p) for p in PAGE_TYPES.values()], browser)
    over = []
    for page, load in loads.items():
        weights = load.weights()
        assert load.third_party_urls == [], page
        assert weights["html"] > 0 and weights["css"] > 0, page
        over += [str(p) for p in over_budget(page, weights, PAGE_BUDGETS)]
    assert over == []


@pytest.mark.slow
def test_axe_checks_every_article_and_one_page_per_listing_template(site: Path) -> None:
    index = SiteIndex(site)
    pages = axe_pages(index)
    content = [p for p in index.pages
               if p.split("/")[0] not in LISTING_DIRS and "/pagina/" not in p]
    assert set(content) <= set(pages)
    assert "sei-pronto-assistente-virtuale/index.html" in pages
    assert "tag/index.html" in pages  # the list of tags is a template of its own
    assert sum(1 for p in pages if p.startswith("tag/") and p.count("/") == 2) == 1
    assert len([p for p in index.pages if p.startswith("tag/")]) > 2
    assert "index.html" in pages and "404.html" in pages


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


def test_html_errors_are_problems_with_page_line_and_message(broken_site: Path) -> None:
    errors = html_errors(broken_site)
    assert errors and {(e.page, e.line, e.rule) for e in errors} == {("sub/index.html", 1, "html")}
    assert any("alt" in e.message for e in errors)


def test_axe_violations_are_problems_per_rule_element_and_scheme(
        broken_site: Path, browser) -> None:
    problems = axe_violations(broken_site, ["sub/index.html"], browser=browser)
    assert {"image-alt", "link-name"} <= {p.rule for p in problems}
    # Structural rules run once, in the first scheme; the dark one adds colour rules only.
    assert {p.variant for p in problems if p.rule in {"image-alt", "link-name"}} == {"light"}
    assert {p.page for p in problems} == {"sub/index.html"}


def test_page_weight_counts_third_party_requests(broken_site: Path, browser) -> None:
    weights = page_weight(broken_site, "sub/index.html", browser)
    assert weights["third_party"] == 1
    assert weights["html"] > 0 and weights["initial"] == weights["html"]
    assert "budget-third_party" in {p.rule for p in over_budget("sub/index.html", weights)}


BROKEN_PAGE = "cosa-delegare-per-primo/index.html"


@pytest.fixture(scope="module")
def broken_copy(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built site with one problem of each kind."""
    broken = tmp_path_factory.mktemp("check") / "sito"
    shutil.copytree(site, broken)
    page = broken / BROKEN_PAGE
    html = page.read_text(encoding="utf-8")
    html = html.replace(
        "</main>",
        '<p><a href="#sezione-inesistente">salto</a> <a href="../pagina-sparita/">via</a></p>'
        '<p id="contenuto">doppio id</p><img src="../favicon.svg" width="16" height="16">'
        '<p><a href="javascript:apri()">apri</a></p>'
        "</main>", 1)
    page.write_text(html, encoding="utf-8")
    draft = broken / "bozze" / "una-bozza" / "index.html"
    draft.parent.mkdir(parents=True)
    shutil.copy(broken / "404.html", draft)
    return broken


@pytest.mark.slow
def test_check_reports_every_kind_of_problem_readably(
        built_project: Path, broken_copy: Path, site_report) -> None:
    # site_report has checked the real site with the project's memo: only the two
    # changed pages go through vnu and axe again.
    result = invoke(built_project, "check", "--site", str(broken_copy))
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
    assert re.search(rf"{BROKEN_PAGE}:\d+: «#sezione-inesistente» \(a href\) punta all’ancora",
                     links)
    assert re.search(
        rf"{BROKEN_PAGE}:\d+: «../pagina-sparita/» \(a href\) porta a un indirizzo che non "
        "esiste",
        links)
    assert "bozze/" in block("Bozze")
    assert re.search(rf"{BROKEN_PAGE}:\d+: «javascript:apri\(\)» \(a href\)", block(CSP))
    html = block(NU)
    assert f"{BROKEN_PAGE}:" in html and "contenuto" in html  # the duplicate id
    assert "2 pagine controllate" in html and "già a posto e invariate" in html
    axe = block("Accessibilità")
    assert "image-alt" in axe
    assert f"{BROKEN_PAGE} [light]" in axe
    assert "già a posto e invariate" in axe
    assert lines[-1].startswith("Controlli NON superati: ")


# What a dark-scheme block may set and still be checked by axe's colour rules alone
# (blog/checks/a11y.py): colour properties, and custom properties holding colours.
COLOUR_PROPERTIES = re.compile(r"^(color|background(-color)?|border(-[a-z]+)*-color|"
                               r"outline-color|fill|stroke|caret-color|accent-color|"
                               r"text-decoration-color|color-scheme)$")
COLOUR_VALUE = re.compile(r"^(#[0-9a-fA-F]{3,8}|(rgb|hsl|oklch|color-mix)a?\(.*\)|"
                          r"var\(--[\w-]+\)|transparent|currentColor|light|dark)$")


def test_the_dark_scheme_changes_colours_only() -> None:
    """The dark pass of the accessibility check runs only the colour rules: that holds
    as long as the theme's dark mode changes nothing but colours. A layout, size or
    display change in a dark-scheme block fails here (run every axe rule in the dark
    pass then)."""
    css = (ROOT / "theme" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"@media[^{]*prefers-color-scheme:\s*dark[^{]*\{", css):
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        blocks.append(css[match.end():end - 1])
    assert blocks, "site.css has no dark-scheme block: is this test still needed?"
    declarations = [d.strip() for block in blocks
                    for rule in re.findall(r"\{([^{}]*)\}", block) or [block]
                    for d in rule.split(";") if ":" in d]
    assert declarations
    for declaration in declarations:
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name.startswith("--"):
            assert COLOUR_VALUE.match(value), declaration
        else:
            assert COLOUR_PROPERTIES.match(name), declaration


def test_axe_sees_a_contrast_problem_of_the_dark_scheme_only(tmp_path: Path, browser) -> None:
    """One load per page, the scheme switched in place: the dark rules must apply."""
    page = tmp_path / "site" / "scuro" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        '<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Scuro</title>'
        "<style>p{color:#222;background:#fff}@media (prefers-color-scheme: dark)"
        "{p{color:#222;background:#111}}</style></head>"
        "<body><main><h1>Scuro</h1><p>Testo poco leggibile al buio.</p></main></body></html>",
        encoding="utf-8")
    problems = axe_violations(tmp_path / "site", ["scuro/index.html"], browser=browser)
    assert {(p.rule, p.variant) for p in problems} == {("color-contrast", "dark")}
