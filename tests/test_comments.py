"""Comments: the real Isso (isso/isso.cfg, temporary SQLite) behind the site's own origin.

A comment posted through the page is held for moderation, appears once the author opens
the activation link Isso gives her, and a <script> or javascript: payload stays text.
Every string of Isso's client is Italian; without JavaScript a mailto invites comments."""

from __future__ import annotations

import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/sei-pronto-assistente-virtuale/"
ISSO_JS = Path(__import__("isso").__file__).parent / "js" / "app" / "i18n"
PAYLOAD = (
    "Grazie, articolo utilissimo! <script>window.__xss = 1</script> "
    "[clicca qui](javascript:window.__xss=2) <img src=x onerror=\"window.__xss=3\"> "
    "javascript:window.__xss=4"
)
AUTHOR = "<b>Eva</b><script>window.__xss=5</script>"
SETTINGS = runpy.run_path(str(ROOT / "pelicanconf.py"))


def isso_messages(language: str) -> dict[str, str]:
    """Isso's own client strings, parsed from ``isso/js/app/i18n/<language>.js``."""
    text = (ISSO_JS / f"{language}.js").read_text(encoding="utf-8")
    return {k: v for k, v in re.findall(r'"([a-z-]+)":\s*"((?:[^"\\]|\\.)*)"', text)}


def our_messages() -> dict[str, str]:
    text = (ROOT / "theme" / "static" / "js" / "comments.js").read_text(encoding="utf-8")
    block = text[text.index("export const STRINGS"):text.index("};")]
    return {k: v for k, v in re.findall(r'"([a-z-]+)":\s*"((?:[^"\\]|\\.)*)"', block)}


def open_thread(page: Page, url: str) -> None:
    """Open an article and scroll to its comments, where Isso loads."""
    with page.expect_response(lambda r: "/isso/?uri=" in r.url) as fetched:
        page.goto(url)
        page.locator("#commenti").scroll_into_view_if_needed()
    assert fetched.value.ok
    expect(page.locator("#isso-thread .isso-postbox")).to_be_visible()


def test_every_string_of_isso_client_is_italian() -> None:
    english, ours = isso_messages("en"), our_messages()
    assert set(ours) == set(english), set(english) ^ set(ours)
    for key, text in ours.items():
        assert text and text != english[key], key
        assert "'" not in text, f"{key}: typographic apostrophe (’) please"
        # Singular and plural where Isso pluralizes ("comment-hidden" too, upstream forgot).
        assert text.count("\\n") >= english[key].count("\\n"), f"{key}: singular/plural"


def test_isso_config_moderates_and_keeps_secrets_out_of_the_repo() -> None:
    import configparser

    from blog.comments.isso import CONFIG, CommentsUnavailable, IssoServer, missing_variables

    config = configparser.ConfigParser(interpolation=None)
    config.read(CONFIG, encoding="utf-8")
    assert config.getboolean("moderation", "enabled")
    assert config.getboolean("guard", "enabled")
    assert not config.getboolean("general", "gravatar")  # no third-party request
    for section, key in (("admin", "password"), ("hash", "salt"), ("general", "dbpath"),
                         ("smtp", "password"), ("general", "host")):
        assert config.get(section, key).startswith("$ISSO_"), (section, key)
    # Isso would run with a literal "$ISSO_ADMIN_PASSWORD": ours refuses to start.
    assert "ISSO_ADMIN_PASSWORD" in missing_variables({"ISSO_NOTIFY": "stdout"})
    assert "ISSO_SMTP_PASSWORD" in missing_variables({"ISSO_NOTIFY": "smtp"})
    with pytest.raises(CommentsUnavailable, match="ISSO_ADMIN_PASSWORD"):
        IssoServer({"ISSO_LISTEN": "http://127.0.0.1:1"}).start()


