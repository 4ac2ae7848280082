"""Hidden and draft posts (articles and pages) never reach listings, series, feeds, the
sitemap, the search index or social cards; a hidden post still works at its own address.

One project copy gets a hidden article, a hidden page, a draft article and a draft page,
each with a unique word, the articles in the public series «L’Arte della Delega». It is
built twice, shared by every test of the module: the production build (`invoke preview`,
publishconf.py) and a local build with drafts previewed under /bozze/
(`invoke build --drafts`, as `invoke livereload --drafts` does).
"""

from __future__ import annotations

import gzip
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from blog.build.search_read import fragments
from tests import browser_support
from tests.sitecopy import copy_project, invoke

pytestmark = pytest.mark.slow

PUBLIC_ARTICLE = "sei-pronto-assistente-virtuale"
PUBLIC_PAGE = "privacy"
SERIES_PART = "arte-della-delega-elena-architetta"


@dataclass(frozen=True)
class Private:
    kind: str  # "article" or "page"
    status: str  # "hidden" or "draft"
    word: str  # unique word in title, slug, tag, summary and body

    @property
    def slug(self) -> str:
        return f"{self.status}-{self.kind}-{self.word.lower()}"

    @property
    def title(self) -> str:
        return f"Titolo {self.word}"

    def source(self) -> str:
        meta = [f"Title: {self.title}", f"Slug: {self.slug}", f"Summary: Riassunto {self.word}.",
                f"Status: {self.status}"]
        if self.kind == "article":
            meta += ["Date: 2026-10-20 10:00", f"Category: Categoria {self.word}",
                     f"Tags: delega, tag{self.word.lower()}",
                     "Series: L’Arte della Delega", "Series_index: 9"]
        return "\n".join(meta) + f"\n\nCorpo del testo con la parola {self.word}.\n"


PRIVATE = (
    Private("article", "hidden", "Quokkanascosto"),
    Private("page", "hidden", "Ornitorinconascosto"),
    Private("article", "draft", "Vombatobozza"),
    Private("page", "draft", "Echidnabozza"),
)
HIDDEN = [p for p in PRIVATE if p.status == "hidden"]
DRAFTS = [p for p in PRIVATE if p.status == "draft"]
BUILDS = {
    "produzione": ("preview",),
    "bozze-in-anteprima": ("build", "--drafts"),
}


@pytest.fixture(scope="module")
def private_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("private") / "project")
    for item in PRIVATE:
        folder = "articles" if item.kind == "article" else "pages"
        (project / "content" / folder / f"{item.slug}.md").write_text(item.source(),
                                                                      encoding="utf-8")
    return project


@pytest.fixture(scope="module", params=sorted(BUILDS))
def built(request: pytest.FixtureRequest, private_project: Path) -> tuple[str, Path]:
    """``(build name, output folder)``; the two builds run one after the other."""
    result = invoke(private_project, *BUILDS[request.param])
    assert result.returncode == 0, result.stdout + result.stderr
    copy = private_project / f"output-{request.param}"
    shutil.copytree((private_project / "output").resolve(), copy)
    return request.param, copy


def public_files(site: Path, own: Private | None = None) -> list[Path]:
    """Every file a visitor can reach by following links: not /bozze/, not ``own``'s page."""
    files = []
    for path in site.rglob("*"):
        rel = path.relative_to(site)
        if not path.is_file() or rel.parts[0] == "bozze":
            continue
        if own is not None and rel.parts[0] == own.slug:
            continue
        files.append(path)
    return files


def mentions(path: Path, item: Private) -> bool:
    data = path.read_bytes()
    return item.word.lower().encode() in data.lower() or item.word.lower() in str(path).lower()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_private_posts_appear_on_no_other_page(built: tuple[str, Path]) -> None:
    """Home, archive, categories, tags, author, series boxes, related posts, neighbours."""
    _, site = built
    pages = [p for p in public_files(site) if p.suffix == ".html"]
    assert len(pages) > 30
    for item in PRIVATE:
        leaks = [p.relative_to(site).as_posix() for p in pages
                 if p.relative_to(site).parts[0] != item.slug and mentions(p, item)]
        assert leaks == [], f"{item.kind} {item.status} {item.word} in {leaks}"
    archive = read(site / "archivio" / "index.html")
    assert "Sei veramente pronto" in archive  # the check can fail: titles are there


def test_series_box_lists_published_parts_only(built: tuple[str, Path]) -> None:
    _, site = built
    part = read(site / SERIES_PART / "index.html")
    assert "Parte 3 di 3" in part
    hidden = read(site / HIDDEN[0].slug / "index.html")
    # The hidden part sees the published parts and itself, never the draft.
    assert "Parte 4 di 4" in hidden
    assert DRAFTS[0].word not in hidden


