"""Search: Pagefind's index holds exactly the article and page bodies, never a draft or a
listing; the header's box finds Italian inflections, says «Nessun risultato», opens the
selected result with Invio, speaks Italian, and loads nothing before the first keystroke."""

from __future__ import annotations

import re
from pathlib import Path

import brotli
import pytest
from playwright.sync_api import Page, expect

from blog.build.search import BUNDLE, index_site
from blog.build.search_read import fragments, indexed_pages, part_folders
from blog.checks.budget import PAGE_BUDGETS
from tests.browser_support import search_urls
from tests.sitecopy import copy_project, invoke

ARTICLE = "/sei-pronto-assistente-virtuale/"
BOX = "Cerca nel blog"
ENGLISH = re.compile(r"\b(search|results?|clear|load more|no results|filters?)\b", re.I)
EAGER_BUDGET = PAGE_BUDGETS["initial"]  # brotli: HTML + everything loaded before interaction
# The seed article, the heaviest page, with what loads on scroll (the comments' script and
# styles), measured on the real built page against the one budget in PAGE_BUDGETS.
SEED_BUDGET = PAGE_BUDGETS["article_scrolled"]


def published_urls(project: Path) -> set[str]:
    """``/slug/`` of every article and page the author published (not drafts, not hidden)."""
    urls = set()
    for source in sorted((project / "content").glob("*/*.md")):
        front_matter = source.read_text(encoding="utf-8").split("\n\n")[0].splitlines()
        meta = {
            key.strip().lower(): value.strip()
            for key, _, value in (line.partition(":") for line in front_matter)
        }
        if meta.get("status", "published") in ("draft", "hidden"):
            continue
        urls.add(f"/{meta['slug']}/")
    return urls


@pytest.fixture(scope="module")
def search_context(browser):
    """One browser context for the module's search tests: the search keeps nothing in
    the browser (no storage, no cookies), and a context's first page costs Chromium
    about 1.5 CPU-s (its new renderer keeps working for ~0.7 s after the load)."""
    context = browser.new_context(locale="it-IT")
    yield context
    context.close()


@pytest.fixture
def page(search_context):
    """A new tab of the module's context (what the reader sees does not depend on it)."""
    tab = search_context.new_page()
    yield tab
    tab.close()


def indexed_text(site: Path) -> dict[str, str]:
    """``{url: indexed content}`` read from Pagefind's fragments, every part included."""
    return {record["url"]: record["content"] for record in fragments(site)}


def type_query(page: Page, query: str) -> None:
    box = page.get_by_role("combobox", name=BOX)
    box.click()
    box.fill(query)
    expect(page.locator(".search-status")).to_contain_text(f"«{query}»")


@pytest.mark.slow
def test_index_holds_every_article_and_page_and_nothing_else(
    site: Path, built_project: Path
) -> None:
    pages = indexed_pages(site)
    assert set(pages) == published_urls(built_project)
    assert all(title.strip() for title in pages.values()), pages
    listings = ("/", "/archivio/", "/tag/delega/", "/categoria/delega/", "/pagina/2/", "/404.html")
    assert not set(listings) & set(pages)
    # Only the bundle the box uses is published, not Pagefind's ready-made UIs.
    bundle = {p.name for p in (site / BUNDLE).iterdir() if p.is_file()}
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.it.pagefind"} \
        <= bundle
    assert not {name for name in bundle if "-ui." in name}


