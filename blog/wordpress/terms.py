"""Categories, tags and authors: WordPress's terms as Pelican's, and their old archives.

An article takes its first category as Pelican's category and the others as tags;
WordPress's «Uncategorized» becomes ``DEFAULT_CATEGORY``. A term's or author's old
archive (``/category/x/``, ``/tag/x/``, ``/author/x/``) points at its new page, or at the
list of all categories or tags when its articles are no longer public.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blog.wordpress import body as body_mod
from blog.wordpress.plans import Plan
from blog.wordpress.redirects import Redirects
from blog.wordpress.wxr import Export, Item

UNCATEGORIZED = {"uncategorized", "senza-categoria", "non-categorizzato"}


@dataclass
class Terms:
    """The terms of the imported items, by WordPress nicename."""

    settings: dict
    categories: dict[str, str] = field(default_factory=dict)  # nicename → name
    tags: dict[str, str] = field(default_factory=dict)
    public_categories: set[str] = field(default_factory=set)  # of public articles
    public_tags: set[str] = field(default_factory=set)
    wp_public: set[tuple[str, str]] = field(default_factory=set)  # had a page on WordPress

    @property
    def default_category(self) -> str:
        return str(self.settings.get("DEFAULT_CATEGORY", "Senza categoria"))

    @classmethod
    def collect(cls, plans: list[Plan], settings: dict) -> Terms:
        """Every category and tag of ``plans``, and which of them stay public."""
        terms = cls(settings)
        for plan in plans:
            if plan.item.status == "publish":
                terms.wp_public.update(("category", t.nicename) for t in plan.item.categories)
                terms.wp_public.update(("tag", t.nicename) for t in plan.item.tags)
            for term in plan.item.categories:
                terms.categories[term.nicename] = (
                    terms.default_category
                    if term.nicename in UNCATEGORIZED else body_mod.plain_text(term.name))
                if plan.public and plan.kind == "article":
                    terms.public_categories.add(term.nicename)
            for term in plan.item.tags:
                terms.tags[term.nicename] = body_mod.plain_text(term.name)
                if plan.public and plan.kind == "article":
                    terms.public_tags.add(term.nicename)
        return terms

    def category_of(self, item: Item) -> tuple[str, list[str]]:
        """The article's category, and its other categories (they become tags)."""
        names = [body_mod.plain_text(t.name) for t in item.categories
                 if t.nicename not in UNCATEGORIZED]
        if not names:
            return self.default_category, []
        return names[0], names[1:]

    def link(self, kind: str, nicename: str) -> str | None:
        """``{category}slug`` or ``{tag}slug`` for a public term's old archive, else None."""
        # Pelican slugifies the name after {category}/{tag}: the slug is its own slug.
        if kind == "category" and nicename in self.public_categories:
            return "{category}" + self._slug_of(self.categories[nicename])
        if kind == "tag" and nicename in self.public_tags:
            return "{tag}" + self._slug_of(self.tags[nicename])
        return None

    def _slug_of(self, name: str) -> str:
        from pelican.settings import DEFAULT_CONFIG
        from pelican.urlwrappers import Category

        return Category(name, DEFAULT_CONFIG | self.settings).slug

    def add_redirects(self, redirects: Redirects) -> None:
        """Old category and tag archives → their new pages (or the lists of all)."""
        from pelican.settings import DEFAULT_CONFIG
        from pelican.urlwrappers import Category, Tag

        settings = DEFAULT_CONFIG | self.settings
        # Only terms WordPress showed (a term of drafts only had no page, and its name
        # may be private).
        for nicename, name in self.categories.items():
            if ("category", nicename) not in self.wp_public:
                continue
            if nicename in self.public_categories:
                new = "/" + Category(name, settings).url
            else:
                new = "/" + str(self.settings.get("CATEGORIES_URL", ""))
            redirects.add_path(f"/category/{nicename}/", new)
        for nicename, name in self.tags.items():
            if ("tag", nicename) not in self.wp_public:
                continue
            new = ("/" + Tag(name, settings).url if nicename in self.public_tags
                   else "/" + str(self.settings.get("TAGS_URL", "")))
            redirects.add_path(f"/tag/{nicename}/", new)


def author_name(export: Export, item: Item) -> str:
    """The item's author as the export names them (the login when it has no name)."""
    return export.authors.get(item.author, item.author)


def add_author_redirects(export: Export, plans: list[Plan], settings: dict,
                         redirects: Redirects) -> None:
    """Author archives (``/author/giulia/``) of authors with published articles."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Author

    settings = DEFAULT_CONFIG | settings
    for login, name in export.authors.items():
        if login and any(p.public and p.kind == "article" and not p.kept
                         and p.item.author == login for p in plans):
            redirects.add_path(f"/author/{login}/",
                               "/" + Author(" ".join(name.split()), settings).url)
