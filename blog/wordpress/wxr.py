"""Read a WordPress export (WXR 1.1/1.2, Tools → Export) into plain data.

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

CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"
WP_NS = re.compile(r"^\{(http://wordpress\.org/export/(1\.\d)/)\}")
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


def _namespace(channel: Element) -> tuple[str, str]:
    for child in channel.iter():
        match = WP_NS.match(child.tag)
        if match:
            return "{" + match.group(1) + "}", match.group(2)
    return "", ""


def parse(path: Path) -> Export:
    """The export at ``path``; :class:`ImportFailed` when it cannot be trusted whole."""
    if not path.is_file():
        raise ImportFailed(f"Non trovo l’export {path}: indica il file .xml scaricato "
                           "da WordPress.")
    try:
        root = SafeET.parse(str(path)).getroot()
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
    wp, version = _namespace(channel)
    if not wp:
        raise ImportFailed(
            f"{path.name}: è un feed RSS, non un export di WordPress (manca lo spazio dei nomi "
            f"wp: di WXR). {RETRY}"
        )
    excerpt_ns = "{http://wordpress.org/export/" + version + "/excerpt/}"
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
        items.append(_item(element, wp, excerpt_ns))
    return Export(
        path=path,
        version=version,
        title=_text(channel, "title"),
        link=_text(channel, "link"),
        base_url=_text(channel, wp + "base_blog_url") or _text(channel, "link"),
        authors=authors,
        items=items,
    )


def _item(element: Element, wp: str, excerpt_ns: str) -> Item:
    categories, tags = [], []
    for cat in element.findall("category"):
        term = Term(cat.get("nicename", ""), (cat.text or "").strip())
        if cat.get("domain") == "category":
            categories.append(term)
        elif cat.get("domain") == "post_tag":
            tags.append(term)
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
        author=_text(element, DC_NS + "creator"),
        content=_raw(element, CONTENT_NS + "encoded"),
        excerpt=_raw(element, excerpt_ns + "encoded"),
        password=_text(element, wp + "post_password"),
        sticky=_text(element, wp + "is_sticky") == "1",
        attachment_url=_text(element, wp + "attachment_url"),
        pub_date=_text(element, "pubDate"),
        categories=categories,
        tags=tags,
        meta=meta,
        comments=comments,
    )
