"""Keep drafts out of every public output, including taxonomy pages.

pelican-related-posts looks up ``generator.tags[tag]`` for drafts too; ``tags`` is a
``defaultdict``, so a tag used only by a draft gets an empty entry and Pelican then
writes ``tag/<draft-tag>/`` and lists it in the sitemap. Once every generator has
finished, we drop tags that hold no published article.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import ArticlesGenerator


def prune_empty_taxonomies(generators) -> None:
    for generator in generators:
        if not isinstance(generator, ArticlesGenerator):
            continue
        for tag in [tag for tag, articles in generator.tags.items() if not articles]:
            del generator.tags[tag]


def register() -> None:
    signals.all_generators_finalized.connect(prune_empty_taxonomies)
