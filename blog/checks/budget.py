"""Page weight: what a first visit downloads, and the budgets it must stay within.

``PAGE_BUDGETS`` is the one source of the budgets: ``invoke check``, the tests and
``benchmarks/bench_pageweight.py`` all read it. Weights are brotli bytes as the
server sends them (``initial`` = HTML + CSS + JS before any interaction);
``requests`` and ``third_party`` are counts. The search UI and the comments load
only when the reader asks for them, so they are not in these numbers.

A post's photos (the variants ``plugins/content_images`` makes, ``nome-736.<hash>.avif``)
are the author's content, not the page's: they have budgets of their own, each photo as
a phone (375 px wide, DPR 2) and a desktop (1280 px, DPR 1) download it, in AVIF or
WebP, and all the photos a first visit fetches; ``image`` and ``total`` count the rest.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from blog.checks.browser import browser_or_new, page_address, serve
from blog.checks.findings import Finding
from blog.checks.site import SiteIndex
from blog.report import size_it

PAGE_BUDGETS: dict[str, int] = {
    "initial": 15 * 1024,
    "html": 12 * 1024,
    # The heaviest article (the seed one) with what loads when the reader scrolls to the
    # comments: HTML + CSS + JS, brotli (issue 12). tests/test_search.py measures it.
    # 12.5 KiB since issue 25: the kit box's cover became a <picture> (~170 B brotli of
    # markup), so a phone fetches an 88 px AVIF instead of the 600 px PNG (tens of kB).
    "article_scrolled": 12 * 1024 + 512,
    "css": 8 * 1024,
    "js": 6 * 1024,
    "font": 40 * 1024,
    "image": 150_000,
    "total": 200_000,
    "requests": 20,
    "third_party": 0,
    # A 4032×3024 phone photo in a post, the heaviest file of each photo (issue 25).
    "photo_phone": 120_000,
    "photo_desktop": 220_000,
    # Every photo a first visit at 1280 px fetches (the first screen's, and the lazy ones
    # Chromium fetches ahead of the scroll).
    "photos": 500_000,
    # Photos that reach the browser as JPEG or PNG although it reads AVIF and WebP.
    "photo_formats": 0,
    # The kit's web edition (kit-sulla-delega/compila/, issue 23) before any tap: the whole
    # workbook in one page, 220 labelled controls and every exercise's words (21.4 KiB:
    # HTML 10.5, CSS 6.3, JS 5.2), room for a few more rows. tests/test_kit_web_pages.py.
    "kit_edition_initial": 24 * 1024,
    # What its «Scarica il PDF compilato» fetches, once: pdf.js and its worker (legacy
    # build, 435 kB brotli), the kit PDF (157 kB) and the glue (1 kB).
    "kit_edition_tap": 620_000,
}
COUNTED = {"requests", "third_party", "photo_formats"}
# A photo's variant: its width and a hash of the photo in the name.
PHOTO_VARIANT = re.compile(r"-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg|png)$")
MODERN = ("image/avif", "image/webp")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}
MESSAGES = {
    "photo_phone": "la foto più pesante pesa {value} su un telefono (375 px, DPR 2), "
                   "il limite è {limit}",
    "photo_desktop": "la foto più pesante pesa {value} su un computer (1280 px), "
                     "il limite è {limit}",
    "photos": "le foto scaricate all’apertura pesano {value}, il limite è {limit}",
    "photo_formats": "{value} foto arrivano in JPEG o PNG a un browser che legge AVIF e WebP",
}
KINDS = {
    "document": "html", "stylesheet": "css", "script": "js", "font": "font", "image": "image",
}
NOT_ARTICLES = {"archivio", "tag", "categoria", "categorie", "autore", "pagina",
                "kit-sulla-delega"}


@dataclass
class Fetch:
    """One response the browser received while loading a page."""

    url: str
    kind: str
    raw: int
    brotli: int
    third_party: bool
    mime: str = ""

    @property
    def is_photo(self) -> bool:
        """A variant of a post's photo (``plugins/content_images``)."""
        return self.kind == "image" and PHOTO_VARIANT.search(urlsplit(self.url).path) is not None