def test_feeds_hold_no_private_post(built: tuple[str, Path]) -> None:
    _, site = built
    feeds = sorted((site / "feeds").glob("*.xml"))
    assert feeds
    for feed in feeds:
        text = read(feed)
        assert "sei-pronto-assistente-virtuale" in text or "categoria" in feed.name
        for item in PRIVATE:
            assert item.word.lower() not in text.lower(), (feed.name, item)


def test_sitemap_holds_no_private_post(built: tuple[str, Path]) -> None:
    _, site = built
    sitemap = read(site / "sitemap.xml")
    assert f"/{PUBLIC_ARTICLE}/" in sitemap and f"/{PUBLIC_PAGE}/" in sitemap
    for item in PRIVATE:
        assert item.slug not in sitemap and item.word not in sitemap, item


def indexed(site: Path) -> dict[str, str]:
    """``{url: indexed text}`` from Pagefind's fragments (one per indexed page)."""
    return {record["url"]: record["meta"].get("title", "") + " " + record["content"]
            for record in fragments(site)}


def test_search_index_holds_no_private_post(built: tuple[str, Path]) -> None:
    _, site = built
    texts = indexed(site)
    assert f"/{PUBLIC_ARTICLE}/" in texts and f"/{PUBLIC_PAGE}/" in texts
    for item in PRIVATE:
        assert not [url for url in texts if item.slug in url], item
        assert not [url for url, text in texts.items() if item.word in text], item
    # Every word of the index lives in its word chunks; a private word is in none.
    for chunk in (site / "pagefind").rglob("*.pf_index"):
        data = gzip.decompress(chunk.read_bytes())
        for item in PRIVATE:
            assert item.word.lower().encode() not in data.lower(), (chunk.name, item)


@pytest.mark.browser
def test_site_search_in_chromium_finds_no_private_post(built, page) -> None:
    """The real search box's Pagefind, queried in Chromium, as a reader would."""
    from tests.browser_support import serve_directory

    _, site = built
    with serve_directory(site) as url:
        page.goto(f"{url}/{PUBLIC_ARTICLE}/")
        assert search_urls(page, "delegare")
        for item in PRIVATE:
            # Pagefind may answer with near matches; never with the private post.
            found = search_urls(page, item.word) + search_urls(page, item.title)
            assert not [u for u in found if item.slug in u], (item, found)


def search_urls(page, query: str) -> list[str]:
    # The bundle the box uses; root-relative, as production pages name the real domain.
    return browser_support.search_urls(page, query, "/pagefind/")


def test_no_social_card_for_a_private_post(built: tuple[str, Path]) -> None:
    _, site = built
    cards = sorted(p.name for p in (site / "og").glob("*.png"))
    assert f"{PUBLIC_ARTICLE}.png" in cards
    for item in PRIVATE:
        assert not [c for c in cards if item.word.lower() in c], item
    hidden = read(site / HIDDEN[0].slug / "index.html")
    card = re.search(r'<meta property="og:image" content="[^"]*/(og/[^"]+)"', hidden)
    assert card and card[1] == "og/sito.png" and (site / card[1]).is_file()


def test_hidden_posts_work_at_their_own_address_only(built: tuple[str, Path]) -> None:
    _, site = built
    for item in HIDDEN:
        html = read(site / item.slug / "index.html")
        assert re.search(rf"<h1[^>]*>{item.title}</h1>", html), item
        assert f"la parola {item.word}" in html
        assert '<meta name="robots" content="noindex">' in html
        assert "data-pagefind-body" not in html
    public = read(site / PUBLIC_ARTICLE / "index.html")
    assert "noindex" not in public and "data-pagefind-body" in public


def test_drafts_are_written_only_as_a_local_preview(built: tuple[str, Path]) -> None:
    name, site = built
    for item in DRAFTS:
        anywhere = [p.relative_to(site).as_posix() for p in site.rglob("*")
                    if p.is_file() and mentions(p, item)]
        if name == "produzione":
            assert anywhere == [], item
        else:
            assert anywhere and all(p.startswith("bozze/") for p in anywhere), anywhere
            html = read(next(site.joinpath("bozze").rglob(f"{item.slug}/index.html")))
            assert '<meta name="robots" content="noindex">' in html


def test_hidden_posts_link_no_page_that_does_not_exist(built: tuple[str, Path]) -> None:
    """Their own category and tag have no page (listing them would reveal the post):
    shown as text, not as dead links that would stop `invoke check` and the publish."""
    from blog.checks.links import check_links
    from blog.checks.site import SiteIndex

    _, site = built
    site = site.resolve()
    siteurls = ["http://127.0.0.1:8000", "https://www.giulia-assistente.example"]
    problems = [p for p in check_links(site, SiteIndex(site), siteurls)
                if any(p.page.startswith(f"{item.slug}/") for item in HIDDEN)]
    assert problems == []
    html = read(site / HIDDEN[0].slug / "index.html")
    assert f"Categoria {HIDDEN[0].word}" in html and f"tag{HIDDEN[0].word.lower()}" in html
