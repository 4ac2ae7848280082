"""The render memo's signatures (plugins/render_memo/signature.py): what changes a page's
key and what does not, on real Pelican articles, categories and paginators."""

from __future__ import annotations

import datetime as dt
import sys
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pelican.contents import Article
from pelican.paginator import Paginator
from pelican.settings import read_settings
from pelican.urlwrappers import Category, Tag

from tests.sitecopy import ROOT

if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from render_memo.signature import MAX_DEPTH, Signer, Unsignable

SETTINGS = read_settings(None, override={
    "SITEURL": "https://www.esempio.test", "TIMEZONE": "Europe/Rome", "DEFAULT_PAGINATION": 2,
})
OTHER_URLS = read_settings(None, override={
    "SITEURL": "https://www.esempio.test", "TIMEZONE": "Europe/Rome",
    "ARTICLE_URL": "blog/{slug}/",  # the address only: the file is still where it was
})
BODY = "<p>Delegare è un’abilità: si impara.</p>"


def article(body: str = BODY, settings: dict[str, Any] = SETTINGS,
            source: str = "/sito/content/articles/delegare.md", **metadata: Any) -> Article:
    """A new Article, as Pelican's reader would make one (a fresh object every call)."""
    metadata = {
        "title": "Delegare senza paura",
        "date": dt.datetime(2026, 3, 2, 9, 30),
        "category": Category("delega", settings),
        "tags": [Tag("tempo", settings)],
        **metadata,
    }
    context = {"localsiteurl": "", "generated_content": {}, "static_content": {},
               "static_links": set()}
    return Article(body, metadata=metadata, settings=settings, source_path=source,
                   context=context)


def test_equal_values_in_different_objects_sign_equal() -> None:
    first, second = article(), article()
    assert first is not second
    assert Signer().sign(first) == Signer().sign(second)
    signer = Signer()
    assert signer.sign(first) == signer.sign(second)
    assert signer.core(first) == signer.core(second)
    assert signer.sign({"a": [1, "due", None]}) == Signer().sign({"a": [1, "due", None]})
    assert (signer.sign(SimpleNamespace(n=1, settings=SETTINGS))
            == signer.sign(SimpleNamespace(n=1, settings={})))  # settings: the inputs digest


def _with_status(status: str) -> Article:
    post = article()
    post.status = status
    return post


CHANGED = {
    "title": lambda: article(title="Delegare con fiducia"),
    "other metadata": lambda: article(summary="Un riassunto scritto a mano"),
    "raw content": lambda: article(body="<p>Delegare è un’abilità.</p>"),
    "url": lambda: article(settings=OTHER_URLS),
    "status": lambda: _with_status("hidden"),
    "source file": lambda: article(source="/sito/content/articles/altro.md"),
}


@pytest.mark.parametrize("change", CHANGED)
def test_what_a_post_is_changes_its_core_and_its_signature(change: str) -> None:
    signer = Signer()
    before, after = article(), CHANGED[change]()
    assert signer.core(before) != signer.core(after)
    assert signer.sign(before) != signer.sign(after)


def test_what_a_plugin_attached_changes_the_signature_not_the_core() -> None:
    signer = Signer()
    before, after = article(), article()
    before.reading_time, after.reading_time = 3, 4
    assert signer.core(before) == signer.core(after)
    assert signer.sign(before) != signer.sign(after)


def _with_related(related: Article) -> Article:
    post = article(source="/sito/content/articles/principale.md", title="Principale")
    post.related_posts = [related]
    return post


def test_a_related_post_counts_by_its_core_only() -> None:
    signer = Signer()
    plain = signer.sign(_with_related(article()))
    # What the related post is by itself: its title, address and HTML (its summary, that
    # a template may show, comes from the HTML) change the post that links it...
    assert signer.sign(_with_related(article(title="Un altro titolo"))) != plain
    assert signer.sign(_with_related(article(body="<p>Un altro testo.</p>"))) != plain
    # ...what plugins attached to it (its own related posts, reading time) does not.
    related = article()
    related.related_posts = [article(source="/sito/content/articles/terzo.md")]
    related.reading_time = 12
    assert signer.sign(_with_related(related)) == plain


def test_two_posts_related_to_each_other_sign_without_recursion() -> None:
    first = article(source="/sito/content/articles/uno.md")
    second = article(source="/sito/content/articles/due.md")
    first.related_posts, second.related_posts = [second], [first]
    signer = Signer()
    assert signer.sign(first) != signer.sign(second)


def _categories(*posts: Article, name: str = "delega") -> list:
    return [(Category(name, SETTINGS), list(posts))]


