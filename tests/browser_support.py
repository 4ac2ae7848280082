"""Real Chromium and a static server on 127.0.0.1 for tests: the very ones ``invoke check``
uses (Debian's /usr/bin/chromium driven by Playwright; a server that can add response
headers such as the production CSP)."""

from typing import Any

from buildtools.checks.browser import launch_chromium
from buildtools.checks.browser import serve as serve_directory

__all__ = ["launch_chromium", "search_urls", "serve_directory"]


# Every part of the index searched as one, the way theme/static/js/search.js does, on an
# instance of its own (the box's instance is left as the reader's typing made it).
_SEARCH_ALL = """async ([query, bundle]) => {
    bundle = new URL(bundle || document.querySelector(".site-search").dataset.searchBundle,
                     document.baseURI).pathname;
    window.__searchAll ??= {};
    window.__searchAll[bundle] ??= (async () => {
        const module = await import(bundle + "pagefind.js");
        const instance = module.createInstance({ basePath: bundle });
        const parts = await (await fetch(bundle + "parti.json")).json();
        for (const part of parts) await instance.mergeIndex(bundle + part);
        return instance;
    })();
    const found = await (await window.__searchAll[bundle]).search(query);
    return Promise.all(found.results.map((r) => r.data().then((d) => d.url)));
}"""


def search_urls(page: Any, query: str, bundle: str | None = None) -> list[str]:
    """Every result URL for ``query`` from the page's search bundle (or ``bundle``), all
    the index's parts included, best first."""
    return page.evaluate(_SEARCH_ALL, [query, bundle])