@pytest.mark.slow
def test_thread_id_is_the_page_path(site: Path) -> None:
    for html in sorted(site.glob("*/index.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        thread = soup.find(id="isso-thread")
        if thread is None:
            continue
        assert thread["data-isso-id"] == f"/{html.parent.name}/"
        count = soup.select_one("[data-comment-count]")
        assert count is not None and count["data-comment-count"] == thread["data-isso-id"]
    assert (site / ARTICLE.strip("/") / "index.html").read_text(encoding="utf-8").count(
        'id="isso-thread"'
    ) == 1


@pytest.mark.browser
@pytest.mark.slow
def test_a_comment_is_moderated_then_published_and_stays_inert(
    browser: Browser, isso_site
) -> None:
    web, isso = isso_site
    url = web.url + ARTICLE
    writer = browser.new_context(locale="it-IT")
    reader = browser.new_context(locale="it-IT")
    author = browser.new_context(locale="it-IT")
    try:
        page = writer.new_page()
        open_thread(page, url)
        expect(page.locator(".comments-fallback")).to_be_hidden()
        page.get_by_placeholder("Scrivi qui il tuo commento").fill(PAYLOAD)
        page.get_by_label("Nome (facoltativo)").fill(AUTHOR)
        with page.expect_response(lambda r: "/isso/new" in r.url) as posted:
            page.get_by_role("button", name="Invia il commento").click()
        assert posted.value.status == 202  # accepted, held for moderation
        comment_id = posted.value.json()["id"]
        expect(page.locator(f"#isso-{comment_id} .isso-note")).to_have_text(
            re.compile("in attesa di approvazione")
        )

        # Another reader does not see it yet.
        other = reader.new_page()
        open_thread(other, url)
        expect(other.locator("#isso-root .isso-comment")).to_have_count(0)
        expect(other.locator(".comment-count")).to_have_text("Nessun commento")

        # The author opens the link Isso printed (and mails, in production) and confirms.
        link = isso.wait_for_activation_link(comment_id)
        assert link.startswith(web.url + "/isso/id/")
        moderation = author.new_page()
        moderation.on("dialog", lambda dialog: dialog.accept())
        with moderation.expect_response(
            lambda r: r.request.method == "POST" and "/activate/" in r.url
        ) as activated:
            moderation.goto(link)
        assert activated.value.ok
        # Isso's page then takes her to the comment, published.
        moderation.wait_for_url(f"{url}#isso-{comment_id}")

        # Now every reader sees it, as inert text.
        other.reload()
        other.locator("#commenti").scroll_into_view_if_needed()
        comment = other.locator(f"#isso-{comment_id}")
        expect(comment).to_be_visible()
        text = comment.locator(".isso-text")
        expect(text).to_contain_text("<script>window.__xss = 1</script>")
        expect(text).to_contain_text("javascript:window.__xss=4")
        expect(text).to_contain_text('<img src=x onerror="window.__xss=3">')
        expect(comment.locator(".isso-author")).to_have_text(AUTHOR)
        expect(other.locator(".comment-count")).to_have_text("1 commento")
        thread = other.locator("#isso-thread")
        assert thread.locator("script, img, iframe, object").count() == 0
        assert thread.evaluate(
            """(el) => Array.from(el.querySelectorAll("*")).flatMap((node) =>
                Array.from(node.attributes).filter((a) =>
                    /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).map((a) => a.name))"""
        ) == []
        assert other.evaluate("window.__xss") is None

        # Listings count it too.
        home = reader.new_page()
        home.goto(web.url + "/")
        card = home.locator(f'[data-comment-count="{ARTICLE}"]')
        expect(card).to_have_text("1 commento")
        expect(card.get_by_role("link")).to_have_attribute("href", re.compile(r"#commenti$"))
    finally:
        for context in (writer, reader, author):
            context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_widget_speaks_italian(page: Page, isso_site) -> None:
    web, _ = isso_site
    open_thread(page, web.url + "/cosa-delegare-per-primo/")
    thread = page.locator("#isso-thread")
    shown = thread.evaluate(
        """(el) => [el.innerText, ...Array.from(el.querySelectorAll("input, textarea"),
            (f) => [f.placeholder, f.type === "text" || f.type === "email" ? "" : f.value]
                .join(" "))].join("\\n")"""
    )
    english = {
        v.split("\\n")[0].replace("{{ n }}", "").strip() for v in isso_messages("en").values()
    }
    leaked = sorted(e for e in english if len(e) > 3 and e in shown)
    assert not leaked, leaked
    assert "[?" not in shown
    for label in ("Nome (facoltativo)", "Sito web (facoltativo)", "Anteprima"):
        assert label in shown


@pytest.mark.browser
@pytest.mark.slow
def test_without_javascript_a_mailto_invites_comments(browser: Browser, site_url: str) -> None:
    context = browser.new_context(locale="it-IT", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + ARTICLE)
        link = page.get_by_role("link", name="Scrivimi un commento via e-mail")
        expect(link).to_be_visible()
        href = urlsplit(link.get_attribute("href"))
        title = page.locator("h1").inner_text()
        assert href.scheme == "mailto"
        assert unquote(href.path) == SETTINGS["CONTACT_EMAIL"]
        assert parse_qs(href.query)["subject"] == [f"Commento a «{title}»"]
        expect(page.locator(".comment-count")).to_be_hidden()
    finally:
        context.close()


# ------------------------------------------------------------- invoke comments, the process


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, dict(response.headers), response.read().decode("utf-8")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=lambda s: signal.Signals(s).name)
@pytest.mark.slow
def test_invoke_comments_serves_production_headers_and_any_signal_stops_isso(
    built_project: Path, stop: int
) -> None:
    import shutil

    from blog.headers import SECURITY_HEADERS
    from tests.workflow_support import wait_for

    shutil.copytree(ROOT / "isso", built_project / "isso", dirs_exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "comments", "--port", "0", "--isso-port", "0"],
        cwd=built_project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1", "ISSO_ADMIN_PASSWORD": "segreta-di-prova"},
        # As a background job of a script starts it: with SIGINT ignored, Python alone
        # would never raise KeyboardInterrupt (blog/serve/signals.py).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        def started() -> re.Match | None:
            assert process.poll() is None, "".join(lines)
            return re.search(r"Sito con i commenti: (http://127\.0\.0\.1:\d+)/ +\(Isso su "
                             r"http://127\.0\.0\.1:(\d+)", "".join(lines))
        found = wait_for(started, 60, "invoke comments non dice «Sito con i commenti»")
        url, isso_port = found[1], int(found[2])
        isso_pids = [pid for pid in _children(process.pid)
                     if b"isso" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(isso_pids) == 1 and _listening(isso_port)

        # The production headers, on the site and on Isso's answers alike.
        for path in (ARTICLE, "/pagina-che-non-esiste/", "/isso/config"):
            status, headers, _ = _request(url + path)
            assert status in (200, 404), path
            for name, value in SECURITY_HEADERS.items():
                assert headers.get(name) == value, (path, name)

        process.send_signal(stop)  # to invoke only, not to its process group
        assert process.wait(timeout=30) == 0, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=10)
    assert "Fermato: Isso è spento." in "".join(lines)
    wait_for(lambda: not _listening(isso_port), 10, f"Isso ancora in ascolto su {isso_port}")
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in isso_pids), 10,
             "il processo di Isso è ancora vivo")


