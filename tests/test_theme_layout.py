"""Reader polish measured in a real Chromium: no layout shift, a compact header, a clean
archive, listings that read well, and no console error on a plain static host.

Every test reads the one shared build (session fixtures ``site``/``site_url``); the
plain-host test builds once more without comments (``DELEGA_ISSO_URL=""``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import TabPerSetting, serve_directory
from tests.sitecopy import copy_project, invoke
from tests.test_theme_seo import ARTICLES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SERIES = sorted(
    (slug for slug, meta in ARTICLES.items() if meta.get("series")),
    key=lambda slug: int(ARTICLES[slug]["series_index"]),
)
MAIN_PAGES = {
    "home": "",
    "articolo": "sei-pronto-assistente-virtuale/",
    "kit": "kit-sulla-delega/",
    "categoria": "categoria/delega/",
    "serie": "arte-della-delega/",
    "archivio": "archivio/",
    "contatti": "contatti/",
    "404": "404.html",
}
SIZES = {375: 667, 1280: 800}

# Sum of layout-shift entries, as Lighthouse counts them (no recent input), from the
# page's start (buffered) until read: START_CLS begins it, READ_CLS reads the total.
START_CLS = """() => {
  window.__layoutShift = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries())
      if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }).observe({type: "layout-shift", buffered: true});
}"""
READ_CLS = "() => window.__layoutShift"


@pytest.fixture
def tab(browser):
    """Open a URL in a tab of the given width, colour scheme and JavaScript setting;
    calls of one test with the same settings share one tab (``TabPerSetting``), and
    ``fresh=True`` gives an empty-cache context of its own, for what must be measured
    on a first visit."""
    tabs = TabPerSetting(browser)

    def _open(url: str, *, width: int = 1280, scheme: str = "light", js: bool = True,
              fresh: bool = False):
        return tabs.open(url, fresh=fresh, color_scheme=scheme, java_script_enabled=js,
                         viewport={"width": width, "height": SIZES.get(width, 800)})

    yield _open
    tabs.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_no_layout_shift_while_the_page_and_its_scripts_load(tab, site_url, width) -> None:
    # Each page in a fresh context (empty cache); the four are watched together: once
    # every one is idle, 1.2 s more for a late shift.
    pages = {name: tab(f"{site_url}/{MAIN_PAGES[name]}", width=width, fresh=True)
             for name in ("home", "articolo", "kit", "categoria")}
    for page in pages.values():
        page.evaluate(START_CLS)
    for page in pages.values():
        page.wait_for_load_state("networkidle")
    next(iter(pages.values())).wait_for_timeout(1200)
    shifts = {name: page.evaluate(READ_CLS) for name, page in pages.items()}
    assert shifts == dict.fromkeys(shifts, 0), shifts


@pytest.mark.parametrize("js", [True, False])
def test_mobile_header_is_compact_with_the_whole_menu_on_one_row(tab, site_url, js) -> None:
    for name, path in MAIN_PAGES.items():
        page = tab(f"{site_url}/{path}", width=375, js=js)
        height = page.locator("header.site-header").bounding_box()["height"]
        assert height <= 120, (name, height)
        links = page.locator("nav.main-nav a")
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(tops) == 1, (name, tops)  # one row, never «Contatti» alone on a line
        for i in range(links.count()):  # every item reachable (the row scrolls if needed)
            links.nth(i).scroll_into_view_if_needed()
            assert links.nth(i).is_visible()


def test_search_input_is_16px_and_opens_from_the_compact_header(tab, site_url) -> None:
    desktop = tab(f"{site_url}/", width=1280)
    box = desktop.get_by_role("combobox", name="Cerca nel blog")
    assert box.is_visible()
    assert float(box.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 16

    mobile = tab(f"{site_url}/", width=375)
    toggle = mobile.get_by_role("button", name="Cerca nell’archivio")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    box = mobile.get_by_role("combobox", name="Cerca nel blog")
    assert box.is_visible() and box.evaluate("e => e === document.activeElement")
    assert float(box.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 16
    assert toggle.get_attribute("aria-expanded") == "true"
    box.press("Escape")
    assert not box.is_visible()

    plain = tab(f"{site_url}/", width=375, js=False)
    link = plain.get_by_role("link", name="Cerca nell’archivio")
    assert link.is_visible() and link.get_attribute("href").endswith("archivio/")


@pytest.mark.parametrize("width", [375, 1280])
def test_header_focus_order_follows_the_visual_order(tab, site_url, width) -> None:
    page = tab(f"{site_url}/chi-sono/", width=width)
    page.wait_for_function("document.readyState === 'complete'")
    # The search panel's stylesheet (asked for when the box gets the focus) held back, as
    # on a slow line: a reader's Tab must not land in the closed panel meanwhile.
    held: list = []
    page.route("**/css/search.*.css", lambda route: held.append(route))
    page.keyboard.press("Tab")
    # The first stop is the skip link (waited for: under load a key may land late).
    page.wait_for_function("document.activeElement.matches('a.skip-link')", timeout=5000)
    boxes = []
    for _ in range(6):  # brand, search, four menu items
        page.keyboard.press("Tab")
        boxes.append(page.evaluate("""() => {
            const e = document.activeElement, r = e.getBoundingClientRect();
            return [Math.round(r.top + r.height / 2), Math.round(r.left),
                    // in the header, and never in the search panel while it is closed
                    !!e.closest('header') && !e.closest('.search-box:not(.is-open) .search-panel'),
                    e.outerHTML.slice(0, 120)];
        }"""))
    for route in held:
        route.continue_()
    outside = [(n, html) for n, (_, _, inside, html) in enumerate(boxes, 1) if not inside]
    assert not outside, outside  # which Tab stop left the header, and where it went
    rows = [(round(y / 24), x) for y, x, _, _ in boxes]  # same row within half a line
    assert rows == sorted(rows), boxes


def test_archive_titles_never_start_left_of_their_column(tab, site_url) -> None:
    page = tab(f"{site_url}/archivio/", width=375)
    years = page.locator("section.archive-year h2")
    assert years.count() >= 1
    lefts = page.locator(".archive-list li").evaluate_all("""items => items.map(li => {
        const link = li.querySelector('a');
        const column = link.getBoundingClientRect().left;
        const range = document.createRange();
        range.selectNodeContents(link);  // one rectangle per line of the title
        const lines = [...new Set(Array.from(range.getClientRects(),
            r => `${Math.round(r.top)}:${Math.round(r.left)}`))]
            .map(key => Number(key.split(':')[1]));
        const date = li.querySelector('time').getBoundingClientRect();
        return {column: Math.round(column), lines, dateRight: Math.round(date.right)};
    })""")
    assert len(lefts) == len(ARTICLES)
    columns = {item["column"] for item in lefts}
    assert len(columns) == 1, lefts  # one title column
    for item in lefts:
        assert min(item["lines"]) >= item["column"], item
        assert item["dateRight"] <= item["column"], item
    assert any(len(item["lines"]) > 1 for item in lefts)  # wrapped titles were checked too


def test_series_page_is_a_table_of_contents(tab, site_url) -> None:
    page = tab(f"{site_url}/arte-della-delega/")
    toc = page.locator("ol.series-toc > li")
    assert toc.count() == len(SERIES)
    for index, slug in enumerate(SERIES, start=1):
        item = toc.nth(index - 1)
        assert item.locator(".num").inner_text() == str(index)
        link = item.locator("h3 a")
        assert link.get_attribute("href").rstrip("/").endswith(slug)
        assert item.locator("time").get_attribute("datetime").startswith(
            str(ARTICLES[slug]["date"])[:10])
        summary = ARTICLES[slug]["summary"]
        assert item.locator(".series-summary").inner_text().strip() == summary
    progress = page.locator(".series-home .series-progress").inner_text()
    assert f"{len(SERIES)} puntate" in progress and "minuti di lettura in tutto" in progress

    post = tab(f"{site_url}/{SERIES[1]}/")
    box = post.locator("nav#serie")
    assert box.locator(".is-current").inner_text().endswith("(stai leggendo questa parte)")
    assert box.locator("progress").get_attribute("value") == "2"


def test_category_page_has_description_feed_and_no_repeated_label(tab, site_url, site) -> None:
    page = tab(f"{site_url}/categoria/delega/")
    header = page.locator("header.listing-header")
    assert header.locator(".lede").inner_text().strip()
    feed = header.get_by_role("link", name="Segui la categoria (feed Atom)")
    href = feed.get_attribute("href")
    assert (site / href.split("../")[-1]).is_file()
    assert page.locator("link[rel=alternate][href$='categoria-delega.atom.xml']").count() == 1
    cards = page.locator(".post-list .card")
    assert cards.count() >= 1
    for i in range(cards.count()):
        assert "Delega" not in cards.nth(i).locator(".kicker a").all_inner_texts()
    gap = page.evaluate("""() => document.querySelector('.post-list').getBoundingClientRect().top
        - document.querySelector('header.listing-header').getBoundingClientRect().bottom""")
    assert gap >= 16


def test_separators_never_start_a_line(tab, site_url) -> None:
    for width in (320, 375):
        for path in ("", "sei-pronto-assistente-virtuale/", "kit-sulla-delega/", "archivio/"):
            page = tab(f"{site_url}/{path}", width=width)
            starts = page.evaluate("""() => {
                const bad = [];
                for (const sep of document.querySelectorAll('.sep')) {
                    const parent = sep.parentElement.getBoundingClientRect();
                    const dot = sep.getClientRects();
                    if (!dot.length) continue;
                    const last = dot[dot.length - 1];
                    if (Math.round(last.left) <= Math.round(parent.left) + 1)
                        bad.push(sep.parentElement.textContent);
                }
                return bad;
            }""")
            assert starts == [], (width, path, starts)


def test_contact_address_never_breaks_and_articles_invite_to_write_once(tab, site_url) -> None:
    page = tab(f"{site_url}/contatti/", width=320)
    mail = page.locator(".contact-box .contact-mail")
    assert len(mail.evaluate("e => Array.from(e.getClientRects())")) == 1
    box = mail.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert "non sono online" not in page.locator(".contact-box").inner_text()

    article = tab(f"{site_url}/sei-pronto-assistente-virtuale/", width=375)
    invitations = article.locator("a[href^='mailto:']:not([href^='mailto:?'])")
    assert invitations.count() == 1  # the comments section's; no footer box on articles
    assert article.locator("section.comments a[href^='mailto:']").count() == 1


def test_share_links_and_author_box_have_inline_icons(tab, site_url) -> None:
    page = tab(f"{site_url}/sei-pronto-assistente-virtuale/")
    links = page.locator(".share-list a")
    assert links.count() >= 4
    for i in range(links.count()):
        assert links.nth(i).locator("svg[aria-hidden=true]").count() == 1
    assert page.locator(".author-links a svg").count() == 2
    # Nothing from another origin until the reader clicks.
    assert page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(e => !e.name.startsWith(location.origin)).length""") == 0


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as built for a plain static host: no comment server configured."""
    project = copy_project(tmp_path_factory.mktemp("plain") / "project")
    result = invoke(project, "build", env={"DELEGA_ISSO_URL": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "output"


def test_no_console_error_on_a_plain_static_host(browser, plain_site) -> None:
    errors: list[str] = []
    with serve_directory(plain_site) as url:
        context = browser.new_context(locale="it-IT")
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        for path in (*MAIN_PAGES.values(), f"{SERIES[0]}/", "tag/delega/"):
            page.goto(f"{url}/{path}")
            page.keyboard.press("End")  # what loads on scroll loads now
            page.wait_for_load_state("networkidle")
        context.close()
    assert errors == []
    home = (plain_site / "index.html").read_text(encoding="utf-8")
    assert "data-comments=" not in home and "data-comment-count" not in home
