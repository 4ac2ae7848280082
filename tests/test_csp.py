"""A strict Content-Security-Policy holds on the whole site, search and comments included.

The built site and the real Isso are served on one origin with the policy as an HTTP
header on every response (pages, scripts, Pagefind's worker, Isso's API), as nginx does.
Chromium then visits every page type, searches, opens a result and posts a comment;
no console error, CSP violation or failed request may appear. The policy is
``default-src 'self'`` plus ``'wasm-unsafe-eval'`` for Pagefind's WebAssembly, the one
addition it needs (the last test shows what happens without it); the production policy
of blog/headers.py is checked the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from blog.comments.isso import serve_site, site_with_comments
from blog.headers import (
    NGINX_CONF,
    SECURITY_HEADERS,
    parse_headers_file,
    parse_nginx,
    render_headers_file,
)
from blog.serve import app as server

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


@pytest.fixture(scope="module", params=["minimal", "production"])
def csp_site(request, site: Path, tmp_path_factory: pytest.TempPathFactory):
    """The site and Isso behind the local app: with the minimal policy alone, or with
    every production header exactly as ``invoke comments`` (and nginx) sends them."""
    database = tmp_path_factory.mktemp("isso-csp") / "comments.db"
    if request.param == "minimal":
        policy, headers = MINIMAL, {"Content-Security-Policy": MINIMAL}
    else:
        policy, headers = SECURITY_HEADERS["Content-Security-Policy"], None
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


@pytest.mark.slow
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
@pytest.mark.slow
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
    """deploy/nginx.conf and blog.comments.isso agree on /isso/ and its author pages."""
    from blog.comments.isso import AUTHOR_PAGES, AUTHOR_PAGES_CSP, ROOT

    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert f"location ~ {AUTHOR_PAGES.pattern} {{" in conf
    assert f'add_header Content-Security-Policy "{AUTHOR_PAGES_CSP}" always;' in conf
    assert conf.count("proxy_set_header X-Script-Name /isso;") == 2
    assert "location /isso/ {" in conf
    assert MINIMAL in conf


@pytest.mark.browser
@pytest.mark.slow
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


# ------------------------------------------------------------------ the local web app


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    """A four-file site: enough for every kind of answer the local app gives."""
    site = tmp_path / "sito"
    (site / "articolo").mkdir(parents=True)
    page = "<!doctype html><html lang=it><head><title>{}</title></head><body>{}</body></html>"
    (site / "index.html").write_text(page.format("Home", "home"), encoding="utf-8")
    (site / "articolo" / "index.html").write_text(page.format("A", "articolo"), "utf-8")
    (site / "pagina.html").write_text(page.format("P", "pagina"), encoding="utf-8")
    (site / "404.html").write_text(page.format("404", "Pagina non trovata"), encoding="utf-8")
    (site / "site.css").write_text("body { color: black; }\n", encoding="utf-8")
    return site


def _get(url: str, method: str = "GET"):
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(urllib.request.Request(url, method=method), timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, dict(response.headers), response.read().decode("utf-8")


def test_production_headers_have_one_source() -> None:
    """What the local app sends is what nginx and static hosts send."""
    nginx = parse_nginx(NGINX_CONF.read_text(encoding="utf-8"))
    static_hosts = parse_headers_file(render_headers_file())["/*"]
    assert nginx == static_hosts == SECURITY_HEADERS


def test_the_local_app_sends_the_production_headers_on_every_response(tiny_site: Path) -> None:
    answers = {
        "/": (200, "home"), "/articolo/": (200, "articolo"), "/articolo": (301, ""),
        "/pagina": (200, "pagina"), "/site.css": (200, "color"),
        "/non-esiste/": (404, "Pagina non trovata"), "/../../etc/passwd": (404, "non trovata"),
        "/isso/": (404, "invoke comments"), "/__livereload/events": (404, "non trovata"),
    }
    with server.serve(tiny_site) as web:
        for path, (status, text) in answers.items():
            got, headers, body = _get(web.url + path)
            assert got == status, path
            assert text in body, (path, body)
            for name, value in SECURITY_HEADERS.items():
                assert headers.get(name) == value, (path, name)
            assert "livereload" not in body, path  # only the livereload server injects it
        assert _get(web.url + "/articolo")[1]["Location"].endswith("/articolo/")
        status, headers, _ = _get(web.url + "/", method="POST")
        assert status == 405 and headers["Content-Security-Policy"] == SECURITY_HEADERS[
            "Content-Security-Policy"]


def test_livereload_injects_a_same_origin_script_only_into_pages(tiny_site: Path) -> None:
    hub = server.LiveReload()
    with server.serve(tiny_site, livereload=hub) as web:
        for path in ("/", "/articolo/", "/non-esiste/"):
            _, headers, body = _get(web.url + path)
            tag = f'<script src="/__livereload/client.js?v={hub.version}" defer></script></head>'
            assert body.count(tag) == 1
            assert headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        status, headers, body = _get(web.url + "/__livereload/client.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        assert '"/__livereload/events?page="' in body and "new EventSource(" in body
        assert headers["X-Content-Type-Options"] == "nosniff"
        _, _, css = _get(web.url + "/site.css")
        assert "livereload" not in css
        # An open page is known by its path while its event stream lasts.
        import http.client

        events = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
        events.request("GET", "/__livereload/events?page=%2Farticolo%2F")
        stream = events.getresponse()
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.readline() == b"retry: 300\n" and stream.readline() == b"event: hello\n"
        assert hub.open_pages() == ["/articolo/"]
        events.close()
    assert "livereload" not in (tiny_site / "index.html").read_text(encoding="utf-8")


def test_the_admin_rate_limit_refills_like_nginx() -> None:
    now = [0.0]
    limit = server.RateLimit(per_minute=10, burst=5, clock=lambda: now[0])
    assert [limit.allow("10.0.0.1") for _ in range(8)] == [True] * 6 + [False] * 2
    assert limit.allow("10.0.0.2")  # per address
    now[0] += 6.0  # 10 a minute: one more every 6 s
    assert limit.allow("10.0.0.1") and not limit.allow("10.0.0.1")


@pytest.mark.browser
@pytest.mark.slow
def test_a_raw_script_in_a_post_is_blocked_by_invoke_comments_as_online(
    browser: Browser, site: Path, tmp_path: Path
) -> None:
    """``invoke comments`` serves the production policy: an inline <script> an author
    pastes into a post does not run locally, exactly as it would not run online."""
    import shutil

    hostile = tmp_path / "sito"
    shutil.copytree(site, hostile, ignore=shutil.ignore_patterns("pagefind", "kit"))
    article = hostile / ARTICLE.strip("/") / "index.html"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("</main>", "<script>window.__ran = 1</script></main>", 1),
                       encoding="utf-8")
    context = browser.new_context(locale="it-IT")
    context.add_init_script(WATCH)
    try:
        with serve_site(hostile) as web:
            page = context.new_page()
            response = page.goto(web.url + ARTICLE)
            assert response is not None
            assert response.headers["content-security-policy"] == SECURITY_HEADERS[
                "Content-Security-Policy"]
            expect(page.locator("h1")).to_be_visible()
            assert page.evaluate("window.__ran") is None
            violations = page.evaluate("window.__cspViolations")
            assert any(v.startswith("script-src-elem inline") for v in violations), violations
    finally:
        context.close()


@pytest.mark.slow
def test_invoke_serve_sends_the_production_headers_and_stops_on_sigterm(
    built_project: Path,
) -> None:
    import os
    import re
    import signal
    import subprocess
    import sys
    import threading

    from tests.workflow_support import wait_for

    process = subprocess.Popen([sys.executable, "-m", "invoke", "serve", "--port", "0"],
                               cwd=built_project, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env=os.environ | {"PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    try:
        found = wait_for(lambda: re.search(r"In ascolto su (http://127\.0\.0\.1:\d+)/",
                                           "".join(lines)), 60, "invoke serve non parte")
        for path, status in ((ARTICLE, 200), ("/non-esiste/", 404)):
            got, headers, body = _get(found[1] + path)
            assert got == status and "</html>" in body
            assert {name: headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    wait_for(lambda: "Server fermato." in "".join(lines), 10, "«Server fermato.»")