@pytest.mark.slow
def test_wrong_admin_logins_get_429_while_comments_still_post(isso_site) -> None:
    from blog.serve.app import LOGIN_BURST

    web, _ = isso_site
    statuses, bodies = [], []
    for _ in range(20):
        status, headers, body = _request(web.url + "/isso/login/", data=b"password=sbagliata")
        statuses.append(status)
        bodies.append((headers, body))
    assert statuses[0] == 200 and "password" in bodies[0][1].lower()  # Isso's login page again
    assert statuses[LOGIN_BURST + 1:] == [429] * (19 - LOGIN_BURST), statuses
    headers, body = bodies[-1]
    assert "Troppi tentativi" in body and "riprova fra un minuto" in body
    assert int(headers["Retry-After"]) > 0
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    # The admin page is behind the same limit; the right password would not help now.
    assert _request(web.url + "/isso/admin/")[0] == 429

    # A reader's comment goes through: the limit covers only the author's login.
    status, _, body = _request(
        web.url + "/isso/new?uri=" + ARTICLE,
        data=json.dumps({"text": "Un commento normale durante l’attacco."}).encode(),
        headers={"Content-Type": "application/json"})
    assert status == 202, body
    assert json.loads(body)["text"].startswith("<p>Un commento normale")


@pytest.mark.slow
def test_isso_answers_through_the_proxy_carry_one_date(isso_site) -> None:
    """Two Date headers (Isso's and the server's) are joined by the browser into an
    invalid date, and Isso's client then calls every comment «proprio ora»."""
    import http.client

    web, _ = isso_site
    connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    try:
        connection.request("GET", "/isso/config")
        response = connection.getresponse()
        response.read()
        names = [name.lower() for name, _ in response.getheaders()]
    finally:
        connection.close()
    assert response.status == 200
    assert names.count("date") == 1 and names.count("server") <= 1
