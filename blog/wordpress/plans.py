"""What one export item becomes, before anything is written: its plan, its title and
date in Pelican's terms, and the files already in ``content/`` it must not duplicate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from blog.wordpress import body as body_mod
from blog.wordpress.manifest import Manifest
from blog.wordpress.slugs import title_key
from blog.wordpress.wxr import Item

MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
          "settembre", "ottobre", "novembre", "dicembre")


@dataclass
class Existing:
    """A file already in content/ that no import wrote."""

    relpath: str  # content-relative
    url: str
    public: bool = True  # the build publishes it (not a draft)


@dataclass
class Plan:
    item: Item
    kind: str  # article | page
    draft: bool
    reason: str
    title: str
    slug: str = ""
    url: str = ""  # site-relative, no leading slash
    relpath: str = ""  # content-relative file
    kept: Existing | None = None
    nested: bool = False

    @property
    def public(self) -> bool:
        return not self.draft

    @property
    def label(self) -> str:
        short = self.title if len(self.title) <= 70 else self.title[:69] + "…"
        return f"«{short}» (id {self.item.id})"

    @property
    def link_target(self) -> str | None:
        if self.kept:
            return self.kept.relpath
        return self.relpath if self.public else None

    @property
    def new_url(self) -> str:
        return self.kept.url if self.kept else self.url


def italian_date(value: str) -> str:
    try:
        year, month, day = (int(x) for x in value[:10].split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return value


def pelican_date(value: str) -> str:
    if not value or value.startswith("0000"):
        return ""
    return value[:16]


def rss_date(value: str) -> str:
    """``Sun, 12 May 2019 07:30:00 +0000`` → ``2019-05-12 07:30`` (UTC); "" if unusable."""
    from email.utils import parsedate_to_datetime

    if not value or " -0001 " in value:  # WordPress's "no date" of drafts
        return ""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return ""
    return moment.strftime("%Y-%m-%d %H:%M") if moment.year > 1970 else ""


def read_existing(content: Path, manifest: Manifest, settings: dict,
                  sources: dict[str, tuple[str, str]]
                  ) -> tuple[dict[str, Existing], dict[tuple[str, str], Existing], set[str]]:
    """The files the author has (``sources`` but those an import wrote), read as the
    build reads them: by slug, by kind and title (:func:`title_key`), and the first
    segments of their addresses."""
    from blog.wordpress.site import Site

    prefix = content.name + "/"
    ours = {name[len(prefix):] for name in manifest.files if name.startswith(prefix)}
    site = Site(settings)
    site.add_folder(sources, skip=ours)
    by_slug: dict[str, Existing] = {}
    by_title: dict[tuple[str, str], Existing] = {}
    roots: set[str] = set()
    for document in site.documents.values():
        found = Existing(document.relpath, document.url, document.status != "draft")
        by_slug[document.slug] = found
        roots.add(document.url.split("/", 1)[0])
        if document.values.get("title"):
            by_title[(document.kind, title_key(str(document.values["title"])))] = found
    return by_slug, by_title, roots


def item_title(item: Item) -> tuple[str, str]:
    """Plain-text title, and a note when it had to be made up."""
    title = body_mod.title_text(item.title)
    if title:
        return title, ""
    words = body_mod.plain_text(body_mod.BLOCK_COMMENT.sub("", item.content)).split()
    if words:
        made = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    else:
        made = f"Senza titolo del {italian_date(item.date)}"
    return made, f"titolo vuoto: ora è «{made}»"