@dataclass
class PageLoad:
    """Everything a page fetched before any interaction."""

    page: str
    fetches: list[Fetch] = field(default_factory=list)
    third_party_urls: list[str] = field(default_factory=list)
    phone: bool = False  # loaded at 375 px, DPR 2 (else 1280 px, DPR 1)

    def weights(self) -> dict[str, int]:
        out = {"html": 0, "css": 0, "js": 0, "font": 0, "image": 0, "other": 0}
        photos = [fetch for fetch in self.fetches if fetch.is_photo]
        for fetch in self.fetches:
            if not fetch.is_photo:
                out[fetch.kind] += fetch.brotli
        out["initial"] = out["html"] + out["css"] + out["js"]
        out["total"] = sum(out[k] for k in ("html", "css", "js", "font", "image", "other"))
        out["requests"] = len(self.fetches)
        out["third_party"] = len(self.third_party_urls)
        heaviest = max((fetch.raw for fetch in photos), default=0)
        out["photo_phone" if self.phone else "photo_desktop"] = heaviest
        if not self.phone:
            out["photos"] = sum(fetch.raw for fetch in photos)
        out["photo_formats"] = sum(1 for fetch in photos if fetch.mime not in MODERN)
        return out


def _brotli_size(body: bytes, kind: str) -> int:
    if kind in ("image", "font") and not body.lstrip().startswith(b"<"):
        return len(body)  # already compressed formats are sent as they are
    return _compressed_size(body)


@functools.lru_cache(maxsize=512)
def _compressed_size(body: bytes) -> int:
    """Brotli size at quality 11: every page loads the same stylesheets and scripts, and
    compressing them again for each page was a third of a weight check's time."""
    import brotli

    return len(brotli.compress(body, quality=11))


class _Loading:
    """One page loading in its own fresh context (cold cache), its responses recorded."""

    def __init__(self, browser, base: str, page: str, phone: bool = False) -> None:
        self.origin = urlsplit(base).netloc
        self.load = PageLoad(page, phone=phone)
        self.responses: list = []
        # bypass_csp: a <meta> policy (the GitHub Pages build) must not change what is
        # counted, so both builds weigh alike (the CSP check names what it would block).
        self.context = browser.new_context(locale="it-IT", viewport=PHONE if phone else DESKTOP,
                                           device_scale_factor=2 if phone else 1,
                                           bypass_csp=True)
        self.context.route("**/*", self._route)
        self.tab = self.context.new_page()
        self.tab.on("response", lambda response: self.responses.append(response))
        self.tab.goto(page_address(base, page), wait_until="commit")

    def _route(self, route) -> None:
        if urlsplit(route.request.url).netloc != self.origin:
            self.load.third_party_urls.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def finish(self) -> PageLoad:
        """Wait until the page is loaded and the network idle; add up what it fetched."""
        self.tab.wait_for_load_state("load")
        self.tab.wait_for_load_state("networkidle")
        for response in self.responses:
            parts = urlsplit(response.url)
            if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
                continue
            kind = KINDS.get(response.request.resource_type, "other")
            try:
                body = response.body()
            except Exception:  # redirects and aborted requests have no body
                continue
            mime = (response.headers.get("content-type") or "").split(";")[0].strip()
            self.load.fetches.append(
                Fetch(response.url, kind, len(body), _brotli_size(body, kind), False, mime))
        self.context.close()
        return self.load


