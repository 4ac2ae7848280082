"""Page weight: what a first visit downloads, and the budgets it must stay within.

``PAGE_BUDGETS`` is the one source of the budgets: ``invoke check``, the tests and
``benchmarks/bench_pageweight.py`` all read it. Weights are brotli bytes as the
server sends them (``initial`` = HTML + CSS + JS before any interaction);
``requests`` and ``third_party`` are counts. The search UI and the comments load
only when the reader asks for them, so they are not in these numbers.
"""

from __future__ import annotations

import functools
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
    "article_scrolled": 12 * 1024,
    "css": 8 * 1024,
    "js": 6 * 1024,
    "font": 40 * 1024,
    "image": 150_000,
    "total": 200_000,
    "requests": 20,
    "third_party": 0,
}
COUNTED = {"requests", "third_party"}
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

    def __init__(self, browser, base: str, page: str) -> None:
        self.origin = urlsplit(base).netloc
        self.load = PageLoad(page)
        self.responses: list = []
        # bypass_csp: a <meta> policy (the GitHub Pages build) must not change what is
        # counted, so both builds weigh alike (the CSP check names what it would block).
        self.context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 800},
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
            self.load.fetches.append(
                Fetch(response.url, kind, len(body), _brotli_size(body, kind), False))
        self.context.close()
        return self.load


def page_loads(
    site: Path, pages: Sequence[str], browser: object | None = None, at_once: int = 8
) -> dict[str, PageLoad]:
    """Load each page in one shared Chromium (``at_once`` pages at a time, each in a
    fresh context so nothing comes from the cache); see :func:`page_weight`."""
    site = Path(site).resolve()
    loads: dict[str, PageLoad] = {}
    # No policy here: a request the CSP would block still counts (the CSP check names it).
    with serve(site) as base, browser_or_new(browser) as chrome:
        for start in range(0, len(pages), at_once):
            loading = [_Loading(chrome, base, page) for page in pages[start:start + at_once]]
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
        if key in COUNTED:
            message = f"{value} richieste «{key}», il limite è {limit}"
        else:
            message = f"{key} pesa {size_it(value)}, il limite è {size_it(limit)}"
        problems.append(Finding(page, None, f"budget-{key}", message))
    return problems


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
        loads = page_loads(site, pages, browser=browser)
        weigh = lambda _site, page: loads[page].weights()  # noqa: E731
    return [problem for page in pages for problem in over_budget(page, weigh(site, page), budgets)]
