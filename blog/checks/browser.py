"""Debian's Chromium driven by Playwright, and the site served on 127.0.0.1 for it.

The browser checks (page weight, accessibility) and the tests use these same helpers.
The site is served by the project's one local web app (:mod:`blog.serve.app`) with
the production security headers adapted to local http
(:func:`blog.headers.development_headers`), never a policy of our own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from blog.checks.site import site_prefixes

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REWRITTEN = {".html", ".css", ".js", ".json", ".xml", ".webmanifest", ".svg"}


def chromium_version() -> str:
    """``Chromium 156.0.8078.114 …`` as the binary says it (part of the checks' memo key)."""
    try:
        result = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"chromium non disponibile: {exc}"
    return result.stdout.strip() or f"chromium exit {result.returncode}"


@contextlib.contextmanager
def serve(site: Path, headers: Mapping[str, str] | None = None) -> Iterator[str]:
    """Serve ``site`` on a free port of 127.0.0.1 with the project's one local web app
    (:mod:`blog.serve.app`) sending ``headers`` (none by default); yield the base URL
    without trailing slash."""
    from blog.serve import app as server

    with server.serve(site, dict(headers or {})) as running:
        yield running.url


def local_headers() -> dict[str, str]:
    """The production headers as they apply on http://127.0.0.1 (no HSTS, no upgrade)."""
    from blog.headers import development_headers

    return development_headers()


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
def browser_or_new(browser: object | None) -> Iterator[object]:
    """The caller's Chromium if given (a test session shares one), else a new one.

    Playwright's sync API cannot start twice in one thread, so callers that already
    drive a browser must pass it in.
    """
    if browser is not None:
        yield browser
    else:
        with chromium() as launched:
            yield launched


def page_address(base: str, page: str) -> str:
    """URL of ``page`` (``a/index.html`` → ``base/a/``) as a reader would type it."""
    page = page.lstrip("/")
    if page == "index.html":
        page = ""
    elif page.endswith("/index.html"):
        page = page[: -len("index.html")]
    return f"{base}/{page}"


@contextlib.contextmanager
def browser_view(site: Path, siteurl: str | Sequence[str] = "") -> Iterator[Path]:
    """The site as a browser on 127.0.0.1 would see it in production.

    A production build links its own files by absolute URL (``https://dominio/…``);
    served from 127.0.0.1 those would count as third-party requests and come without
    styles. For the browser checks we serve a temporary copy whose text files say
    ``/…`` instead: the same pages, the same requests, just to a local origin.
    """
    prefixes = [p for p in site_prefixes(siteurl) if p.startswith(("http://", "https://"))]
    if not prefixes:
        yield site
        return
    with tempfile.TemporaryDirectory(prefix="vista-browser-") as tmp:
        view = Path(tmp) / "site"
        shutil.copytree(site, view, copy_function=os.link)
        for path in view.rglob("*"):
            if not path.is_file() or path.suffix not in REWRITTEN:
                continue
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            new = text
            for prefix in prefixes:
                new = new.replace(prefix + "/", "/").replace(prefix, "/")
            if new != text:
                path.unlink()  # a hard link: do not write through to the real site
                path.write_text(new, encoding="utf-8", errors="surrogateescape")
        yield view