def page_loads(
    site: Path, pages: Sequence[str], browser: object | None = None, at_once: int = 8,
    phone: bool = False,
) -> dict[str, PageLoad]:
    """Load each page in one shared Chromium (``at_once`` pages at a time, each in a
    fresh context so nothing comes from the cache), as a desktop or (``phone``) a
    phone sees it; see :func:`page_weight`."""
    site = Path(site).resolve()
    loads: dict[str, PageLoad] = {}
    # No policy here: a request the CSP would block still counts (the CSP check names it).
    with serve(site) as base, browser_or_new(browser) as chrome:
        for start in range(0, len(pages), at_once):
            loading = [_Loading(chrome, base, page, phone)
                       for page in pages[start:start + at_once]]
            for item in loading:
                loads[item.load.page] = item.finish()
    return loads


def page_weight(site: Path, page: str, browser: object | None = None) -> dict[str, int]:
    """Brotli bytes of what ``page`` loads before any interaction, by kind.

    Keys: ``html``, ``css``, ``js``, ``font``, ``image``, ``other``; ``initial`` (HTML +
    CSS + JS, the reader's budget), ``total``, ``requests`` and ``third_party`` (the
    number of requests to another origin, all blocked; :func:`page_loads` lists them).
    """
    return page_loads(site, [page], browser)[page].weights()


def representative_pages(site: Path, index: SiteIndex) -> list[str]:
    """Pages whose weight we budget: home, archive, kit page, the heaviest article."""
    chosen = [p for p in ("index.html", "archivio/index.html",
                          "kit-sulla-delega/index.html") if p in index.pages]
    articles = [p for p in index.pages if p.count("/") == 1 and p.endswith("/index.html")
                and p.split("/")[0] not in NOT_ARTICLES]
    if articles:
        chosen.append(max(articles, key=lambda p: ((site / p).stat().st_size, p)))
    return chosen


def over_budget(page: str, weights: Mapping[str, int],
                budgets: Mapping[str, int] = PAGE_BUDGETS) -> list[Finding]:
    """The budgets ``weights`` of ``page`` exceed, one :class:`Finding` each."""
    problems = []
    for key, limit in budgets.items():
        value = weights.get(key)
        if value is None or value <= limit:
            continue
        if key in MESSAGES:
            shown = (value, limit) if key in COUNTED else (size_it(value), size_it(limit))
            message = MESSAGES[key].format(value=shown[0], limit=shown[1])
        elif key in COUNTED:
            message = f"{value} richieste «{key}», il limite è {limit}"
        else:
            message = f"{key} pesa {size_it(value)}, il limite è {size_it(limit)}"
        problems.append(Finding(page, None, f"budget-{key}", message))
    return problems


def has_photos(site: Path, page: str) -> bool:
    """Does ``page`` show a post's photo (a ``<picture>`` of ``plugins/content_images``)?"""
    try:
        return "<picture" in (Path(site) / page).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _weigh_in_chromium(site: Path, pages: list[str], browser: object | None,
                       ) -> Callable[[Path, str], Mapping[str, int]]:
    """Each page loaded as a desktop sees it, and those with photos as a phone too."""
    with browser_or_new(browser) as chrome:
        loads = page_loads(site, pages, browser=chrome)
        with_photos = [page for page in pages if has_photos(site, page)]
        phones = page_loads(site, with_photos, browser=chrome, phone=True) if with_photos else {}
    weights = {page: {**load.weights(), **({"photo_phone": phones[page].weights()["photo_phone"]}
                                           if page in phones else {})}
               for page, load in loads.items()}
    return lambda _site, page: weights[page]


def check_budgets(
    site: Path,
    pages: Iterable[str],
    weigh: Callable[[Path, str], Mapping[str, int]] | None = None,
    budgets: Mapping[str, int] = PAGE_BUDGETS,
    browser: object | None = None,
) -> list[Finding]:
    """Compare each page's weight (``weigh(site, page)``, default: loaded in Chromium)
    with ``budgets``."""
    pages = list(pages)
    if weigh is None:
        weigh = _weigh_in_chromium(site, pages, browser)
    return [problem for page in pages for problem in over_budget(page, weigh(site, page), budgets)]