@pytest.mark.slow
def test_index_is_italian_and_holds_only_body_text(site: Path) -> None:
    import json

    entry = json.loads((site / BUNDLE / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["it"]
    text = indexed_text(site)[ARTICLE]
    assert "Scrivimi!" not in text  # footer
    assert "Commenta l’articolo" not in text  # comments section
    assert "Cerca nel blog" not in text  # header


def test_index_site_skips_drafts_folder(tmp_path: Path) -> None:
    token = "Bozzettone7731"
    body = "<main data-pagefind-body><h1>{title}</h1><p>{text}</p></main>"
    for rel, title, text in (
        ("pubblicato/index.html", "Pubblicato", "Un testo sulla delega."),
        ("bozze/segreta/index.html", f"Bozza {token}", f"Testo riservato {token} sulla delega."),
    ):
        path = tmp_path / "site" / rel
        path.parent.mkdir(parents=True)
        html = body.format(title=title, text=text)
        path.write_text(f'<!doctype html><html lang="it"><body>{html}</body></html>', "utf-8")
    index_site(tmp_path / "site")
    assert set(indexed_pages(tmp_path / "site")) == {"/pubblicato/"}
    assert not list(tmp_path.glob(".site.pagefind-*")), "temporary mirror left behind"


@pytest.mark.slow
def test_a_draft_previewed_locally_is_never_indexed(tmp_path: Path) -> None:
    """Even when drafts are written for a local preview (invoke build --drafts)."""
    project = copy_project(tmp_path / "project")
    token = "Cavolfiore-riservato-5519"
    (project / "content" / "articles" / "bozza-ricerca.md").write_text(
        f"""Title: Bozza {token}
Date: 2026-11-20 10:00
Category: Delega
Tags: delega
Slug: bozza-ricerca
Summary: Una bozza sulla delega, {token}.
Status: draft

Questa bozza parla di delega e contiene la parola {token}.
""",
        encoding="utf-8",
    )
    result = invoke(project, "build", "--drafts")
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "output"
    drafts = [p for p in site.rglob("*.html") if token in p.read_text(encoding="utf-8")]
    assert drafts, "the preview build should write the draft (else this test proves nothing)"
    pages = indexed_pages(site)
    assert set(pages) == published_urls(project)
    assert not any(token.lower() in text.lower() for text in indexed_text(site).values())


@pytest.mark.browser
@pytest.mark.slow
def test_inflected_query_finds_the_other_form(page: Page, site: Path, site_url: str) -> None:
    # Pages that say "delega" (or "deleghe"…) but never "delegare": a plain word match
    # could not find them, Italian stemming must.
    only_other_forms = {
        url for url, text in indexed_text(site).items()
        if re.search(r"\bdeleg", text, re.I) and not re.search(r"\bdelegare\b", text, re.I)
    }
    assert only_other_forms, "the content no longer has a page without «delegare»"
    page.goto(site_url + "/")
    type_query(page, "delegare")
    expect(page.get_by_role("option").first).to_be_visible()
    urls = search_urls(page, "delegare")
    assert only_other_forms <= set(urls)
    expect(page.locator(".search-status")).to_contain_text(f"{len(urls)} risultati per «delegare»")

    # And in the list itself: "procedure" finds the page that only says "procedura".
    texts = indexed_text(site)
    family = {url for url, t in texts.items() if re.search(r"\bprocedur", t, re.I)}
    assert {url for url in family if not re.search(r"\bprocedure\b", texts[url], re.I)}
    type_query(page, "procedure")
    for url in family:
        title = indexed_pages(site)[url]
        expect(page.get_by_role("option", name=re.compile(re.escape(title)))).to_be_visible()


@pytest.mark.browser
@pytest.mark.slow
def test_nonsense_says_nessun_risultato(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLE)
    type_query(page, "xqzj")
    expect(page.locator(".search-status")).to_have_text(re.compile(r"^Nessun risultato per «xqzj»"))
    expect(page.get_by_role("option")).to_have_count(0)
    expect(page.get_by_role("combobox", name=BOX)).to_have_attribute("aria-expanded", "false")


@pytest.mark.browser
@pytest.mark.slow
def test_enter_opens_the_selected_result(page: Page, site_url: str) -> None:
    page.goto(site_url + "/chi-sono/")
    box = page.get_by_role("combobox", name=BOX)
    type_query(page, "solleciti")
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    target = second.get_attribute("href")
    title = second.locator(".search-result-title").inner_text()
    box.press("Enter")
    page.wait_for_url(site_url + target)
    expect(page.locator("h1")).to_have_text(title)


@pytest.mark.browser
@pytest.mark.slow
def test_enter_without_a_choice_selects_the_first_then_opens_it(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    box = page.get_by_role("combobox", name=BOX)
    box.fill("fatture")
    box.press("Enter")
    first = page.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    target = first.get_attribute("href")
    box.press("Enter")
    page.wait_for_url(site_url + target)


@pytest.mark.browser
@pytest.mark.slow
def test_enter_pressed_while_the_search_loads_is_not_lost(page: Page, site_url: str) -> None:
    held = []
    # search.<hash>.js: the name carries its content hash (plugins/asset_hash)
    page.route("**/js/search.*js", lambda route: held.append(route))  # hold it until Invio
    page.goto(site_url + "/")
    box = page.get_by_role("combobox", name=BOX)
    with page.expect_request("**/js/search.*js"):
        box.fill("fatture")
    box.press("Enter")
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()
    first = page.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")


@pytest.mark.browser
@pytest.mark.slow
def test_every_visible_label_is_italian(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLE)
    box = page.get_by_role("combobox", name=BOX)
    expect(box).to_have_attribute("type", "search")
    expect(box).to_have_attribute("placeholder", "Cerca nel blog")
    type_query(page, "delega")
    expect(page.get_by_role("listbox", name="Risultati della ricerca")).to_be_visible()
    labels = page.locator(".site-search").evaluate(
        """(form) => [form.innerText, ...Array.from(form.querySelectorAll("*"), (el) =>
            ["aria-label", "placeholder", "title", "value"]
                .map((a) => el.getAttribute(a) || "").join(" "))
        ].join(" ")"""
    )
    assert not ENGLISH.search(labels), ENGLISH.search(labels)


@pytest.mark.browser
@pytest.mark.slow
def test_without_javascript_the_box_gives_way_to_the_archive(browser, site_url: str) -> None:
    context = browser.new_context(locale="it-IT", java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    link = page.get_by_role("link", name="Cerca nell’archivio")
    expect(link).to_be_visible()
    assert link.get_attribute("href").rstrip("/").endswith("archivio")
    expect(page.get_by_role("combobox")).to_have_count(0)
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_search_loads_only_when_the_reader_types(
    fresh_page: Page, site: Path, site_url: str
) -> None:
    page = fresh_page  # what a first visit loads: an empty cache
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site_url + ARTICLE)
    page.wait_for_load_state("networkidle")
    eager = [u for u in requests if u.startswith(site_url) and "/isso/" not in u]
    assert not [u for u in eager if "/pagefind/" in u or "/js/search." in u], eager

    # The article's eager weight: HTML + CSS + JS it loads before any interaction.
    weight = 0
    for url in eager:
        path = url[len(site_url):].split("?")[0]
        file = site / path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.suffix in (".html", ".css", ".js"):
            weight += len(brotli.compress(file.read_bytes()))
    assert weight <= EAGER_BUDGET, f"{weight} bytes brotli: {eager}"

    type_query(page, "delega")
    assert any(u.endswith("/pagefind/pagefind.js") for u in requests)
    assert any("/pagefind/wasm.it.pagefind" in u for u in requests)


@pytest.mark.browser
@pytest.mark.slow
def test_a_typed_payload_stays_text(page: Page, site_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + ARTICLE)
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    type_query(page, payload)
    status = page.locator(".search-status")
    expect(status).to_contain_text(payload)
    assert page.locator(".site-search img, .site-search script").count() == 0
    page.wait_for_load_state("networkidle")
    assert dialogs == []


@pytest.mark.browser
@pytest.mark.slow
def test_every_result_is_reachable_with_mostra_altri(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLE)
    everything = search_urls(page, "delega")
    assert len(everything) > 8  # more than one page of results
    type_query(page, "delega")
    options = page.get_by_role("option")
    expect(options).to_have_count(8)
    status = page.locator(".search-status")
    expect(status).to_contain_text(f"{len(everything)} risultati")
    more = page.get_by_role("button", name=re.compile(r"^Mostra (altri \d+ risultati|l’ultimo)"))
    for shown in range(8, len(everything), 8):
        expect(options).to_have_count(shown)
        more.click()
    expect(options).to_have_count(len(everything))
    expect(more).to_be_hidden()
    shown = options.evaluate_all("els => els.map(e => new URL(e.href).pathname)")
    assert shown == everything
    # ↓ from the last option of a page also brings the next ones.
    page.goto(site_url + ARTICLE)
    type_query(page, "delega")
    box = page.get_by_role("combobox", name=BOX)
    for _ in range(9):
        box.press("ArrowDown")
    expect(options).to_have_count(min(16, len(everything)))
    assert box.get_attribute("aria-activedescendant") == "cerca-risultato-8"


@pytest.mark.browser
@pytest.mark.slow
def test_excerpts_do_not_repeat_the_title(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLE)
    type_query(page, "delega")
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    for i in range(results.count()):
        title = results.nth(i).locator(".search-result-title").inner_text()
        excerpt = results.nth(i).locator(".search-result-excerpt").inner_text()
        assert title not in excerpt, (title, excerpt)
        assert not title.startswith(excerpt[:25]), (title, excerpt)


@pytest.mark.browser
@pytest.mark.slow
def test_key_hints_only_for_keyboards(browser, site_url: str) -> None:
    for touch, shown in ((False, True), (True, False)):
        context = browser.new_context(locale="it-IT", has_touch=touch, is_mobile=touch,
                                      viewport={"width": 1280 if not touch else 800,
                                                "height": 800})
        page = context.new_page()
        page.goto(site_url + ARTICLE)
        if touch and page.locator(".search-fallback").is_visible():
            page.locator(".search-fallback").click()
        type_query(page, "delega")
        hints = page.locator(".search-keys")
        assert hints.count() == 1
        assert hints.is_visible() == shown, touch
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_seed_article_weighs_at_most_12_kib_with_what_loads_on_scroll(
    fresh_page: Page, site: Path, site_url: str
) -> None:
    page = fresh_page  # what a first visit loads: an empty cache
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site_url + ARTICLE)
    # Scrolling to the end loads the comments' script (an IntersectionObserver): wait for
    # that request itself, not a fixed time (a loaded machine took longer than 300 ms).
    with page.expect_request(lambda r: "/theme/js/comments." in r.url):
        page.keyboard.press("End")
    page.wait_for_load_state("networkidle")
    weight, counted = 0, []
    for url in dict.fromkeys(requests):
        if not url.startswith(site_url) or "/isso/" in url:
            continue
        file = site / url[len(site_url):].split("?")[0].split("#")[0].lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.suffix in (".html", ".css", ".js"):
            weight += len(brotli.compress(file.read_bytes(), quality=11))
            counted.append(file.name)
    assert any(name.startswith("comments.") for name in counted), counted  # scroll loaded it
    assert weight <= SEED_BUDGET, f"{weight} bytes brotli: {counted}"


@pytest.fixture(scope="module")
def parted_site(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built site indexed in parts of three pages: a big blog's layout, in small."""
    import shutil

    from tests.browser_support import serve_directory

    copy = tmp_path_factory.mktemp("parti") / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(BUNDLE), symlinks=True)
    index_site(copy, shard_pages=3)
    with serve_directory(copy) as url:
        yield copy, url


@pytest.mark.browser
@pytest.mark.slow
def test_an_index_in_parts_finds_what_one_index_finds(
    page: Page, site: Path, site_url: str, parted_site: tuple[Path, str]
) -> None:
    copy, url = parted_site
    assert len(part_folders(copy)) >= 3
    assert indexed_pages(copy) == indexed_pages(site)
    texts = indexed_text(site)
    for query in ("delega", "procedure", "assistente"):
        page.goto(site_url + ARTICLE)
        whole = search_urls(page, query)
        page.goto(url + ARTICLE)
        parted = search_urls(page, query)
        # Every page that has the word is found, and whatever one index finds. (One index
        # can find less: Pagefind 1.5's single index missed a page saying «assistente».)
        having = {u for u, text in texts.items() if re.search(rf"\b{query}\b", text, re.I)}
        assert len(having) > 1 and having <= set(parted), (query, having, parted)
        assert set(whole) <= set(parted) and len(parted) == len(set(parted)), (whole, parted)
        # The box itself reads every part.
        type_query(page, query)
        expect(page.locator(".search-status")).to_contain_text(
            f"{len(parted)} risultati per «{query}»")


@pytest.mark.browser
@pytest.mark.slow
def test_an_elided_word_is_found_and_shown_with_its_apostrophe(
    page: Page, site: Path, site_url: str
) -> None:
    """«assistente» finds the pages that only say «un’assistente» or «l’assistente», and
    the results show the page's own ’ (the index reads a plain ' in elisions)."""
    elided = {url for url, text in indexed_text(site).items()
              if re.search(r"\w’assistente\b", text, re.I)
              and not re.search(r"(?<![\w’])assistente\b", text, re.I)}
    assert elided, "no page says «assistente» only after an elision any more"
    page.goto(site_url + ARTICLE)
    assert elided <= set(search_urls(page, "assistente"))
    type_query(page, "assistente")
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    texts = options.all_inner_texts()
    assert any("’assistente" in t.lower() for t in texts), texts
    assert not [t for t in texts if re.search(r"\w'\w", t)], texts
