"""Real Chromium and a static server on 127.0.0.1 for tests: the very ones ``invoke check``
uses (Debian's /usr/bin/chromium driven by Playwright; a server that can add response
headers such as the production CSP)."""

from typing import Any

from blog.checks.browser import launch_chromium
from blog.checks.browser import serve as serve_directory

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


class TabPerSetting:
    """Tabs keyed by their browser-context options: opening a URL with options already
    used navigates that tab; ``fresh=True`` gives a context and tab of their own (an
    empty cache, for what a first visit loads). A context's first page costs Chromium
    ~1.5 CPU-s here (its new renderer keeps working ~0.7 s after the load), ten
    navigations of an open tab."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.tabs: dict[object, tuple[Any, Any]] = {}

    def open(self, url: str, *, fresh: bool = False, **options: Any) -> Any:
        key = ("fresh", len(self.tabs)) if fresh else repr(sorted(options.items()))
        if key not in self.tabs:
            context = self.browser.new_context(locale="it-IT", **options)
            self.tabs[key] = (context, context.new_page())
        tab = self.tabs[key][1]
        tab.goto(url)
        return tab

    def close(self) -> None:
        for context, _tab in self.tabs.values():
            context.close()
