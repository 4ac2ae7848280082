"""A strict Content-Security-Policy holds on the whole site, search and comments included.

The built site and the real Isso are served on one origin with the policy as an HTTP
header on every response (pages, scripts, Pagefind's worker, Isso's API), as nginx does.
Chromium then visits every page type, searches, opens a result and posts a comment;
no console error, CSP violation or failed request may appear. The policy is
``default-src 'self'`` plus ``'wasm-unsafe-eval'`` for Pagefind's WebAssembly, the one
addition it needs (the last test shows what happens without it); the production policy
of buildtools/headers.py is checked the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from buildtools.comments import serve_site, site_with_comments

MINIMAL = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
ARTICLE = "/sei-pronto-assistente-virtuale/"
# One of each page type: home and its second page, article, page, Contatti, kit, archive,
# categories, category, tags, tag, author, 404.
PAGES = (
    "/", "/pagina/2/", ARTICLE, "/chi-sono/", "/contatti/", "/kit-sulla-delega/",
    "/archivio/", "/categorie/", "/categoria/delega/", "/tag/", "/tag/delega/",
    "/autore/giulia/", "/404.html",
)
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def production_policy() -> str:
    from buildtools.headers import development_headers

    return development_headers()["Content-Security-Policy"]


@pytest.fixture(scope="module", params=["minimal", "production"])
def csp_site(request, site: Path, tmp_path_factory: pytest.TempPathFactory):
    policy = MINIMAL if request.param == "minimal" else production_policy()
    database = tmp_path_factory.mktemp("isso-csp") / "comments.db"
    headers = {"Content-Security-Policy": policy}
    with site_with_comments(site, database, headers=headers) as (web, isso):
        yield web.url, policy, isso


class Problems:
    """Console errors, page errors, failed or refused requests of one browser context."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", lambda m: m.type in ("error", "warning") and self.items.append(
            f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.items.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.items.append(
            f"HTTP {r.status}: {r.url}"))
        return page

    def check(self, page: Page, where: str) -> None:
        violations = page.evaluate("window.__cspViolations || []")
        assert not violations, f"{where}: {violations}"
        assert not self.items, f"{where}: {self.items}"


def test_no_inline_script_style_or_handler_in_any_page(site: Path) -> None:
    for html in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        where = html.relative_to(site)
        for script in soup.find_all("script"):
            # JSON-LD is data, never executed: CSP does not apply to it.
            assert script.get("src") or script.get("type") == "application/ld+json", where
        assert not soup.find_all("style"), where
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                assert name != "style", (where, element.name)
                assert not name.startswith("on"), (where, element.name, name)
                if name in ("href", "src", "action"):
                    assert not str(value).strip().lower().startswith("javascript:"), where


@pytest.mark.browser
def test_every_page_type_works_under_the_policy(browser: Browser, site: Path, csp_site) -> None:
    url, policy, isso = csp_site
    problems = Problems()
    context = browser.new_context(locale="it-IT")
    context.add_init_script(WATCH)
    try:
        page = problems.watch(context.new_page())
        for path in PAGES:
            assert (site / path.lstrip("/")).exists(), path
            response = page.goto(url + path)
            assert response is not None and response.headers["content-security-policy"] == policy
            page.keyboard.press("End")  # scroll down: brings in the comments, where there are
            if page.locator("#isso-thread").count():
                expect(page.locator("#isso-thread .isso-postbox")).to_be_visible()
            page.wait_for_load_state("networkidle")
            problems.check(page, path)

        # Search: type, see results, Enter opens the chosen one, still under the policy.
        page.goto(url + "/")
        box = page.get_by_role("combobox", name="Cerca nel blog")
        box.fill("delegare")
        expect(page.get_by_role("option").first).to_be_visible()
        box.press("ArrowDown")
        target = page.get_by_role("option").first.get_attribute("href")
        box.press("Enter")
        page.wait_for_url(url + target)
        page.wait_for_load_state("networkidle")
        problems.check(page, "search")

        # Comments: post one through the page.
        page.goto(url + ARTICLE + "#commenti")
        expect(page.locator("#isso-thread .isso-postbox")).to_be_visible()
        page.get_by_placeholder("Scrivi qui il tuo commento").fill("Prova sotto una CSP rigorosa.")
        with page.expect_response(lambda r: "/isso/new" in r.url) as posted:
            page.get_by_role("button", name="Invia il commento").click()
        assert posted.value.status == 202
        expect(page.locator("#isso-root .isso-note")).to_contain_text("in attesa di approvazione")
        page.wait_for_load_state("networkidle")
        problems.check(page, "comments")

        # The author's activation link works too (Isso's page has a policy of its own).
        author = browser.new_context(locale="it-IT")
        moderation = author.new_page()
        moderation.on("dialog", lambda dialog: dialog.accept())
        comment_id = posted.value.json()["id"]
        moderation.goto(isso.wait_for_activation_link(comment_id))
        moderation.wait_for_url(f"{url}{ARTICLE}#isso-{comment_id}")
        author.close()
        page.reload()
        expect(page.locator(f"#isso-{comment_id} .isso-text")).to_contain_text("CSP rigorosa")
        page.wait_for_load_state("networkidle")
        problems.check(page, "published comment")
    finally:
        context.close()


def test_nginx_sample_matches_the_local_proxy() -> None:
    """deploy/nginx.conf and buildtools.comments agree on /isso/ and its author pages."""
    from buildtools.comments import AUTHOR_PAGES, AUTHOR_PAGES_CSP, ROOT

    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert f"location ~ {AUTHOR_PAGES.pattern} {{" in conf
    assert f'add_header Content-Security-Policy "{AUTHOR_PAGES_CSP}" always;' in conf
    assert conf.count("proxy_set_header X-Script-Name /isso;") == 2
    assert "location /isso/ {" in conf
    assert MINIMAL in conf


@pytest.mark.browser
def test_without_wasm_unsafe_eval_search_breaks_and_the_test_sees_it(
    browser: Browser, site: Path
) -> None:
    """The negative control: the harness above does catch a policy that is too strict."""
    problems = Problems()
    context = browser.new_context(locale="it-IT")
    context.add_init_script(WATCH)
    with serve_site(site, headers={"Content-Security-Policy": "default-src 'self'"}) as web:
        try:
            page = problems.watch(context.new_page())
            page.goto(web.url + "/chi-sono/")
            page.get_by_role("combobox", name="Cerca nel blog").fill("delegare")
            expect(page.locator(".search-status")).to_contain_text("non è disponibile")
            assert any(re.search(r"WebAssembly.*Content Security Policy", item, re.S)
                       for item in problems.items), problems.items
        finally:
            context.close()
