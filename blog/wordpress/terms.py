"""Categories, tags and authors: WordPress's terms as Pelican's, and their old archives.

An article has one category here: it takes its first WordPress category, and its other
categories become tags; WordPress's «Uncategorized» becomes ``DEFAULT_CATEGORY``. A
name Pelican cannot make an address of (only symbols or emoji) is dropped, a comma or
semicolon inside a tag's name (Pelican splits tags on them) becomes a space, and the
summary says so.

An old archive (``/category/x/``, ``/tag/x/``, ``/author/x/``) points at the page the
term became: a category turned into a tag at that tag's page. When the build does not
make that page (no public article keeps the term, or the settings build no such
pages) it points at the list of all categories or tags, else the archive, else the
home page: only at pages of :class:`~blog.wordpress.site.Site`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blog.wordpress import body as body_mod
from blog.wordpress.plans import Plan
from blog.wordpress.redirects import Redirects, rules
from blog.wordpress.site import Site
from blog.wordpress.summary import Report
from blog.wordpress.wxr import Export, Item

UNCATEGORIZED = {"uncategorized", "senza-categoria", "non-categorizzato"}


def _pelican(settings: dict) -> dict:
    from pelican.settings import DEFAULT_CONFIG

    return DEFAULT_CONFIG | settings


def term_slug(kind: str, name: str, settings: dict) -> str:
    """The slug Pelican's ``Category``/``Tag`` gives ``name`` (its own rule, without the
    warning it logs for an empty one)."""
    from pelican.utils import slugify

    s = _pelican(settings)
    subs = s.get(f"{kind.upper()}_REGEX_SUBSTITUTIONS", s.get("SLUG_REGEX_SUBSTITUTIONS", []))
    return slugify(name, regex_subs=subs, preserve_case=s.get("SLUGIFY_PRESERVE_CASE", False),
                   use_unicode=s.get("SLUGIFY_USE_UNICODE", False))


@dataclass
class Terms:
    """The terms of the imported items, by WordPress nicename."""

    settings: dict
    report: Report = field(default_factory=Report)
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, nicename) → name
    became: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # (kind, nicename) → ("category" | "tag", name) for terms of public articles
    wp_public: set[tuple[str, str]] = field(default_factory=set)  # had a page on WordPress

    @property
    def default_category(self) -> str:
        return str(self.settings.get("DEFAULT_CATEGORY", "Senza categoria"))

    @classmethod
    def collect(cls, plans: list[Plan], settings: dict, report: Report) -> Terms:
        """Every category and tag of ``plans``, and what each became."""
        terms = cls(settings, report)
        for plan in plans:
            item = plan.item
            if item.status == "publish":
                terms.wp_public.update(("category", t.nicename) for t in item.categories)
                terms.wp_public.update(("tag", t.nicename) for t in item.tags)
            for term in item.categories:
                terms.names[("category", term.nicename)] = (
                    terms.default_category if term.nicename in UNCATEGORIZED
                    else body_mod.plain_text(term.name))
            for term in item.tags:
                terms.names[("tag", term.nicename)] = body_mod.plain_text(term.name)
            if not (plan.public and plan.kind == "article"):
                continue
            named = [t for t in item.categories if t.nicename not in UNCATEGORIZED]
            first, *others = named or [None]
            if first is None:
                uncategorized = next((t for t in item.categories), None)
                if uncategorized is not None:
                    terms.became[("category", uncategorized.nicename)] = (
                        "category", terms.default_category)
            else:
                terms.became[("category", first.nicename)] = ("category", terms.clean(first.name))
            for term in others:
                terms.became.setdefault(("category", term.nicename),
                                        ("tag", terms.clean(term.name)))
            for term in item.tags:
                terms.became.setdefault(("tag", term.nicename), ("tag", terms.clean(term.name)))
        return terms

    def clean(self, name: str) -> str:
        """A term's name as front matter can carry it (no comma nor semicolon)."""
        plain = body_mod.plain_text(name)
        clean = " ".join(plain.replace(",", " ").replace(";", " ").split())
        if clean != plain:
            self.report.change(f"il nome «{plain}» diventa «{clean}»",
                               "virgole e punti e virgola separano i tag")
        return clean

    def has_address(self, kind: str, name: str) -> bool:
        """Can Pelican make an address of ``name``? (Not of «🎉» nor «!!!».)"""
        return bool(name) and bool(term_slug(kind, name, self.settings))

    def category_of(self, item: Item) -> tuple[str, list[str]]:
        """The article's category, and its other categories (they become tags)."""
        names = [self.clean(t.name) for t in item.categories if t.nicename not in UNCATEGORIZED]
        names = [n for n in names if n]
        if names and not self.has_address("category", names[0]):
            self.report.change(f"la categoria «{names[0]}» diventa «{self.default_category}»",
                               "il suo nome è fatto solo di simboli e non dà un indirizzo")
            names[0] = self.default_category
        if not names:
            return self.default_category, []
        return names[0], names[1:]

    def tags_of(self, item: Item, extra: list[str]) -> list[str]:
        """The article's tags: its own, then its other categories; each once."""
        tags = []
        for name in [self.clean(t.name) for t in item.tags] + extra:
            if not name:
                continue
            if not self.has_address("tag", name):
                self.report.change(f"il tag «{name}» è tolto",
                                   "il suo nome è fatto solo di simboli e non dà un indirizzo")
                continue
            tags.append(name)
        return list(dict.fromkeys(tags))

    # ------------------------------------------------------------ old archives
    def _built(self, kind: str, nicename: str, site: Site):
        """(role, Pelican's Category or Tag) the term became, when the build makes its page."""
        from pelican.urlwrappers import Category, Tag

        role, name = self.became.get((kind, nicename), (kind, self.names.get((kind, nicename), "")))
        if not name or not self.has_address(role, name):
            return None
        wrapper = (Category if role == "category" else Tag)(name, _pelican(self.settings))
        return (role, wrapper) if site.builds("/" + wrapper.url) else None

    def page_of(self, kind: str, nicename: str, site: Site) -> str | None:
        """Site address (no leading slash) of the page the term became, if built."""
        built = self._built(kind, nicename, site)
        return built[1].url if built else None

    def link(self, kind: str, nicename: str, site: Site) -> str | None:
        """``{category}slug`` or ``{tag}slug`` for a link to an old archive, else None."""
        built = self._built(kind, nicename, site)
        # Pelican slugifies the name after {category}/{tag}: the slug is its own slug.
        return "{" + built[0] + "}" + built[1].slug if built else None

    def fallback(self, kind: str, site: Site, archive_first: bool) -> tuple[str, str]:
        """Where an old archive without its own page goes (the archive first for a term
        that still has articles), and that page's Italian name."""
        listing = (f"{'CATEGORIES' if kind == 'category' else 'TAGS'}_URL",
                   "l’elenco delle categorie" if kind == "category" else "l’elenco dei tag")
        archive = ("ARCHIVES_URL", "l’archivio")
        for key, what in (archive, listing) if archive_first else (listing, archive):
            url = str(self.settings.get(key) or "")
            if url and site.builds("/" + url):
                return url, what
        return "", "la pagina iniziale"

    def add_redirects(self, redirects: Redirects, site: Site) -> None:
        """Old category and tag archives → the pages the terms became."""
        for (kind, nicename), name in sorted(self.names.items()):
            # Only terms WordPress showed (a term of drafts only had no page, and its name
            # may be private).
            if (kind, nicename) not in self.wp_public:
                continue
            old = f"/{kind}/{nicename}/"
            page = self.page_of(kind, nicename, site)
            role = self.became.get((kind, nicename), (kind, name))[0]
            if page is not None:
                why = "categoria diventata tag" if kind == "category" and role == "tag" else ""
                redirects.add_site_path(old, "/" + page, why)
                continue
            url, what = self.fallback(kind, site, (kind, nicename) in self.became)
            if (kind, nicename) in self.became:
                built = "tag" if role == "tag" else "categoria"
                self.report.change(f"{rules().decoded(redirects.base + old)} → /{url} ({what})",
                                   f"la build non fa la pagina del {built}")
            redirects.add_site_path(old, "/" + url, "archivio di un termine senza pagina")


def author_name(export: Export, item: Item) -> str:
    """The item's author as the export names them (the login when it has no name)."""
    return " ".join(export.authors.get(item.author, item.author).split())


def add_author_redirects(export: Export, site: Site, redirects: Redirects) -> None:
    """Author archives (``/author/giulia/``) → the author's page, when the build makes it."""
    from pelican.urlwrappers import Author

    settings = _pelican(site.settings)
    for login, name in export.authors.items():
        clean = " ".join(name.split())
        if not login or not clean:
            continue
        author = Author(clean, settings)
        if author.slug and site.builds("/" + author.url):
            redirects.add_site_path(f"/author/{login}/", "/" + author.url, "archivio di un autore")
