"""Read a WordPress export (WXR 1.0, 1.1, 1.2; Tools → Export) into plain data.

Elements are found by the namespace URIs the document binds its prefixes to, as
WordPress's own importer does: ``wp:`` may be bound to ``http://`` or
``https://wordpress.org/export/1.x/`` (or, in a hand-made file, to any URI: the
binding decides), ``excerpt:`` may be missing. WXR 1.0 (WordPress 2.x) writes every
term twice, once without its nicename, and tags in the ``tag`` domain.

The XML is parsed with defusedxml (no entity expansion, no external entities). A
truncated or malformed file, or one that is not a WordPress export, raises
:class:`ImportFailed` with an Italian message; nothing is read half-way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from blog.wordpress.errors import ImportFailed
from blog.wordpress.slugs import ascii_slug

CONTENT_URI = "http://purl.org/rss/1.0/modules/content/"
DC_URI = "http://purl.org/dc/elements/1.1/"
WP_URI = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/?$")
EXCERPT_URI = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/excerpt/?$")
RETRY = ("Riesportalo da WordPress (Strumenti → Esporta → Tutti i contenuti) e riprova. "
         "Non ho scritto nulla.")


@dataclass
class Comment:
    id: int
    parent: int
    author: str
    email: str
    url: str
    ip: str
    date: str
    date_gmt: str
    content: str
    approved: str  # "1", "0", "spam", "trash"
    type: str  # "", "comment", "pingback", "trackback"


@dataclass
class Term:
    nicename: str
    name: str


@dataclass
class Item:
    id: int
    title: str
    link: str
    post_type: str
    status: str
    name: str
    parent: int
    date: str
    date_gmt: str
    modified: str
    author: str
    content: str
    excerpt: str
    password: str
    sticky: bool
    attachment_url: str
    pub_date: str = ""  # RSS pubDate, the last resort for a missing wp:post_date
    categories: list[Term] = field(default_factory=list)
    tags: list[Term] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Export:
    path: Path
    version: str
    title: str
    link: str
    base_url: str
    authors: dict[str, str]
    items: list[Item]

    def by_id(self) -> dict[int, Item]:
        return {item.id: item for item in self.items}


def _text(element: Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _raw(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except ValueError:
        return default


@dataclass(frozen=True)
class Namespaces:
    """The ``{uri}`` prefixes of the export's elements, from the document's bindings."""

    wp: str
    excerpt: str
    content: str
    dc: str
    version: str


def _namespaces(bindings: dict[str, list[str]], tags: set[str]) -> Namespaces | None:
    """Which URI each WXR prefix stands for. The ``wp`` prefix's own binding first (as
    WordPress's importer reads it), else any URI of a WordPress export that the
    elements use; ``None`` when the document has neither."""
    used = {tag[1:].split("}", 1)[0] for tag in tags if tag.startswith("{")}

    def pick(prefix: str, pattern: re.Pattern | None, default: str) -> str:
        for uri in bindings.get(prefix, []):
            if uri in used or pattern is None or pattern.match(uri):
                return uri
        return next((uri for uri in sorted(used) if pattern and pattern.match(uri)), default)

    wp = pick("wp", WP_URI, "")
    if not wp or wp not in used:
        return None
    match = WP_URI.match(wp)
    version = match.group(1) if match else ""
    excerpt = pick("excerpt", EXCERPT_URI, wp.rstrip("/") + "/excerpt/")

    def alternative(uri: str) -> str:  # the same namespace on https
        https = uri.replace("http://", "https://", 1)
        return https if https in used and uri not in used else uri

    content = pick("content", None, alternative(CONTENT_URI))
    dc = pick("dc", None, alternative(DC_URI))
    return Namespaces("{" + wp + "}", "{" + excerpt + "}", "{" + content + "}",
                      "{" + dc + "}", version)


def _read_tree(path: Path) -> tuple[Element, dict[str, list[str]], set[str]]:
    """The document's root, its prefix bindings (in order) and every element tag."""
    bindings: dict[str, list[str]] = {}
    tags: set[str] = set()
    parser = SafeET.iterparse(str(path), events=("start-ns", "end"))
    for event, value in parser:
        if event == "start-ns":
            prefix, uri = value
            bindings.setdefault(prefix, []).append(uri)
        else:
            tags.add(value.tag)
    return parser.root, bindings, tags