def test_membership_is_which_posts_in_which_order_not_their_text() -> None:
    one = lambda **kw: article(source="/sito/content/articles/uno.md", **kw)  # noqa: E731
    two = lambda **kw: article(source="/sito/content/articles/due.md", **kw)  # noqa: E731
    signer = Signer()
    held = signer.membership(_categories(one(), two()))
    assert signer.membership(_categories(one(title="Nuovo titolo", body="<p>Altro.</p>"),
                                         two())) == held
    assert signer.membership(_categories(two(), one())) != held  # order
    assert signer.membership(_categories(one())) != held  # a post fewer
    hidden = one()
    hidden.status = "hidden"
    assert signer.membership(_categories(hidden, two())) != held  # status
    assert signer.membership(_categories(one(), two(), name="tempo")) != held  # the term


def _paginator(*posts: Article, per_page: int = 2) -> Paginator:
    return Paginator("index.html", "index.html", list(posts), SETTINGS, per_page=per_page)


def test_a_paginator_signs_by_the_posts_it_holds_in_order() -> None:
    one = lambda **kw: article(source="/sito/content/articles/uno.md", **kw)  # noqa: E731
    two = lambda **kw: article(source="/sito/content/articles/due.md", **kw)  # noqa: E731
    signer = Signer()
    held = signer.sign(_paginator(one(), two()))
    assert signer.sign(_paginator(one(title="Nuovo titolo"), two())) == held
    assert signer.sign(_paginator(two(), one())) != held
    assert signer.sign(_paginator(one(), two(), per_page=1)) != held


def test_a_listing_page_counts_by_its_number_and_its_posts() -> None:
    one = lambda **kw: article(source="/sito/content/articles/uno.md", **kw)  # noqa: E731
    two = lambda **kw: article(source="/sito/content/articles/due.md", **kw)  # noqa: E731
    three = article(source="/sito/content/articles/tre.md")
    signer = Signer()
    first = signer.membership(_paginator(one(), two(), three, per_page=2).page(1))
    assert signer.membership(_paginator(one(title="Altro"), two(), three).page(1)) == first
    assert signer.membership(_paginator(two(), one(), three).page(1)) != first
    assert signer.membership(_paginator(one(), two(), three).page(2)) != first


def test_plain_values() -> None:
    sign = Signer().sign
    assert sign({"a": 1, "b": 2}) != sign({"b": 2, "a": 1})  # a template sees the order
    assert sign([1, 2]) != sign([2, 1])
    assert list({1, 9}) != list({9, 1})  # 9 collides with 1: iteration follows insertion
    assert sign({1, 9}) == sign({9, 1}) == sign(frozenset((9, 1)))
    assert len({sign(value) for value in (1, "1", 1.0, True, None, "None")}) == 6
    assert sign(dt.date(2026, 3, 2)) != sign(dt.datetime(2026, 3, 2))
    rome, utc = ZoneInfo("Europe/Rome"), ZoneInfo("UTC")
    assert sign(dt.datetime(2026, 3, 2, 9, tzinfo=rome)) == sign(
        dt.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Rome")))
    assert sign(dt.datetime(2026, 3, 2, 9, tzinfo=rome)) != sign(
        dt.datetime(2026, 3, 2, 9, tzinfo=utc))
    assert sign(dt.datetime(2026, 3, 2, 9, tzinfo=rome)) != sign(
        dt.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Paris")))  # same offset, zone
    assert sign(rome) != sign(utc)
    assert sign(SimpleNamespace(n=1)) != sign(SimpleNamespace(n=2))


def test_a_value_too_deep_or_opaque_is_unsignable() -> None:
    deep: list = []
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(Unsignable):
        Signer().sign(deep)
    with pytest.raises(Unsignable):
        Signer().membership(deep)
    loop: list = []
    loop.append(loop)
    with pytest.raises(Unsignable):
        Signer().sign(loop)
    with pytest.raises(Unsignable):
        Signer().sign(object())  # no attributes to describe it by


def test_the_identity_memo_never_answers_for_an_object_that_replaced_another() -> None:
    signer = Signer()
    # Each post is dropped once signed: a memo keyed on id() alone would meet the next
    # post at the same address and answer with the previous one's signature.
    signatures = [signer.sign(article(title=f"Titolo {n}")) for n in range(20)]
    cores = [signer.core(article(title=f"Titolo {n}")) for n in range(20)]
    held = [signer.membership([article(source=f"/sito/{n}.md")]) for n in range(20)]
    objects = [signer.sign(SimpleNamespace(n=n)) for n in range(20)]
    assert all(len(set(found)) == 20 for found in (signatures, cores, held, objects))
