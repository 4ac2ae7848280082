"""Keep drafts and hidden posts out of every public output, including taxonomies and series.

- pelican-related-posts looks up ``generator.tags[tag]`` for drafts too; ``tags`` is a
  ``defaultdict``, so a tag used only by a draft gets an empty entry and Pelican then
  writes ``tag/<draft-tag>/`` and lists it in the sitemap. Once every generator has
  finished, we drop tags that hold no published article.
- pelican-series builds each series from published, hidden *and* draft articles, so a
  draft's title (and a link to it) showed in the series box of every published part.
  We rebuild each series from published articles only; a hidden article, readable at
  its own address, sees the published parts plus itself.

Feeds, listings, the sitemap and social cards already use published content only
(``generator.articles``/``pages``, status ``published``); the templates leave
``data-pagefind-body`` off anything not published, so the search index skips it.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import ArticlesGenerator


def prune_empty_taxonomies(generator: ArticlesGenerator) -> None:
    for tag in [tag for tag, articles in generator.tags.items() if not articles]:
        del generator.tags[tag]


def _number(parts: list, name: str) -> None:
    """Give every part the ``series`` dict pelican-series would, for this ordering."""
    for index, part in enumerate(parts):
        part.series = {
            "name": name,
            "index": index + 1,
            "all": parts,
            "all_previous": parts[:index],
            "all_next": parts[index + 1:],
            "previous": parts[index - 1] if index > 0 else None,
            "next": parts[index + 1] if index + 1 < len(parts) else None,
            "lang": "en",
        }


def public_series(generator: ArticlesGenerator) -> None:
    """Remove hidden and draft articles from the series every published part shows."""
    public = {id(a) for a in [*generator.articles, *generator.translations]}
    everything = [
        *generator.articles, *generator.translations,
        *getattr(generator, "hidden_articles", []), *getattr(generator, "hidden_translations", []),
        *getattr(generator, "drafts", []), *getattr(generator, "drafts_translations", []),
    ]
    orderings: dict[int, tuple[str, list]] = {}
    for article in everything:
        series = getattr(article, "series", None)
        if isinstance(series, dict) and isinstance(series.get("all"), list):
            orderings[id(series["all"])] = (series["name"], series["all"])
    for name, parts in orderings.values():
        if all(id(part) in public for part in parts):
            continue
        original = list(parts)
        for private in (p for p in original if id(p) not in public):
            _number([p for p in original if id(p) in public or p is private], name)
        # In place: pelican-series' context (``article_series``) holds this very list.
        parts[:] = [p for p in original if id(p) in public]
        _number(parts, name)


def guard(generators) -> None:
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            prune_empty_taxonomies(generator)
            public_series(generator)


def register() -> None:
    signals.all_generators_finalized.connect(guard)