def parse(path: Path) -> Export:
    """The export at ``path``; :class:`ImportFailed` when it cannot be trusted whole."""
    if not path.is_file():
        raise ImportFailed(f"Non trovo l’export {path}: indica il file .xml scaricato "
                           "da WordPress.")
    try:
        root, bindings, tags = _read_tree(path)
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportFailed(
            f"{path.name}:{line}: l’export non è un XML valido (colonna {column}): "
            f"probabilmente è troncato o rovinato. {RETRY}"
        ) from None
    except defusedxml.DefusedXmlException:
        raise ImportFailed(
            f"{path.name}: l’export contiene entità o riferimenti esterni che non leggo "
            f"per sicurezza. {RETRY}"
        ) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ImportFailed(f"{path.name}: non è un export di WordPress "
                           f"(manca <rss><channel>). {RETRY}")
    ns = _namespaces(bindings, tags)
    if ns is None:
        bound = ", ".join(bindings.get("wp", [])) or "nessun indirizzo"
        raise ImportFailed(
            f"{path.name}: è un feed RSS, non un export di WordPress (manca lo spazio dei nomi "
            f"wp: di WXR; wp: è legato a {bound}). {RETRY}"
        )
    wp = ns.wp
    version = _text(channel, wp + "wxr_version") or ns.version
    authors = {
        _text(a, wp + "author_login"): _text(a, wp + "author_display_name")
        or _text(a, wp + "author_login")
        for a in channel.findall(wp + "author")
    }
    items = []
    for number, element in enumerate(channel.findall("item"), 1):
        post_id = _text(element, wp + "post_id")
        post_type = _text(element, wp + "post_type")
        if not post_id.isdigit() or not post_type:
            title = _text(element, "title") or "senza titolo"
            raise ImportFailed(
                f"{path.name}: l’elemento n. {number} («{title}») non ha wp:post_id o "
                f"wp:post_type: l’export è incompleto. {RETRY}"
            )
        items.append(_item(element, ns))
    return Export(
        path=path,
        version=version,
        title=_text(channel, "title"),
        link=_text(channel, "link"),
        base_url=_text(channel, wp + "base_blog_url") or _text(channel, "link"),
        authors=authors,
        items=items,
    )


def _terms(element: Element) -> tuple[list[Term], list[Term]]:
    """The item's categories and tags. WXR 1.0 also lists each term without its
    nicename (and tags in the ``tag`` domain): a bare term counts only when no
    nicename'd twin names it."""
    categories: dict[str, Term] = {}
    tags: dict[str, Term] = {}
    bare: list[tuple[str, str]] = []
    for cat in element.findall("category"):
        name = (cat.text or "").strip()
        domain = cat.get("domain") or "category"
        target = {"category": categories, "post_tag": tags, "tag": tags}.get(domain)
        if target is None or not name:
            continue
        nicename = cat.get("nicename")
        if nicename is None:
            bare.append((domain, name))
        else:
            target.setdefault(nicename, Term(nicename, name))
    for domain, name in bare:
        target = categories if domain == "category" else tags
        if all(term.name != name for term in target.values()):
            nicename = ascii_slug(name) or name
            target.setdefault(nicename, Term(nicename, name))
    return list(categories.values()), list(tags.values())


def _item(element: Element, ns: Namespaces) -> Item:
    wp = ns.wp
    categories, tags = _terms(element)
    meta = {
        _text(m, wp + "meta_key"): _raw(m, wp + "meta_value")
        for m in element.findall(wp + "postmeta")
    }
    comments = [
        Comment(
            id=_int(_text(c, wp + "comment_id")),
            parent=_int(_text(c, wp + "comment_parent")),
            author=_text(c, wp + "comment_author"),
            email=_text(c, wp + "comment_author_email"),
            url=_text(c, wp + "comment_author_url"),
            ip=_text(c, wp + "comment_author_IP"),
            date=_text(c, wp + "comment_date"),
            date_gmt=_text(c, wp + "comment_date_gmt"),
            content=_raw(c, wp + "comment_content"),
            approved=_text(c, wp + "comment_approved"),
            type=_text(c, wp + "comment_type"),
        )
        for c in element.findall(wp + "comment")
    ]
    return Item(
        id=int(_text(element, wp + "post_id")),
        title=_raw(element, "title"),
        link=_text(element, "link"),
        post_type=_text(element, wp + "post_type"),
        status=_text(element, wp + "status"),
        name=_text(element, wp + "post_name"),
        parent=_int(_text(element, wp + "post_parent")),
        date=_text(element, wp + "post_date"),
        date_gmt=_text(element, wp + "post_date_gmt"),
        modified=_text(element, wp + "post_modified"),
        author=_text(element, ns.dc + "creator"),
        content=_raw(element, ns.content + "encoded"),
        excerpt=_raw(element, ns.excerpt + "encoded"),
        password=_text(element, wp + "post_password"),
        sticky=_text(element, wp + "is_sticky") == "1",
        attachment_url=_text(element, wp + "attachment_url"),
        pub_date=_text(element, "pubDate"),
        categories=categories,
        tags=tags,
        meta=meta,
        comments=comments,
    )
