"""``invoke check`` on the real built site and each checker on small crafted sites:
problems are data (page, line, rule, message). The copy of the site broken in every way
``invoke check`` looks for is checked in tests/test_theme_validate.py, beside the
whole-site check whose memo it reuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blog.checks import (
    CheckMemo,
    Finding,
    SiteIndex,
    check_csp,
    check_drafts,
    check_links,
    find_drafts,
)
from blog.checks.findings import group_findings
from blog.checks.memo import tool_versions
from blog.checks.runner import CSP
from tests.sitecopy import invoke


@pytest.mark.slow
def test_check_passes_on_the_built_site(built_project: Path) -> None:
    result = invoke(built_project, "check", "--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("Link e ancore", "Bozze", CSP):
        assert f"✓ {name}" in result.stdout, result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Controlli superati: ")


def test_link_checker_understands_absolute_site_urls(tmp_path: Path) -> None:
    site = tmp_path / "sito"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<h1 id="su">x</h1><a href="https://www.esempio.it/a/#giu">ok</a>'
        '<a href="https://www.esempio.it/b/">ko</a><a href="https://altro.it/b/">esterno</a>'
        '<a href="mailto:x@y.it">mail</a><link rel="stylesheet" href="/manca.css">\n'
        '<img srcset="/a/img.png 1x, /a/manca.png 2x" alt="">', encoding="utf-8")
    (site / "a" / "index.html").write_text('<p id="giu">', encoding="utf-8")
    (site / "a" / "img.png").write_bytes(b"png")
    problems = check_links(site, SiteIndex(site), "https://www.esempio.it")
    assert sorted((p.page, p.line, p.rule) for p in problems) == [
        ("index.html", 1, "link"), ("index.html", 1, "link"), ("index.html", 2, "link")]
    messages = " ".join(p.message for p in problems)
    for url in ("https://www.esempio.it/b/", "/manca.css", "/a/manca.png"):
        assert f"«{url}»" in messages


def test_percent_encoded_links_resolve_as_pelican_resolves_them(tmp_path: Path) -> None:
    site = tmp_path / "sito"
    (site / "caffè").mkdir(parents=True)
    (site / "immagini").mkdir()
    (site / "caffè" / "index.html").write_text('<h2 id="perché">x</h2>', encoding="utf-8")
    (site / "immagini" / "tè verde.png").write_bytes(b"png")
    (site / "index.html").write_text(
        '<a href="/caff%C3%A8/">ok</a>\n'
        '<a href="caff%C3%A8/#perch%C3%A9">ok</a>\n'
        '<img src="/immagini/t%C3%A8%20verde.png" alt="">\n'
        '<a href="/caff%C3%A8/#perch%C3%A8">ancora sbagliata</a>\n'
        '<a href="/t%C3%A8-mancante/">manca</a>\n', encoding="utf-8")
    problems = check_links(site, SiteIndex(site))
    assert [(p.line, p.rule) for p in problems] == [(4, "anchor"), (5, "link")], problems
    assert "«/t%C3%A8-mancante/»" in problems[1].message


CRAFTED = """<!doctype html><html lang="it"><head><title>x</title>
<script>document.title = "inline";</script>
<script type="application/ld+json">{"@type": "BlogPosting"}</script>
<link rel="stylesheet" href="https://cdn.example.net/x.css"><link rel="stylesheet" href="/a.css">
<style>p { color: red }</style>
</head><body>
<button onclick="apri()">apri</button>
<a href="javascript:void(0)">niente</a>
<img src="https://img.example.net/a.png" alt=""><img src="data:image/png;base64,AAAA" alt="">
<img src="/ok.png" alt=""><img src="https://www.esempio.it/ok.png" alt="">
<script src="/js/ok.js"></script><a href="https://altro.example/">un link esterno va bene</a>
<iframe src="https://video.example.com/embed/1"></iframe>
<p style="color: red">rosso</p>
</body></html>
"""
CRAFTED_CSS = """body { background: url(/ok.png); }
@font-face { font-family: X;
  src: url(https://fonts.example.net/x.woff2); }
"""


def test_csp_check_finds_what_the_production_policy_blocks(tmp_path: Path) -> None:
    site = tmp_path / "sito"
    site.mkdir()
    (site / "index.html").write_text(CRAFTED, encoding="utf-8")
    (site / "a.css").write_text(CRAFTED_CSS, encoding="utf-8")
    problems = check_csp(site, SiteIndex(site), "https://www.esempio.it")
    assert all(isinstance(p, Finding) for p in problems)
    assert sorted((p.page, p.line, p.rule) for p in problems) == [
        ("a.css", 3, "csp-off-origin"),
        ("index.html", 2, "csp-inline-script"),
        ("index.html", 4, "csp-off-origin"),
        ("index.html", 5, "csp-inline-style"),
        ("index.html", 7, "csp-inline-handler"),
        ("index.html", 8, "csp-javascript-url"),
        ("index.html", 9, "csp-off-origin"),
        ("index.html", 9, "csp-off-origin"),
        ("index.html", 12, "csp-off-origin"),
        ("index.html", 13, "csp-inline-style"),
    ]
    by_line = {p.line: p.message for p in problems if p.page == "index.html"}
    assert "script-src 'self'" in by_line[2]
    assert "onclick" in by_line[7]
    assert "«https://cdn.example.net/x.css» (link href)" in by_line[4]
    assert "frame-src 'none'" in by_line[12]


def test_csp_check_allows_what_the_policy_allows(tmp_path: Path) -> None:
    from blog.checks.csp import parse_policy
    from blog.headers import script_hash

    site = tmp_path / "sito"
    site.mkdir()
    body = 'console.log("ok")'
    (site / "index.html").write_text(
        f"<script>{body}</script><img src='https://img.example.net/a.png'>", encoding="utf-8")
    policy = parse_policy(f"default-src 'self'; script-src 'self' {script_hash(body.encode())}; "
                          "img-src 'self' https://*.example.net")
    assert check_csp(site, SiteIndex(site), policy=policy) == []


def test_draft_sources_are_found_and_their_pages_reported(tmp_path: Path) -> None:
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    (content / "b.md").write_text("Title: Una bozza\nStatus: draft\n\nTesto\n", "utf-8")
    (content / "p.md").write_text("Title: Pubblicato\nSlug: pubblicato\n\nTesto\n", "utf-8")
    assert [d.slug for d in find_drafts(tmp_path / "content")] == ["una-bozza"]
    site = tmp_path / "sito"
    (site / "una-bozza").mkdir(parents=True)
    (site / "index.html").write_text('<p>\n<a href="/una-bozza/">x</a>', encoding="utf-8")
    (site / "una-bozza" / "index.html").write_text("<title>Una bozza – Sito</title>", "utf-8")
    problems = check_drafts(site, SiteIndex(site), tmp_path / "content")
    assert {(p.page, p.line, p.rule) for p in problems} == {
        ("una-bozza/", None, "draft-page"), ("index.html", 2, "draft-link"),
        ("una-bozza/index.html", 1, "draft-title")}
    assert any(str(p).startswith("una-bozza/: è la bozza b.md") for p in problems)


def test_axe_skips_redirect_pages(tmp_path: Path) -> None:
    from blog.checks import axe_pages

    site = tmp_path / "sito"
    (site / "vecchio").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Home</h1>", encoding="utf-8")
    (site / "vecchio" / "index.html").write_text(
        '<meta http-equiv="Refresh" content="0; url=/">', encoding="utf-8")
    assert axe_pages(SiteIndex(site)) == ["index.html"]


def test_the_same_problem_on_many_pages_is_one_line() -> None:
    problems = [Finding(f"p{n}/index.html", 3, "html", "attributo non valido") for n in range(5)]
    problems.append(Finding("a/index.html", None, "link", "«/x/» porta a un indirizzo…"))
    assert group_findings(problems) == [
        "attributo non valido — in 5 punti: p0/index.html:3, p1/index.html:3, "
        "p2/index.html:3, …",
        "a/index.html: «/x/» porta a un indirizzo…",
    ]


def test_the_memo_is_keyed_on_every_checker_version(tmp_path: Path) -> None:
    site = tmp_path / "sito"
    site.mkdir()
    for name in ("a.html", "b.html"):
        (site / name).write_text(f"<p>{name}</p>", encoding="utf-8")
    memo_file = tmp_path / "memo.json"
    versions = {"code": "c1", "vnu": "26.01.03", "axe": "axe v4.12.1", "chromium": "Chromium 156"}
    pages = ["a.html", "b.html"]

    def pending(check: str, **changes: str) -> list[str]:
        return sorted(CheckMemo(memo_file, site, versions | changes).pending(check, site, pages))

    memo = CheckMemo(memo_file, site, versions)
    for check in ("nu", "axe", "weight"):
        memo.remember(check, memo.pending(check, site, pages))
    assert pending("nu") == pending("axe") == pending("weight") == []
    assert pending("nu", vnu="26.02.01") == pages
    assert pending("axe", vnu="26.02.01") == []
    assert pending("axe", axe="axe v4.13.0") == pages
    assert pending("axe", chromium="Chromium 157") == pending("weight", chromium="Chromium 157")
    assert pending("weight", chromium="Chromium 157") == pages
    assert pending("nu", chromium="Chromium 157") == []
    assert pending("nu", code="c2") == pending("axe", code="c2") == pages
    (site / "b.html").write_text("<p>cambiata</p>", encoding="utf-8")
    assert pending("nu") == ["b.html"]
    (site / "foto.png").write_bytes(b"png")  # weighs on every page, looks the same to vnu
    assert pending("weight") == pages and pending("nu") == ["b.html"]


def test_a_page_with_only_a_csp_meta_added_keeps_its_axe_verdict(tmp_path: Path) -> None:
    """The gh-pages build adds the policy as a <meta>: axe ignores CSP (bypass_csp), so
    its verdict carries over; vnu validates that element too, so it checks again."""
    site = tmp_path / "sito"
    site.mkdir()
    page = site / "a.html"
    head = '<!doctype html><html lang="it"><head><meta charset="utf-8">{}</head><p>testo</p>'
    page.write_text(head.format(""), encoding="utf-8")
    versions = {"code": "c1", "vnu": "v", "axe": "a", "chromium": "c"}
    memo = CheckMemo(tmp_path / "memo.json", site, versions)
    for check in ("nu", "axe"):
        memo.remember(check, memo.pending(check, site, ["a.html"]))
    meta = '<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;">'
    page.write_text(head.format(meta), encoding="utf-8")
    memo = CheckMemo(tmp_path / "memo.json", site, versions)
    assert memo.pending("axe", site, ["a.html"]) == {}
    assert list(memo.pending("nu", site, ["a.html"])) == ["a.html"]
    page.write_text(head.format(meta).replace("testo", "altro"), encoding="utf-8")
    assert list(memo.pending("axe", site, ["a.html"])) == ["a.html"]


def test_checker_versions_are_read_from_the_installed_tools() -> None:
    versions = tool_versions()
    assert re.fullmatch(r"[0-9a-f]{64}", versions["code"])
    assert re.match(r"\d+\.\d+\.\d+", versions["vnu"]), versions
    assert re.match(r"axe v\d+\.\d+\.\d+", versions["axe"]), versions
    assert versions["chromium"].startswith("Chromium "), versions
