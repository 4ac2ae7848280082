"""The pages the build will make from ``content/`` once the import is written.

Read from the front matter of every source (the author's files and the import's
planned ones) the way Pelican reads it: its metadata processors, its defaults (the
settings' category and author, the folder as category), its slugs, statuses and URL
patterns. Published articles give the category, tag and author pages and the feeds;
drafts give nothing; hidden posts only their own page. A redirect, a link to a
category or tag, or an Isso thread of the import may point only at a page of this set:
:func:`Site.builds` is the same rule the build's ``wordpress_redirects`` plugin applies
to the real output folder.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.wordpress import frontmatter

TEXT = (".md", ".markdown", ".mkd")


@dataclass
class Document:
    """One source as the build will read it."""

    relpath: str  # content-relative
    kind: str  # article | page
    values: dict[str, Any]  # Pelican's processed metadata (defaults included)
    status: str
    slug: str
    url: str
    save_as: str  # "" when the build writes no page (a draft)
    published_as: str  # where it goes once published (drafts included)

    @property
    def built(self) -> bool:
        """Written by the build: published, hidden, or a draft with its own ``Save_as``
        (Pelican writes those too)."""
        return bool(self.save_as)

    @property
    def listed(self) -> bool:
        return self.status == "published"


@dataclass
class Site:
    """Every output path the build will write (``a/index.html``, ``feeds/x.xml``…)."""

    settings: dict[str, Any]
    documents: dict[str, Document] = field(default_factory=dict)  # relpath → document
    outputs: dict[str, str] = field(default_factory=dict)  # output path → what writes it
    clashes: list[tuple[str, str, str]] = field(default_factory=list)  # (path, first, second)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (relpath, key, reason)

    # ------------------------------------------------------------ sources
    def add_source(self, relpath: str, kind: str, text: str) -> Document:
        """A Markdown source of ``content/`` (``articles/x.md``), read as Pelican would."""
        from pelican.readers import BaseReader, default_metadata, parse_path_metadata

        process = BaseReader(self.settings).process_metadata
        values: dict[str, Any] = dict(default_metadata(self.settings, process))
        if kind == "article":
            path_values = parse_path_metadata(relpath, self.settings, process)
            values.update({k: v for k, v in path_values.items() if type(v) is not object})
        else:
            values.pop("category", None)
        errors: list[tuple[str, str]] = []
        values.update(frontmatter.processed(frontmatter.parse(text), self.settings, errors))
        self.errors += [(relpath, key, reason) for key, reason in errors]
        document = self._document(relpath, kind, values)
        self.documents[relpath] = document
        return document

    def add_folder(self, sources: dict[str, tuple[str, str]],
                   skip: set[str] = frozenset()) -> None:
        """The author's own sources (:func:`read_sources`; ``skip``: content-relative)."""
        for relpath, (kind, text) in sources.items():
            if relpath not in skip:
                self.add_source(relpath, kind, text)

    def add_static(self, content: Path, planned: set[str] = frozenset()) -> None:
        """Static files: those of ``STATIC_PATHS`` and the copies the import plans."""
        extra = self.settings.get("EXTRA_PATH_METADATA") or {}
        excluded = tuple(str(e).rstrip("/") for e in self.settings.get("STATIC_EXCLUDES", []))
        for folder in self.settings.get("STATIC_PATHS", []):
            base = content / folder
            files = [base] if base.is_file() else (p for p in base.rglob("*") if p.is_file())
            for path in files:
                relpath = path.relative_to(content).as_posix()
                if any(relpath == e or relpath.startswith(e + "/") for e in excluded):
                    continue
                self._output(extra.get(relpath, {}).get("path", relpath), f"content/{relpath}")
        for relpath in planned:
            self._output(relpath, f"content/{relpath}")

    def _document(self, relpath: str, kind: str, values: dict[str, Any]) -> Document:
        from pelican.utils import slugify

        settings = self.settings
        status = str(values.get("status", "published")).lower()
        date = values.get("date")
        if (kind == "article" and not settings.get("WITH_FUTURE_DATES", True)
                and isinstance(date, dt.datetime) and date > _now(date)):
            status = "draft"
        slug = values.get("slug")
        if slug is None:
            source = (values.get("title") if settings.get("SLUGIFY_SOURCE", "title") == "title"
                      else os.path.splitext(os.path.basename(relpath))[0])
            slug = slugify(str(source or ""),
                           regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                           preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                           use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))
        fields = {**values, "slug": slug, "date": date or dt.datetime.now(), "path": relpath,
                  "lang": values.get("lang", settings.get("DEFAULT_LANG", "en")),
                  "author": getattr(values.get("author"), "slug", ""),
                  "category": getattr(values.get("category"), "slug", "")}
        klass = {("article", True): "DRAFT", ("article", False): "ARTICLE",
                 ("page", True): "DRAFT_PAGE", ("page", False): "PAGE"}[(kind, status == "draft")]
        url = str(values.get("url") or _format(settings.get(f"{klass}_URL", ""), fields))
        save_as = str(values.get("save_as")
                      or _format(settings.get(f"{klass}_SAVE_AS", ""), fields))
        published_as = str(values.get("save_as") or _format(
            settings.get(f"{'ARTICLE' if kind == 'article' else 'PAGE'}_SAVE_AS", ""), fields))
        return Document(relpath, kind, values, status, str(slug), url, save_as, published_as)

    # ------------------------------------------------------------ the whole site
    def finish(self) -> Site:
        """Add what the sources give: their pages, taxonomies, feeds, direct templates."""
        from pelican.urlwrappers import Author, Category

        s = self.settings
        categories, tags, authors = {}, {}, {}
        for doc in self.documents.values():
            if doc.built:
                self._output(doc.save_as, f"content/{doc.relpath}")
            if doc.kind != "article" or not doc.listed:
                continue
            category = doc.values.get("category")
            if isinstance(category, Category):
                categories[category.slug] = category
            for tag in doc.values.get("tags") or []:
                tags[tag.slug] = tag
            for author in doc.values.get("authors") or [doc.values.get("author")]:
                if isinstance(author, Author):
                    authors[author.slug] = author
        for wrappers, key in ((categories, "CATEGORY"), (tags, "TAG"), (authors, "AUTHOR")):
            for slug, wrapper in wrappers.items():
                if s.get(f"{key}_SAVE_AS"):
                    self._output(wrapper.save_as, f"{key.lower()} {wrapper.name}")
                for feed in (f"{key}_FEED_ATOM", f"{key}_FEED_RSS"):
                    if s.get(feed):
                        self._output(str(s[feed]).format(slug=slug), "feed")
        for template in s.get("DIRECT_TEMPLATES", []):
            save_as = s.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
            if save_as:
                self._output(save_as, template)
        for feed in ("FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM", "FEED_ALL_RSS"):
            if s.get(feed):
                self._output(str(s[feed]), "feed")
        for output in (s.get("TEMPLATE_PAGES") or {}).values():
            self._output(output, "template")
        self.tags, self.categories, self.authors = tags, categories, authors
        return self

    def _output(self, path: str, what: str) -> None:
        path = path.lstrip("/")
        first = self.outputs.setdefault(path, what)
        if first != what and not what.startswith(("feed", "category ", "tag ", "author ")):
            self.clashes.append((path, first, what))

    def builds(self, url: str) -> bool:
        """Does the build write the page or file at site address ``url``?"""
        from blog.wordpress.redirects import rules

        return rules().target_exists(lambda path: path in self.outputs, url)


def read_sources(content: Path, settings: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The Markdown sources of the article and page folders: relpath → (kind, text).
    Read once per import: the importer predicts the site from them more than once."""
    sources: dict[str, tuple[str, str]] = {}
    for key, kind in (("ARTICLE_PATHS", "article"), ("PAGE_PATHS", "page")):
        for folder in settings.get(key, []):
            for path in sorted((content / folder).rglob("*")):
                relpath = path.relative_to(content).as_posix()
                if relpath in sources:  # under both folders: read as a page
                    sources[relpath] = (kind, sources[relpath][1])
                elif path.suffix.lower() in TEXT and path.is_file():
                    sources[relpath] = (kind, path.read_text(encoding="utf-8"))
    return sources


def _format(pattern: str, fields: dict[str, Any]) -> str:
    try:
        return pattern.format(**fields)
    except (KeyError, IndexError, ValueError):
        return ""


def _now(date: dt.datetime) -> dt.datetime:
    return dt.datetime.now(dt.UTC) if date.tzinfo else dt.datetime.now()
